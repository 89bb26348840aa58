import PerceptAudio
import PerceptCore
import XCTest

final class WindowTests: XCTestCase {
    func testWindowsMatchScipyGetWindowPeriodicAndSymmetric() throws {
        let cases = try Fixtures.cases("window")
        XCTAssertEqual(cases.count, 32)
        for c in cases {
            let w = try XCTUnwrap(Window(name: c.string("window") ?? ""), c.id)
            let n = try XCTUnwrap(c.int("length"))
            let v = w.values(length: n, periodic: c.bool("periodic") ?? true)
            assertClose(Tensor(unchecked: [n], data: v), try c.expected(), tol: c.tol, c.id)
        }
    }

    func testCenteredWindowIsZeroPaddedLikeLibrosaPadCenter() throws {
        let w = try Window.hann.centered(length: 5, size: 10)
        XCTAssertEqual(w.count, 10)
        // (10 - 5) / 2 = 2 zeros on the left, 3 on the right.
        XCTAssertEqual(Array(w[0..<2]), [0, 0])
        XCTAssertEqual(Array(w[7..<10]), [0, 0, 0])
        XCTAssertEqual(Array(w[2..<7]), Window.hann.values(length: 5))
    }

    func testCenteringAWindowLongerThanTheFrameIsAnInvalidArgument() {
        for length in [11, -1] {
            XCTAssertThrowsError(try Window.hann.centered(length: length, size: 10), "\(length)") { error in
                XCTAssertEqual((error as? PerceptError)?.field, "win_length")
            }
        }
    }

    func testUnknownWindowNameIsRejected() {
        XCTAssertNil(Window(name: "kaiserish"))
        XCTAssertEqual(Window(name: "boxcar"), .rectangular)
    }
}
