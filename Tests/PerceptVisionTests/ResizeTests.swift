import PerceptCore
import PerceptVision
import XCTest

final class ResizeTests: XCTestCase {
    func testBilinearMatchesOpenCVShrinkingAndEnlarging() throws {
        let img = try fixture("img_23x31")
        assertClose(try Resize.resize(img, height: 17, width: 12), try fixture("resize_linear_17x12"), tol: 1e-5)
        assertClose(try Resize.resize(img, height: 50, width: 45), try fixture("resize_linear_50x45"), tol: 1e-5)
    }

    func testAreaMatchesOpenCVIntegerFractionalAndEnlarging() throws {
        let img = try fixture("img_40x36")
        assertClose(try Resize.resize(img, height: 20, width: 18, method: .area), try fixture("resize_area_20x18"), tol: 1e-5)
        assertClose(try Resize.resize(img, height: 15, width: 11, method: .area), try fixture("resize_area_15x11"), tol: 1e-5)
        assertClose(try Resize.resize(img, height: 55, width: 47, method: .area), try fixture("resize_area_55x47"), tol: 1e-5)
    }

    func testNearestTakesOpenCVsFlooredSourceIndex() throws {
        // cv2.INTER_NEAREST reads column ⌊x · src / dst⌋: 5 → 3 reads 0, 1, 3; 3 → 7 reads 0, 0, 0, 1, 1, 2, 2.
        let row = Tensor(unchecked: [1, 5], data: [10, 11, 12, 13, 14])
        XCTAssertEqual(try Resize.resize(row, height: 1, width: 3, method: .nearest).storage, [10, 11, 13])
        let col = Tensor(unchecked: [3, 1], data: [1, 2, 3])
        XCTAssertEqual(try Resize.resize(col, height: 7, width: 2, method: .nearest).storage, [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3])
    }

    func testRejectsAnEmptyTarget() {
        XCTAssertThrowsError(try Resize.resize(Tensor(shape: [4, 4]), height: 0, width: 2))
    }
}
