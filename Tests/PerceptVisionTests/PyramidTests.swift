import PerceptCore
import PerceptVision
import XCTest

final class PyramidTests: XCTestCase {
    func testDownChainMatchesPyrDownOnOddSizes() throws {
        let levels = try Pyramid.gaussian(try fixture("img_37x29"), levels: 4)
        XCTAssertEqual(levels.map(\.shape), [[37, 29], [19, 15], [10, 8], [5, 4]])
        for i in 1..<4 { assertClose(levels[i], try fixture("pyrdown_37x29_level\(i)"), tol: 1e-5, "level \(i)") }
    }

    func testDownWithOtherBordersMatchesOpenCV() throws {
        let img = try fixture("img_37x29")
        for b in [BorderMode.reflect, .replicate] {
            assertClose(try Pyramid.down(img, border: b), try fixture("pyrdown_37x29_\(b.rawValue)"), tol: 1e-5, b.rawValue)
        }
    }

    func testDownIsBlurThenEvenSamplesForEveryBorderAndWidth() throws {
        // Widths around the vector loop's reach (16 + 2), odd and even, against a plain separable blur.
        var rng = RandomStream(seed: 3)
        let k: [Float] = [1, 4, 6, 4, 1].map { $0 / 16 }
        for w in [1, 2, 5, 17, 18, 19, 36, 53] {
            let h = 7
            let img = Tensor(unchecked: [h, w], data: (0..<(h * w)).map { _ in rng.uniform() })
            for b in BorderMode.allCases {
                let blurred = try Convolution.separable(img, rowKernel: k, columnKernel: k, border: b)
                let down = try Pyramid.down(img, border: b)
                XCTAssertEqual(down.shape, [(h + 1) / 2, (w + 1) / 2])
                for y in 0..<down.shape[0] {
                    for x in 0..<down.shape[1] {
                        XCTAssertEqual(down[y, x], blurred[2 * y, 2 * x], accuracy: 1e-6, "w \(w) \(b) (\(y), \(x))")
                    }
                }
            }
        }
    }

    func testUpMatchesPyrUp() throws {
        let g1 = try fixture("pyrdown_37x29_level1")
        assertClose(try Pyramid.up(g1, height: 37, width: 29), try fixture("pyrup_19x15_to_37x29"), tol: 1e-5)
        assertClose(try Pyramid.up(g1), try fixture("pyrup_19x15_to_38x30"), tol: 1e-5)
        assertClose(try Pyramid.up(g1, height: 39, width: 31), try fixture("pyrup_19x15_to_39x31"), tol: 1e-5)
        XCTAssertThrowsError(try Pyramid.up(g1, height: 40, width: 30))
    }

    func testLaplacianReconstructsTheImage() throws {
        let img = try fixture("img_37x29")
        let l = try Pyramid.laplacian(img, levels: 4)
        XCTAssertEqual(l.map(\.shape), [[37, 29], [19, 15], [10, 8], [5, 4]])
        assertClose(try Pyramid.reconstruct(l), img, tol: 1e-5)
    }

    func testLevelsMustFitTheImage() throws {
        XCTAssertEqual(Pyramid.maxLevels(height: 44, width: 60), 7)
        XCTAssertEqual(Pyramid.maxLevels(height: 1, width: 60), 7)
        XCTAssertEqual(Pyramid.maxLevels(height: 1, width: 1), 1)
        let img = Tensor(shape: [44, 60])
        XCTAssertThrowsError(try Pyramid.gaussian(img, levels: 0))
        XCTAssertThrowsError(try Pyramid.gaussian(img, levels: 8))
        XCTAssertEqual(try Pyramid.gaussian(img, levels: 7).last?.shape, [1, 1])
    }

    func testScaleSpaceBlursMonotonicallyWithSiftSigmas() throws {
        let img = try fixture("img_37x29")
        let ss = try Pyramid.scaleSpace(img, octaves: 2, scales: 3)
        XCTAssertEqual(ss.images.count, 2)
        XCTAssertEqual(ss.images[0].count, 6)
        XCTAssertEqual(ss.images[1][0].shape, [19, 15])
        XCTAssertEqual(ss.sigmas[0][3], 3.2, accuracy: 1e-12)
        XCTAssertEqual(ss.sigmas[1][0], 3.2, accuracy: 1e-12)
        // More blur, less variance.
        func variance(_ t: Tensor) -> Float {
            let m = t.sum / Float(t.count)
            return t.storage.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Float(t.count)
        }
        let v = ss.images[0].map(variance)
        for i in 1..<v.count { XCTAssertLessThan(v[i], v[i - 1]) }
    }
}
