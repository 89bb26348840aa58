import PerceptCore
import PerceptVision
import XCTest

final class ConvolutionTests: XCTestCase {
    func testCorrelateMatchesFilter2DForEveryBorder() throws {
        let img = try fixture("img_23x31"), k = try fixture("kernel_3x5")
        for b in BorderMode.allCases {
            assertClose(try Convolution.correlate(img, kernel: k, border: b), try fixture("filter2d_\(b.rawValue)"), tol: 1e-5, b.rawValue)
        }
    }

    func testConvolveIsCorrelationWithTheRotatedKernel() throws {
        let img = try fixture("img_23x31"), k = try fixture("kernel_3x5")
        let rotated = Tensor(unchecked: k.shape, data: k.storage.reversed())
        assertClose(try Convolution.convolve(img, kernel: rotated), try fixture("filter2d_reflect101"), tol: 1e-5)
    }

    func testSeparableEqualsTheFullOuterProductKernel() throws {
        let img = try fixture("img_23x31")
        let row: [Float] = [0.5, -1, 2, 0.25], col: [Float] = [1, 3, -2]
        let full = Tensor(unchecked: [3, 4], data: col.flatMap { c in row.map { c * $0 } })
        for b in BorderMode.allCases {
            assertClose(try Convolution.separable(img, rowKernel: row, columnKernel: col, border: b),
                        try Convolution.correlate(img, kernel: full, border: b), tol: 1e-5, b.rawValue)
        }
    }

    func testChannelsAreFilteredIndependently() throws {
        let img = try fixture("img_23x31"), k = try fixture("kernel_3x5")
        let two = try Tensor.stack([img, img.map { 1 - $0 }])
        let out = try Convolution.correlate(two, kernel: k)
        assertClose(out.slice(0), try Convolution.correlate(img, kernel: k), tol: 0)
        assertClose(out.slice(1), try Convolution.correlate(img.map { 1 - $0 }, kernel: k), tol: 0)
    }

    func testRejectsAnEmptyImage() {
        XCTAssertThrowsError(try Convolution.correlate(Tensor(shape: [0, 4]), kernel: Sobel.slidesKernel))
    }
}
