import PerceptAudio
import PerceptCore
import XCTest

final class DeltaTests: XCTestCase {
    func testDeltasMatchLibrosaFeatureDeltaInterpMode() throws {
        let cases = try Fixtures.cases("delta")
        XCTAssertEqual(cases.count, 6)
        for c in cases {
            let d = try Delta.compute(try c.tensor("input"), width: try XCTUnwrap(c.int("width")), order: try XCTUnwrap(c.int("order")))
            assertClose(d, try c.expected(), tol: c.tol, c.id)
        }
    }

    func testDeltaOfALineIsItsSlope() throws {
        let x = Tensor(unchecked: [1, 12], data: (0..<12).map { 3 * Float($0) + 1 })
        let d = try Delta.compute(x, width: 9)
        for v in d.storage { XCTAssertEqual(v, 3, accuracy: 1e-5) }
    }

    func testWidthRulesFollowLibrosa() {
        let x = Tensor(shape: [2, 8])
        XCTAssertThrowsError(try Delta.compute(x, width: 9))     // wider than the data
        XCTAssertThrowsError(try Delta.compute(x, width: 4))     // even
        XCTAssertThrowsError(try Delta.compute(x, width: 5, order: 0))
    }
}
