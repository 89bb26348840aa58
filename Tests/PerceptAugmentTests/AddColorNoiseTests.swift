import Foundation
import PerceptAudio
import PerceptAugment
import PerceptCore
import XCTest

/// `add_color_noise`: the noise has its colour's spectral slope, the drawn SNR, and is a pure
/// function of the seed.
final class AddColorNoiseTests: XCTestCase {
    let sr = 16000

    func clip(_ y: [Float], channels: Int = 1) throws -> Sample {
        try Sample(audio: Tensor(unchecked: [channels, y.count / channels], data: y), sampleRate: sr)
    }

    /// Welch's average periodogram (Hann, 512 points, hop 256, uncentred frames) of `x`: power per rfft bin.
    func psd(_ x: [Float]) throws -> [Double] {
        let spec = try STFT(nFFT: 512, hopLength: 256, center: false).spectrogram(x)
        let (bins, frames) = (spec.shape[0], spec.shape[1])
        return (0..<bins).map { k in (0..<frames).map { Double(spec.storage[k * frames + $0]) }.reduce(0, +) / Double(frames) }
    }

    /// The least-squares slope, in dB per octave, of the mean power in the octave bands from 250 Hz to 8 kHz.
    func slopePerOctave(_ x: [Float]) throws -> Double {
        let p = try psd(x), hz = Double(sr) / 512
        var xs: [Double] = [], ys: [Double] = []
        var lo = 250.0
        while lo * 2 <= Double(sr) / 2 {
            let band = p.indices.filter { Double($0) * hz >= lo && Double($0) * hz < lo * 2 }.map { p[$0] }
            xs.append(log2(lo)); ys.append(10 * log10(band.reduce(0, +) / Double(band.count)))
            lo *= 2
        }
        let mx = xs.reduce(0, +) / Double(xs.count), my = ys.reduce(0, +) / Double(ys.count)
        let num = zip(xs, ys).map { ($0 - mx) * ($1 - my) }.reduce(0, +), den = xs.map { ($0 - mx) * ($0 - mx) }.reduce(0, +)
        return num / den
    }

    func testEachColourHasItsSpectralSlopePerOctave() throws {
        let y = [Float](repeating: 0, count: 1 << 16)
        let signal = try clip(y.enumerated().map { i, _ in i == 0 ? 1 : 0 })   // any non-silent signal
        for color in AddColorNoise.Color.allCases {
            // A 1024-bin filter: at the default 128 the slope of one draw scatters by ±0.5 dB/octave
            // around a value 0.5 dB steeper (measured on audiomentations' own noise), since the
            // DC bin's gain (f[0] = 1) leaks into the low octaves.
            let stage = try AddColorNoise(minSnrDb: 0, maxSnrDb: 0, color: color, nFft: 1024, p: 1)
            let (params, out) = try drawApply(stage, signal, seed: 11)
            XCTAssertEqual(params.fDecay, color.fDecay)
            let noise = zip(out.data.storage, signal.data.storage).map { $0 - $1 }
            XCTAssertEqual(try slopePerOctave(noise), Double(color.fDecay), accuracy: 0.6, "\(color)")
        }
        XCTAssertEqual(AddColorNoise.Color.pink.fDecay, -3.0103, accuracy: 1e-4)
        XCTAssertEqual(AddColorNoise.Color.violet.fDecay, 6.0206, accuracy: 1e-4)
    }

    func testADrawnDecayBetweenTheColoursShapesTheNoiseToo() throws {
        let stage = try AddColorNoise(minFDecay: -4.5, maxFDecay: -4.5, nFft: 1024, p: 1)
        let signal = try clip(tone(300, sr: sr, n: 1 << 16))
        let (_, out) = try drawApply(stage, signal, seed: 2)
        let noise = zip(out.data.storage, signal.data.storage).map { $0 - $1 }
        // The tone sits below the first band, so the fit sees the noise alone.
        XCTAssertEqual(try slopePerOctave(noise), -4.5, accuracy: 0.6)
    }

    func testTheNoiseIsAddedAtTheDrawnSNR() throws {
        let y = tone(440, sr: sr, n: 8000) + tone(660, sr: sr, n: 8000, amplitude: 0.2)
        let stage = try make(AddColorNoise.self, ["min_snr_db": "3", "max_snr_db": "30"])
        for seed in UInt64(0)..<6 {
            let (p, out) = try drawApply(stage, try clip(y, channels: 2), seed: seed)
            XCTAssertTrue(p.snrDb >= 3 && p.snrDb <= 30 && p.fDecay >= -6 && p.fDecay <= 6, "\(p)")
            let noise = zip(out.data.storage, y).map { Double($0 - $1) }
            let ps = y.map { Double($0) * Double($0) }.reduce(0, +), pn = noise.map { $0 * $0 }.reduce(0, +)
            XCTAssertEqual(10 * log10(ps / pn), Double(p.snrDb), accuracy: 0.01, "coloured noise is scaled to RMS 1 exactly")
            // Each channel gets its own noise (audiomentations draws it with the samples' shape).
            XCTAssertNotEqual(Array(noise[0..<4000]), Array(noise[4000..<8000]))
        }
        let white = try AddColorNoise(minSnrDb: 10, maxSnrDb: 10, color: .white, p: 1)
        let (_, out) = try drawApply(white, try clip(y), seed: 1)
        let noise = zip(out.data.storage, y).map { Double($0 - $1) }
        let ps = y.map { Double($0) * Double($0) }.reduce(0, +), pn = noise.map { $0 * $0 }.reduce(0, +)
        XCTAssertEqual(10 * log10(ps / pn), 10, accuracy: 0.2, "white noise is N(0, 1) as drawn, as audiomentations leaves it")
        var silent = try clip([Float](repeating: 0, count: 100))
        try stage.apply(.init(snrDb: 10, fDecay: 3, seed: 1), to: &silent)
        XCTAssertEqual(silent.data.max, 0, "silence stays silent")
    }

    func testTheSameSeedGivesTheSameNoiseAndAnotherSeedOther() throws {
        let stage = try AddColorNoise(p: 1)
        let signal = try clip(tone(440, sr: sr, n: 4000))
        let (pa, a) = try drawApply(stage, signal, seed: 5)
        let (pb, b) = try drawApply(stage, signal, seed: 5)
        let (pc, c) = try drawApply(stage, signal, seed: 6)
        XCTAssertEqual(pa, pb); XCTAssertEqual(a, b)
        XCTAssertNotEqual(pa, pc); XCTAssertNotEqual(a, c)
        var replayed = signal
        try stage.apply(pa, to: &replayed)
        XCTAssertEqual(replayed, a, "the drawn parameters alone reproduce the output")
    }

    func testColourAndADecayRangeAreExclusive() {
        assertInvalid("add_color_noise.min_f_decay", "cannot be given with color") {
            _ = try make(AddColorNoise.self, ["color": "brown", "min_f_decay": "-2"])
        }
        assertInvalid("add_color_noise.color", "is not one of") { _ = try make(AddColorNoise.self, ["color": "grey"]) }
        assertInvalid("add_color_noise.n_fft", "must be ≥ 4") { _ = try make(AddColorNoise.self, ["n_fft": "2"]) }
    }
}
