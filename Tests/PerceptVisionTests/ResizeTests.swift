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

    func testRejectsAnEmptyTarget() {
        XCTAssertThrowsError(try Resize.resize(Tensor(shape: [4, 4]), height: 0, width: 2))
    }
}
