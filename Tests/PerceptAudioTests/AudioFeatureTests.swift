import Foundation
import PerceptAudio
import PerceptCore
import PerceptIO
import PerceptPipeline
import XCTest

/// The three `percept extract` audio features: loading, option names, errors.
final class AudioFeatureTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "percept-audio-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    private func wav(_ channels: [[Float]], rate: Int, _ name: String) throws -> String {
        let p = dir + "/" + name
        let n = channels[0].count
        try AudioFile.write(Tensor(shape: [channels.count, n], data: channels.flatMap { $0 }), sampleRate: rate, to: p, format: .wavFloat)
        return p
    }

    private func tone(_ n: Int, _ f: Float, rate: Int) -> [Float] {
        (0..<n).map { 0.4 * sinf(2 * .pi * f * Float($0) / Float(rate)) }
    }

    private func feature(_ type: any FeatureExtractor.Type, _ values: [String: Value]) throws -> any FeatureExtractor {
        try type.init(Parameters(owner: type.name, specs: type.parameters, values: values, naming: .cli))
    }

    private func array(_ out: FeatureOutput) throws -> Tensor {
        guard case let .array(t) = out else { throw PerceptError.runtime("expected one array") }
        return t
    }

    /// The error's one-line description, or "no error".
    private func message(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return String(describing: error) }
    }

    func testStereoIsAveragedToMonoBeforeTheMelSpectrogram() throws {
        let a = tone(5000, 440, rate: 16000), b = tone(5000, 1230, rate: 16000)
        let path = try wav([a, b], rate: 16000, "stereo.wav")
        let out = try array(feature(MelSpectrogramFeature.self, ["n_fft": "512", "hop_length": "160", "n_mels": "40"]).extract(path: path))
        let mono = zip(a, b).map { ($0 + $1) * 0.5 }
        let ref = try SpectralPipeline(stft: STFT(nFFT: 512, hopLength: 160),
                                       mel: MelFilterbank(sampleRate: 16000, nFFT: 512, nMels: 40)).compute(mono)
        XCTAssertEqual(out.shape, [40, 1 + 5000 / 160])
        XCTAssertLessThan(out.maxAbsDifference(ref), 1e-6 * Swift.max(1, ref.max))
    }

    func testDefaultsFollowLibrosaFunctionByFunction() throws {
        for rate in [8000, 44100, 48000] {
            let path = try wav([tone(rate / 2 + 1, 300, rate: rate)], rate: rate, "tone\(rate).wav")
            let n = rate / 2 + 1
            // librosa.stft: hop = win_length / 4 = 512; librosa.feature: hop 512 too, 128 mels, 20 MFCCs.
            let spec = try array(feature(SpectrogramFeature.self, [:]).extract(path: path))
            XCTAssertEqual(spec.shape, [1025, 1 + n / 512])
            let spec2 = try array(feature(SpectrogramFeature.self, ["n_fft": "512", "win_length": "320"]).extract(path: path))
            XCTAssertEqual(spec2.shape, [257, 1 + n / 80])
            let mel = try array(feature(MelSpectrogramFeature.self, ["n_fft": "1024"]).extract(path: path))
            XCTAssertEqual(mel.shape, [128, 1 + n / 512])
            let mfcc = try array(feature(MFCCFeature.self, [:]).extract(path: path))
            XCTAssertEqual(mfcc.shape, [20, 1 + n / 512])
        }
    }

    func testMFCCDeltasStackTheCoefficientsAndTheirLibrosaDeltas() throws {
        let path = try wav([tone(16000, 440, rate: 16000).enumerated().map { $0.1 * Float($0.0) / 16000 }], rate: 16000, "rise.wav")
        let plain = try array(feature(MFCCFeature.self, ["n_mfcc": "13"]).extract(path: path))
        let stacked = try array(feature(MFCCFeature.self, ["n_mfcc": "13", "deltas": "2", "delta_width": "5"]).extract(path: path))
        let frames = plain.shape[1]
        XCTAssertEqual(stacked.shape, [39, frames])
        let d1 = try Delta.compute(plain, width: 5), d2 = try Delta.compute(plain, width: 5, order: 2)
        XCTAssertEqual(Array(stacked.storage[0..<(13 * frames)]), plain.storage)
        XCTAssertEqual(Array(stacked.storage[(13 * frames)..<(26 * frames)]), d1.storage)
        XCTAssertEqual(Array(stacked.storage[(26 * frames)...]), d2.storage)
        XCTAssertTrue(message { _ = try self.feature(MFCCFeature.self, ["deltas": "3"]) }.contains("--deltas"))
        XCTAssertTrue(message { _ = try self.feature(MFCCFeature.self, ["deltas": "1", "delta_width": "4"]) }.contains("--delta-width"))
        let short = try wav([tone(2000, 440, rate: 16000)], rate: 16000, "short.wav")   // 4 frames at hop 512
        let why = message { _ = try self.feature(MFCCFeature.self, ["deltas": "1"]).extract(path: short) }
        XCTAssertTrue(why.contains(short) && why.contains("--delta-width"), why)
    }

    func testDbFlagGivesPowerToDbWithTopDb() throws {
        let path = try wav([tone(8000, 500, rate: 16000)], rate: 16000, "t.wav")
        let lin = try array(feature(MelSpectrogramFeature.self, ["n_mels": "32"]).extract(path: path))
        let db = try array(feature(MelSpectrogramFeature.self, ["n_mels": "32", "db": "true", "top_db": "50"]).extract(path: path))
        let ref = try Decibels.power(ref: .value(1), amin: 1e-10, topDb: 50).converted(lin)
        XCTAssertLessThan(db.maxAbsDifference(ref), 1e-3)
        XCTAssertEqual(db.max - db.min, 50, accuracy: 1e-3)
    }

    func testResamplingOptionChangesTheWorkingRate() throws {
        let path = try wav([tone(32000, 300, rate: 32000)], rate: 32000, "t32.wav")
        let out = try array(feature(SpectrogramFeature.self, ["sr": "16000", "n_fft": "512", "hop_length": "160"]).extract(path: path))
        XCTAssertEqual(out.shape, [257, 1 + 16000 / 160])
    }

    func testBadOptionsGiveOneMessageNamingTheOption() throws {
        let short = try wav([tone(700, 300, rate: 11025)], rate: 11025, "short.wav")
        let cases: [(any FeatureExtractor.Type, [String: Value], String)] = [
            (SpectrogramFeature.self, ["n_fft": "0"], "--n-fft"),
            (SpectrogramFeature.self, ["n_fft": "-8"], "--n-fft"),
            (SpectrogramFeature.self, ["hop_length": "0"], "--hop-length"),
            (SpectrogramFeature.self, ["n_fft": "512", "win_length": "513"], "--win-length"),
            (SpectrogramFeature.self, ["window": "kaiser"], "--window"),
            (SpectrogramFeature.self, ["power": "0"], "--power"),
            (MelSpectrogramFeature.self, ["fmin": "4000", "fmax": "3000"], "--fmin"),
            (MelSpectrogramFeature.self, ["fmin": "2000", "fmax": "2000"], "--fmin"),
            (MelSpectrogramFeature.self, ["n_mels": "0"], "--n-mels"),
            (MelSpectrogramFeature.self, ["n_mels": "100000000"], "--n-mels"),
            (SpectrogramFeature.self, ["sr": "0"], "--sr"),
            (SpectrogramFeature.self, ["sr": "99999999999"], "--sr"),
            (SpectrogramFeature.self, ["n_fft": "999999999999"], "--n-fft"),
            (SpectrogramFeature.self, ["center": "maybe"], "--center"),
            (SpectrogramFeature.self, ["pad_mode": "wrap"], "--pad-mode"),
            (MelSpectrogramFeature.self, ["db": "true", "top_db": "-3"], "--top-db"),
            (MFCCFeature.self, ["n_mfcc": "200"], "--n-mfcc"),
            (MFCCFeature.self, ["dct_type": "5"], "--dct-type"),
            (MFCCFeature.self, ["lifter": "-1"], "--lifter"),
        ]
        for (type, values, flag) in cases {
            let m = message { _ = try feature(type, values) }
            XCTAssertTrue(m.hasPrefix(flag + ":"), "\(values): \(m)")
            XCTAssertFalse(m.contains("\n"))
        }
        // Errors that need the file: fmax above sr/2, too short for an uncentred frame.
        let m1 = message { _ = try feature(MelSpectrogramFeature.self, ["fmax": "8000"]).extract(path: short) }
        XCTAssertTrue(m1.hasPrefix("--fmax:"), m1)
        let m2 = message { _ = try feature(SpectrogramFeature.self, ["center": "false"]).extract(path: short) }
        XCTAssertTrue(m2.hasPrefix("--n-fft:"), m2)
        // The same short file is fine with centring (librosa warns and pads).
        XCTAssertEqual(try array(feature(SpectrogramFeature.self, [:]).extract(path: short)).shape, [1025, 2])
    }

    func testEveryFeatureIsRegisteredWithLibrosaOptionNames() throws {
        let names = FeatureRegistry.shared.names
        for n in ["spectrogram", "melspectrogram", "mfcc"] { XCTAssertTrue(names.contains(n), n) }
        let flags = Set(MFCCFeature.parameters.map(\.cliFlag))
        for f in ["--n-fft", "--hop-length", "--win-length", "--window", "--center", "--pad-mode", "--power", "--n-mels",
                  "--fmin", "--fmax", "--htk", "--mel-norm", "--top-db", "--n-mfcc", "--dct-type", "--dct-norm", "--lifter", "--sr"] {
            XCTAssertTrue(flags.contains(f), f)
        }
        XCTAssertTrue(MelSpectrogramFeature.parameters.contains { $0.name == "db" })
    }

    func testPictureIsAReadableImageInTheUnitRange() throws {
        let path = try wav([tone(4000, 700, rate: 16000)], rate: 16000, "p.wav")
        let f = try feature(MelSpectrogramFeature.self, ["n_mels": "40", "db": "true"])
        let out = try f.extract(path: path)
        let img = try XCTUnwrap(try f.picture(of: out, path: path))
        XCTAssertEqual(img.shape[0], 3, "a colour map")
        XCTAssertGreaterThanOrEqual(img.shape[1], 40 * 4, "every mel band at least 4 pixels high")
        XCTAssertGreaterThanOrEqual(img.shape[2], 600)
        XCTAssertGreaterThanOrEqual(img.min, 0)
        XCTAssertLessThanOrEqual(img.max, 1)
    }
}
