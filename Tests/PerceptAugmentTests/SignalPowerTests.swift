import Foundation
import PerceptAugment
import PerceptCore
import PerceptIO
import XCTest

/// `signal_power: active` on the SNR-based stages: a clip that is mostly silence gets the stated
/// SNR over its active part, and `whole` keeps the old behaviour.
final class SignalPowerTests: XCTestCase {
    let sr = 16000

    /// One second of a tone in the middle of four seconds of silence (samples 24000..<40000).
    func mostlySilence() throws -> (Sample, Range<Int>) {
        var y = [Float](repeating: 0, count: 64000)
        let t = tone(440, sr: sr, n: 16000)
        for i in 0..<16000 { y[24000 + i] = t[i] }
        return (try Sample(audio: Tensor(unchecked: [1, 64000], data: y), sampleRate: sr), 24000..<40000)
    }

    func snr(_ clean: Sample, _ noisy: Sample, over range: Range<Int>) -> Double {
        let y = clean.data.storage, n = zip(noisy.data.storage, y).map { Double($0 - $1) }
        let ps = range.map { Double(y[$0]) * Double(y[$0]) }.reduce(0, +) / Double(range.count)
        let pn = n.map { $0 * $0 }.reduce(0, +) / Double(n.count)
        return 10 * log10(ps / pn)
    }

    func testTheActivePartIsLibrosaSplitsNonSilentFrames() throws {
        let (clip, _) = try mostlySilence()
        // Frames t = 45…80 (centred, 2048 long, hop 512) touch the tone; split maps them to
        // samples [45·512, 81·512).
        let power = SignalPower.active(topDb: 60)
        let expected = (Array(clip.data.storage[23040..<41472]).map { Double($0) * Double($0) }.reduce(0, +) / 18432).squareRoot()
        XCTAssertEqual(power.rms(of: clip), expected, accuracy: expected * 1e-6)
        XCTAssertEqual(SignalPower.whole.rms(of: clip), (clip.data.storage.map { Double($0) * Double($0) }.reduce(0, +) / 64000).squareRoot(),
                       accuracy: 1e-6)
    }

    func testAMostlySilentClipGetsTheStatedSNROverItsActivePart() throws {
        let (clip, speech) = try mostlySilence()
        let stages: [(String, [String: Value])] = [
            ("add_gaussian_snr", [:]), ("add_color_noise", ["color": "pink"]),
        ]
        for (name, extra) in stages {
            for mode in ["whole", "active"] {
                var values = extra
                values["min_snr_db"] = 10; values["max_snr_db"] = 10; values["p"] = 1; values["signal_power"] = .of(mode)
                let chain = AugmentationChain([try StageRegistry.make(name, values)])
                let out = try chain.apply(to: clip, seed: 1, epoch: 0, index: 0)
                let measured = snr(clip, out, over: speech)
                if mode == "active" {
                    // The active part reaches about 1.5k samples past the tone on each side (0.6 dB).
                    XCTAssertEqual(measured, 10, accuracy: 0.8, "\(name) active")
                } else {
                    // Over the whole clip, the tone's SNR is 10 dB + 10·log10(4 s / 1 s).
                    XCTAssertEqual(measured, 10 + 10 * log10(4.0), accuracy: 0.3, "\(name) whole")
                }
            }
        }
    }

    func testBackgroundNoiseMeasuresTheActivePartToo() throws {
        let dir = NSTemporaryDirectory() + "percept-active-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var rng = RandomStream(seed: 9)
        let hiss = (0..<8000).map { _ in rng.uniform(-0.3, 0.3) }
        try AudioFile.write(Tensor(unchecked: [1, 8000], data: hiss), sampleRate: sr, to: dir + "/hiss.wav", format: .wavFloat)
        let (clip, speech) = try mostlySilence()
        let stage = try AddBackgroundNoise(soundsPath: dir, minSnrDb: 12, maxSnrDb: 12, p: 1, signalPower: .active(topDb: 60))
        let (_, out) = try drawApply(stage, clip, seed: 2)
        XCTAssertEqual(snr(clip, out, over: speech), 12, accuracy: 0.8)
    }

    func testTheThresholdAloneIsAnError() {
        assertInvalid("add_gaussian_snr.active_top_db", "has no effect unless signal_power is active") {
            _ = try make(AddGaussianSNR.self, ["active_top_db": "40"])
        }
        assertInvalid("add_color_noise.active_top_db", "must be > 0") {
            _ = try make(AddColorNoise.self, ["signal_power": "active", "active_top_db": "-3"])
        }
    }
}
