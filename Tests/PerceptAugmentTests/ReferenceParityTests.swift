import PerceptAugment
import PerceptCore
import PerceptIO
import XCTest

/// time_stretch and pitch_shift against librosa.effects (fixtures from Fixtures/generate.py).
final class LibrosaParityTests: XCTestCase {
    func fixture(_ name: String) throws -> [Float] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name).npy")
        return try Npy.loadTensor(url.path).storage
    }

    func input() throws -> Sample {
        let y = try fixture("pv_input")
        return try Sample(audio: Tensor(unchecked: [1, y.count], data: y), sampleRate: 16000)
    }

    func assertClose(_ got: [Float], _ want: [Float], _ tol: Float, _ what: String) {
        XCTAssertEqual(got.count, want.count, what)
        let err = zip(got, want).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThan(err, tol, "\(what): max abs error \(err)")
    }

    func testTimeStretchMatchesLibrosa() throws {
        let stage = try make(TimeStretch.self, ["leave_length_unchanged": "false"])
        for (rate, name) in [(Float(1.25), "time_stretch_1.25"), (0.8, "time_stretch_0.8")] {
            var s = try input()
            try stage.apply(.init(rate: rate), to: &s)
            assertClose(s.data.storage, try fixture(name), 1e-5, name)
        }
    }

    func testPitchShiftMatchesLibrosa() throws {
        let stage = try make(PitchShift.self)
        for (steps, name) in [(Float(3), "pitch_shift_3"), (-5, "pitch_shift_-5")] {
            var s = try input()
            try stage.apply(.init(semitones: steps), to: &s)
            assertClose(s.data.storage, try fixture(name), 1e-4, name)   // soxr at a ratio rounded to 1e-6
        }
    }
}

/// rotate against cv2.warpAffine with getRotationMatrix2D (albumentations' Rotate).
final class OpenCVParityTests: XCTestCase {
    func testRotateMatchesWarpAffine() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        let input = try Npy.loadTensor(dir.appendingPathComponent("rotate_input.npy").path)
        for (angle, border) in [(Float(17.5), "constant"), (-33, "reflect_101")] {
            let want = try Npy.loadTensor(dir.appendingPathComponent("rotate_\(border).npy").path)
            var s = try Sample(image: input)
            try make(Rotate.self, ["border_mode": .of(border)]).apply(.init(angle: angle), to: &s)
            let diff = zip(s.data.storage, want.storage).map { abs($0 - $1) }
            // OpenCV rounds sample positions to 1/32 pixel; the smooth image keeps that below 1e-2.
            XCTAssertLessThan(diff.max() ?? 1, 1e-2, border)
            XCTAssertLessThan(diff.reduce(0, +) / Float(diff.count), 2e-3, border)
        }
    }
}

/// color_jitter's hue against albumentations' adjust_hue_torchvision (cv2 float RGB↔HSV).
final class HueParityTests: XCTestCase {
    func testHueShiftMatchesAlbumentationsOnFloatImages() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        let input = try Npy.loadTensor(dir.appendingPathComponent("hue_input.npy").path)
        let stage = try make(ColorJitter.self, ["hue": "0.5"])
        for (factor, name) in [(Float(0.1), "0.1"), (-0.3, "-0.3"), (0.5, "0.5")] {
            let want = try Npy.loadTensor(dir.appendingPathComponent("hue_\(name).npy").path)
            var s = try Sample(image: input)
            try stage.apply(.init(brightness: 1, contrast: 1, saturation: 1, hue: factor, order: [3]), to: &s)
            let err = zip(s.data.storage, want.storage).map { abs($0 - $1) }.max() ?? 1
            XCTAssertLessThan(err, 1e-5, "hue \(name): max abs error \(err)")
        }
    }
}
