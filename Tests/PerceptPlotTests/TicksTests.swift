import PerceptPlot
import XCTest

final class TicksTests: XCTestCase {
    func testTicksAreNiceStepsInsideTheRange() {
        let t = Ticks(from: 0, to: 1.01, maxCount: 6)
        XCTAssertEqual(t.step, 0.2, accuracy: 1e-12)
        XCTAssertEqual(t.values.count, 6)
        XCTAssertEqual(t.values.map(t.label), ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
    }

    func testNegativeDecibelTicksIncludeZero() {
        let t = Ticks(from: -80, to: 0, maxCount: 6)
        XCTAssertEqual(t.values.map(t.label), ["-80", "-60", "-40", "-20", "0"])
    }

    func testNeverMoreThanAskedFor() {
        for span in [0.37, 1.0, 7.9, 8000, 123_456] {
            for n in 2...12 { XCTAssertLessThanOrEqual(Ticks(from: 0, to: span, maxCount: n).values.count, n, "\(span) \(n)") }
        }
    }

    func testIntegerTicksNeverHaveFractions() {
        let t = Ticks(integersFrom: 0, to: 3, maxCount: 12)
        XCTAssertEqual(t.values, [0, 1, 2, 3])
        XCTAssertEqual(t.label(2), "2")
    }
}
