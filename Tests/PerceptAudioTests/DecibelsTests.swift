import PerceptAudio
import PerceptCore
import XCTest

final class DecibelsTests: XCTestCase {
    func testPowerAndAmplitudeToDbMatchLibrosa() throws {
        let cases = try Fixtures.cases("db")
        XCTAssertEqual(cases.count, 6)
        for c in cases {
            let ref: Decibels.Reference = c.string("ref") == "max" ? .max : .value(Float(try XCTUnwrap(c.double("ref"))))
            let amin = Float(try XCTUnwrap(c.double("amin")))
            let top = c.double("top_db").map { Float($0) }
            let db = c.string("scale") == "power"
                ? try Decibels.power(ref: ref, amin: amin, topDb: top)
                : try Decibels.amplitude(ref: ref, amin: amin, topDb: top)
            assertClose(db.converted(try c.tensor("input")), try c.expected(), tol: c.tol, c.id)
        }
    }

    func testInvalidAminAndTopDbAreRejected() {
        XCTAssertThrowsError(try Decibels.power(amin: 0))
        XCTAssertThrowsError(try Decibels.power(topDb: -1))
    }
}
