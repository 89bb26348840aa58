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

    func testTopDbFloorOnALongOutputIsTheSameForAnyThreadCount() throws {
        // 1.2 M values: several chunks, with the peak in the last one.
        let n = 1_200_000
        var data = (0..<n).map { Float(($0 * 7919) % 1000) * 1e-3 + 1e-6 }
        data[n - 3] = 50
        let input = Tensor(unchecked: [1, n], data: data)
        let plain = try Decibels.power(topDb: nil).converted(input)
        let floor = plain.max - 80
        for threads in [1, 2, 3] {
            let got = try Parallel.withThreads(threads) { try Decibels.power(topDb: 80).converted(input) }
            XCTAssertEqual(got.storage, plain.storage.map { Swift.max($0, floor) }, "threads \(threads)")
        }
    }

    func testInvalidAminAndTopDbAreRejected() {
        XCTAssertThrowsError(try Decibels.power(amin: 0))
        XCTAssertThrowsError(try Decibels.power(topDb: -1))
    }
}
