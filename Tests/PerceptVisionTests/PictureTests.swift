import PerceptCore
import PerceptVision
import XCTest

final class PictureTests: XCTestCase {
    func testSideBySideLaysPanelsOutWithWhiteGaps() throws {
        let strip = try Picture.sideBySide([[0, 0, 0, 0], [0.5, 0.5, 0.5, 0.5]], height: 2, width: 2, gap: 1)
        XCTAssertEqual(strip.shape, [1, 2, 5])
        XCTAssertEqual(strip.storage, [0, 0, 1, 0.5, 0.5,
                                       0, 0, 1, 0.5, 0.5])
    }

    func testSideBySideRejectsAPanelOfAnotherSize() {
        XCTAssertThrowsError(try Picture.sideBySide([[0, 0, 0, 0], [0, 0, 0]], height: 2, width: 2)) { error in
            guard case let .invalidArgument(field, message)? = error as? PerceptError else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "panels[1]")
            XCTAssertTrue(message.contains("3 values"), message)
        }
        XCTAssertThrowsError(try Picture.sideBySide([], height: -1, width: 2))
    }

    func testRowTopAlignsPlanesOfDifferentSizes() throws {
        let strip = try Picture.row([(height: 2, width: 2, values: [0, 0, 0, 0]), (height: 1, width: 1, values: [0.5])], gap: 1)
        XCTAssertEqual(strip.shape, [1, 2, 4])
        XCTAssertEqual(strip.storage, [0, 0, 1, 0.5,
                                       0, 0, 1, 1])
    }

    func testRowRejectsAPlaneWhoseValuesDoNotFillIt() {
        XCTAssertThrowsError(try Picture.row([(height: 1, width: 1, values: [0]), (height: 2, width: 3, values: [0, 0])])) { error in
            XCTAssertEqual((error as? PerceptError)?.field, "planes[1]")
        }
    }
}
