import PerceptCore
import PerceptVision
import XCTest

final class SobelTests: XCTestCase {
    func testGradientsMatchOpenCVForEveryBorder() throws {
        let img = try fixture("img_23x31")
        for b in BorderMode.allCases {
            let g = try Sobel.gradients(img, border: b)
            assertClose(g.gx, try fixture("sobel_gx_\(b.rawValue)"), tol: 1e-5, "gx \(b)")
            assertClose(g.gy, try fixture("sobel_gy_\(b.rawValue)"), tol: 1e-5, "gy \(b)")
        }
    }

    func testSlidesKernelAsConvolutionIsOpenCVsDx1() throws {
        let img = try fixture("img_23x31")
        assertClose(try Convolution.convolve(img, kernel: Sobel.slidesKernel), try fixture("sobel_gx_reflect101"), tol: 1e-5)
        let transposed = Tensor(unchecked: [3, 3], data: [1, 2, 1, 0, 0, 0, -1, -2, -1])
        assertClose(try Convolution.convolve(img, kernel: transposed), try fixture("sobel_gy_reflect101"), tol: 1e-5)
    }

    func testImagesSmallerThanTheKernelMatchOpenCV() throws {
        let tiny = try fixture("tiny_2x3")
        assertClose(try Sobel.gx(tiny, border: .reflect), try fixture("sobel_gx_tiny_reflect"), tol: 1e-6)
        assertClose(try Sobel.gy(tiny), try fixture("sobel_gy_tiny_reflect101"), tol: 1e-6)
    }

    func testSingleRowsAndColumnsMatchOpenCVForEveryBorder() throws {
        for tag in ["1x7", "5x1"] {
            let line = try fixture("line_\(tag)")
            for b in BorderMode.allCases {
                let g = try Sobel.gradients(line, border: b)
                assertClose(g.gx, try fixture("sobel_gx_\(tag)_\(b.rawValue)"), tol: 1e-6, "gx \(tag) \(b)")
                assertClose(g.gy, try fixture("sobel_gy_\(tag)_\(b.rawValue)"), tol: 1e-6, "gy \(tag) \(b)")
            }
        }
    }

    func testScharrMatchesOpenCV() throws {
        let s = try Sobel.scharr(try fixture("img_23x31"))
        assertClose(s.gx, try fixture("scharr_gx"), tol: 1e-5)
        assertClose(s.gy, try fixture("scharr_gy"), tol: 1e-5)
    }

    func testFusedMagnitudeEqualsHypotOfGradients() throws {
        let g = try Sobel.gradients(try fixture("img_23x31"), magnitude: true)
        let m = try XCTUnwrap(g.magnitude)
        assertClose(m, try Sobel.magnitude(gx: g.gx, gy: g.gy), tol: 1e-6)
    }

    func testMagnitudeAloneIsTheFusedMagnitudeBitForBitOnEveryBorderAndThreadCount() throws {
        var rng = RandomStream(seed: 3)
        // 3 planes of 70 × 1000: several row chunks a thread, the 8-wide loop and its tail.
        let img = Tensor(unchecked: [3, 70, 1000], data: (0..<210_000).map { _ in rng.uniform() })
        for border in [BorderMode.reflect101, .replicate, .constant] {
            let fused = try XCTUnwrap(Sobel.gradients(img, border: border, magnitude: true).magnitude)
            for threads in [1, 2, 3] {
                let alone = try Parallel.withThreads(threads) { try Sobel.magnitude(of: img, border: border) }
                XCTAssertEqual(alone.shape, fused.shape)
                XCTAssertEqual(alone.storage, fused.storage, "\(border), \(threads) threads")
            }
        }
    }

    func testDirectionIsAtan2OfGyAndGx() throws {
        let gx = Tensor(unchecked: [1, 4], data: [1, 0, -1, -1]), gy = Tensor(unchecked: [1, 4], data: [0, 1, 0, -1e-9])
        let d = try Sobel.direction(gx: gx, gy: gy)
        assertClose(d, Tensor(unchecked: [1, 4], data: [0, .pi / 2, .pi, -.pi]), tol: 1e-6)
    }

    func testWideImagesUseTheVectorPathIdentically() throws {
        // 1 × 37 rows exercise the 8-wide loop, its tail and both edge columns.
        var rng = RandomStream(seed: 7)
        let img = Tensor(unchecked: [3, 37], data: (0..<111).map { _ in rng.uniform() })
        let k = Tensor(unchecked: [3, 3], data: [-1, 0, 1, -2, 0, 2, -1, 0, 1])
        for b in BorderMode.allCases {
            assertClose(try Sobel.gx(img, border: b), try Convolution.correlate(img, kernel: k, border: b), tol: 1e-6, b.rawValue)
        }
    }
}
