import Foundation
import PerceptAudio
import PerceptAugment
import PerceptCore
import PerceptIO
import XCTest

final class AudioStageTests: XCTestCase {
    let sr = 16000

    func clip(_ y: [Float], channels: Int = 1) throws -> Sample {
        try Sample(audio: Tensor(unchecked: [channels, y.count / channels], data: y), sampleRate: sr)
    }

    func testGainOfSixDecibelsDoublesAmplitude() throws {
        let y = tone(440, sr: sr, n: 1000, amplitude: 0.25)
        var s = try clip(y)
        try make(Gain.self).apply(.init(gainDb: 20 * Float(log10(2.0))), to: &s)
        for i in 0..<y.count { XCTAssertEqual(s.data.storage[i], 2 * y[i], accuracy: 1e-6) }
        let (p, _) = try drawApply(make(Gain.self, ["min_gain_db": "-3", "max_gain_db": "-1"]), try clip(y))
        XCTAssertTrue((-3 ... -1).contains(p.gainDb))
    }

    func testGaussianNoiseReachesTheDrawnSNR() throws {
        let y = tone(300, sr: sr, n: 16000) + tone(310, sr: sr, n: 16000, amplitude: 0.1)
        let stage = try make(AddGaussianSNR.self, ["min_snr_db": "5", "max_snr_db": "25"])
        for seed in 0..<5 {
            let (p, out) = try drawApply(stage, try clip(y, channels: 2), seed: UInt64(seed))
            let noise = zip(out.data.storage, y).map { Double($0 - $1) }
            let ps = y.map { Double($0) * Double($0) }.reduce(0, +), pn = noise.map { $0 * $0 }.reduce(0, +)
            XCTAssertEqual(10 * log10(ps / pn), Double(p.snrDb), accuracy: 0.15)
        }
        var silent = try clip([Float](repeating: 0, count: 100))
        try stage.apply(.init(snrDb: 10, seed: 1), to: &silent)
        XCTAssertEqual(silent.data.max, 0, "silence stays silent")
    }

    func testBackgroundNoiseFromAFolderAtTheDrawnSNR() throws {
        let dir = NSTemporaryDirectory() + "percept-noise-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var rng = RandomStream(seed: 4)
        let noise = (0..<3000).map { _ in rng.uniform(-0.3, 0.3) }
        try AudioFile.write(Tensor(unchecked: [1, 3000], data: noise), sampleRate: 8000, to: dir + "/sub/hum.wav", format: .wavFloat)
        let stage = try make(AddBackgroundNoise.self, ["sounds_path": .of(dir), "min_snr_db": "6", "max_snr_db": "12"])
        let y = tone(200, sr: sr, n: 16000)
        let (p, out) = try drawApply(stage, try clip(y), seed: 3)
        XCTAssertEqual(p.file, "sub/hum.wav")
        let added = zip(out.data.storage, y).map { Double($0 - $1) }
        let ps = y.map { Double($0) * Double($0) }.reduce(0, +), pn = added.map { $0 * $0 }.reduce(0, +)
        XCTAssertEqual(10 * log10(ps / pn), Double(p.snrDb), accuracy: 0.01)
        assertInvalid("add_background_noise.sounds_path", "no audio files") {
            let empty = dir + "/sub/none"
            try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
            _ = try make(AddBackgroundNoise.self, ["sounds_path": .of(empty)])
        }
    }

    func testShiftRollsOrPads() throws {
        let y: [Float] = (1...10).map(Float.init)
        var r = try clip(y)
        try make(Shift.self).apply(.init(samples: 3), to: &r)
        XCTAssertEqual(r.data.storage, [8, 9, 10, 1, 2, 3, 4, 5, 6, 7])
        var l = try clip(y)
        try make(Shift.self).apply(.init(samples: -12), to: &l)
        XCTAssertEqual(l.data.storage, [3, 4, 5, 6, 7, 8, 9, 10, 1, 2])
        var pad = try clip(y + y, channels: 2)
        try make(Shift.self, ["rollover": "false"]).apply(.init(samples: -4), to: &pad)
        XCTAssertEqual(pad.data.storage, [5, 6, 7, 8, 9, 10, 0, 0, 0, 0, 5, 6, 7, 8, 9, 10, 0, 0, 0, 0])
        let (p, _) = try drawApply(make(Shift.self, ["min_shift": "0.1", "max_shift": "0.2", "shift_unit": "seconds"]), try clip(tone(1, sr: sr, n: 100)))
        XCTAssertTrue((1600...3200).contains(p.samples))
    }

    func testPolarityInversionNegates() throws {
        let y = tone(100, sr: sr, n: 50)
        var s = try clip(y)
        try make(PolarityInversion.self).apply(.init(), to: &s)
        XCTAssertEqual(s.data.storage, y.map { -$0 })
    }

    /// Frequency of the strongest bin of a long FFT of the middle of `y`.
    func peakFrequency(_ y: [Float]) throws -> Double {
        let stft = try STFT(nFFT: 4096, hopLength: 4096, center: false)
        let mid = Array(y[(y.count / 2 - 2048)..<(y.count / 2 + 2048)])
        let p = try stft.spectrogram(mid)
        let k = (0..<p.shape[0]).max { p[$0, 0] < p[$1, 0] } ?? 0
        return Double(k) * Double(sr) / 4096
    }

    func testTimeStretchChangesLengthByOneOverRateAndKeepsPitch() throws {
        let y = tone(500, sr: sr, n: 16000)
        let stage = try make(TimeStretch.self, ["leave_length_unchanged": "false"])
        for rate: Float in [0.8, 1.25, 2] {
            var s = try clip(y)
            try stage.apply(.init(rate: rate), to: &s)
            XCTAssertEqual(s.data.shape[1], Int((16000 / Double(rate)).rounded()))
            XCTAssertEqual(try peakFrequency(s.data.storage), 500, accuracy: 8)
        }
        var kept = try clip(y)
        try make(TimeStretch.self).apply(.init(rate: 1.25), to: &kept)
        XCTAssertEqual(kept.data.shape, [1, 16000])
    }

    func testPitchShiftKeepsLengthAndMovesTheTonesPeak() throws {
        let y = tone(440, sr: sr, n: 16000)
        let stage = try make(PitchShift.self)
        for (steps, expected) in [(Float(12), 880.0), (-12, 220), (7, 440 * pow(2, 7.0 / 12))] {
            var s = try clip(y)
            try stage.apply(.init(semitones: steps), to: &s)
            XCTAssertEqual(s.data.shape, [1, 16000])
            XCTAssertEqual(try peakFrequency(s.data.storage), expected, accuracy: 8, "\(steps) semitones")
        }
    }
}
