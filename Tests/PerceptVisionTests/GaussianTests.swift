import PerceptCore
import PerceptVision
import XCTest

final class GaussianTests: XCTestCase {
    func testKernelsMatchGetGaussianKernel() throws {
        for (n, sigma) in [(5, 1.1), (7, 0.0), (3, 0.0), (9, 2.5)] {
            let k = try Gaussian.kernel(size: n, sigma: sigma)
            assertClose(Tensor(unchecked: [n], data: k.map { Float($0) }), try fixture("gauss_kernel_\(n)_\(sigma)"), tol: 1e-7, "\(n) \(sigma)")
        }
    }

    func testKernelSizeFromSigmaAsOpenCVForFloatImages() {
        XCTAssertEqual(Gaussian.kernelSize(sigma: 1.3), 11)
        XCTAssertEqual(Gaussian.kernelSize(sigma: 0.5), 5)
        XCTAssertEqual(Gaussian.kernelSize(sigma: 1.6), 15)
    }

    func testBlurMatchesGaussianBlur() throws {
        let img = try fixture("img_23x31")
        assertClose(try Gaussian.blur(img, sigma: 1.3), try fixture("gauss_blur_sigma1.3"), tol: 1e-5)
        assertClose(try Gaussian.blur(img, sigma: 0, size: 5), try fixture("gauss_blur_k5"), tol: 1e-5)
    }

    func testRejectsEvenSizesAndMissingSigma() {
        XCTAssertThrowsError(try Gaussian.blur(Tensor(shape: [4, 4]), sigma: 0, size: 4))
        XCTAssertThrowsError(try Gaussian.blur(Tensor(shape: [4, 4]), sigma: 0))
    }
}
