import Foundation
import PerceptAudio
import PerceptCore
import XCTest

final class ResamplerTests: XCTestCase {
    func testResampleLengthAndTone() throws {
        let n = 44100
        let x = (0..<n).map { Float(sin(2 * Double.pi * 1000 * Double($0) / 44100)) }
        let y = try Resampler.resample(x, from: 44100, to: 16000)
        XCTAssertEqual(y.count, 16000)
        // The 1 kHz tone survives: compare with the ideal tone away from the edges.
        var err: Float = 0
        for i in 1000..<15000 { err = max(err, abs(y[i] - Float(sin(2 * Double.pi * 1000 * Double(i) / 16000)))) }
        XCTAssertLessThan(err, 1e-3)
    }

    func testOutputLengthRoundsUpAsLibrosa() throws {
        let y = try Resampler.resample([Float](repeating: 0.25, count: 1001), from: 22050, to: 16000)
        XCTAssertEqual(y.count, 727)   // ceil(1001 · 16000 / 22050) = ceil(726.3)
    }

    func testSameRateAndEmptyInputAreReturnedUnchanged() throws {
        XCTAssertEqual(try Resampler.resample([1, -2, 3], from: 8000, to: 8000), [1, -2, 3])
        XCTAssertEqual(try Resampler.resample([], from: 8000, to: 16000), [])
    }

    func testNonPositiveRatesAreInvalidArguments() {
        for (from, to) in [(0, 16000), (16000, 0), (-1, 8000)] {
            XCTAssertThrowsError(try Resampler.resample([1, 2, 3], from: from, to: to)) { error in
                XCTAssertEqual((error as? PerceptError)?.field, "sr", "\(from) -> \(to)")
            }
        }
    }
}
