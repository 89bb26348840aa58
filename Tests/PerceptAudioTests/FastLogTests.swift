@testable import PerceptAudio
import Foundation
import XCTest

final class FastLogTests: XCTestCase {
    func testFastLogAgreesWithLibmToAboutOneUlp() {
        var x: Float = 1e-30
        var worst: Double = 0
        while x < 1e30 {
            let exact = log(Double(x))
            let d = abs(Double(FastLog.ln(x)) - exact) / Swift.max(1, abs(exact))
            worst = Swift.max(worst, d)
            x *= 1.0137
        }
        XCTAssertLessThan(worst, 2.5e-7)
    }

    func testDecibelsOfTinyAminTakeTheExactPath() throws {
        // amin below the smallest normal float: libm's log10f is used for every element.
        // (Subnormal constants from Double: a Float literal this small draws an underflow warning.)
        let e39 = Float(1e-39 as Double), e40 = Float(1e-40 as Double)
        let db = try Decibels.power(ref: .value(1), amin: e40, topDb: nil)
        let t = db.converted(.init(unchecked: [3], data: [0, e39, 1]))
        XCTAssertEqual(t.storage[2], 0, accuracy: 1e-6)
        XCTAssertEqual(t.storage[1], 10 * log10f(e39), accuracy: 1e-3)
        XCTAssertEqual(t.storage[0], 10 * log10f(e40), accuracy: 1e-3)
    }
}
