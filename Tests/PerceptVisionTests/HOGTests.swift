import Foundation
import PerceptCore
import PerceptVision
import XCTest

final class HOGTests: XCTestCase {
    private func hog35(_ norm: HOG.BlockNorm, sqrt: Bool) throws -> HOG {
        try HOG(orientations: 7, pixelsPerCell: (6, 5), cellsPerBlock: (2, 3), blockNorm: norm, transformSqrt: sqrt)
    }

    func testAllBlockNormsMatchScikitImageWithAndWithoutSqrt() throws {
        let img = try fixture("img_35x43")
        for norm in HOG.BlockNorm.allCases {
            for ts in [false, true] {
                let v = try hog35(norm, sqrt: ts).features(img)
                assertClose(v, try fixture("hog_35x43_\(norm.rawValue)_\(ts ? "sqrt" : "plain")"), tol: 1e-5, "\(norm) sqrt=\(ts)")
            }
        }
    }

    func testDefaultsMatchScikitImage() throws {
        assertClose(try HOG().features(try fixture("img_35x43")), try fixture("hog_35x43_default"), tol: 1e-5)
    }

    func testL2HysMatchesScikitImage() throws {
        // L2 with eps 1e-5, clip at 0.2, renormalise: every value ≤ 0.2 before renormalising.
        let img = try fixture("img_35x43")
        let v = try hog35(.l2Hys, sqrt: false).features(img)
        assertClose(v, try fixture("hog_35x43_L2-Hys_plain"), tol: 1e-5)
        let l2 = try hog35(.l2, sqrt: false).features(img)
        XCTAssertGreaterThan(l2.max, 0.2)   // the clip matters for this image
        XCTAssertNotEqual(v, l2)
    }

    func testGradientIsCentredDifferenceWithZeroedBorderNotSobel() throws {
        let img = try fixture("img_35x43")
        let (gr, gc) = try HOG.gradients(img)
        assertClose(gr, try fixture("hog_grad_row_35x43"), tol: 0)
        assertClose(gc, try fixture("hog_grad_col_35x43"), tol: 0)
        XCTAssertEqual(gr.storage.prefix(43).allSatisfy { $0 == 0 }, true)   // first row zeroed
        XCTAssertEqual((0..<35).allSatisfy { gc[$0, 42] == 0 }, true)          // last column zeroed
    }

    func testCellHistogramsMatchScikitImageKernel() throws {
        let h = try HOG(orientations: 7, pixelsPerCell: (6, 5)).cellHistograms(try fixture("img_35x43"))
        assertClose(h, try fixture("hog_cells_35x43"), tol: 1e-6)
    }

    func testAxisAlignedGradientsLandInScikitImagesBins() throws {
        // With 6 bins, 90° and 0°/180° lie exactly on bin edges; float64 atan2 puts 90° in bin 3, 180° in bin 0.
        let h = try HOG(orientations: 6, pixelsPerCell: (3, 3)).cellHistograms(try fixture("img_axis_12x12"))
        assertClose(h, try fixture("hog_cells_axis_12x12"), tol: 0)
    }

    func testAnglesAHairFrom180DegreesWrapOrVanishAsInScikitImage() throws {
        // atan2(1e-20, −1) rounds to 180° → 0 → bin 0; atan2(−1e-20, 1) mod 180 rounds to 180.0,
        // in no bin, so that pixel is dropped. In-register binning alone would put both in the last bin.
        let h = try HOG(orientations: 9, pixelsPerCell: (4, 5)).cellHistograms(try fixture("img_near180_4x5"))
        assertClose(h, try fixture("hog_cells_near180_4x5"), tol: 0)
        XCTAssertEqual(h[0, 0, 8], 0)
    }

    func testDiagonalTiesOnBinEdgesFollowScikitImagesFloat64Binning() throws {
        // 24 gradients with |g_row| == |g_col| sit exactly on the 45°/135° edges of 4 and 8 bins.
        let img = try fixture("img_quantized_16x16")
        for n in [4, 8] {
            let h = try HOG(orientations: n, pixelsPerCell: (4, 4)).cellHistograms(img)
            assertClose(h, try fixture("hog_cells_quantized_16x16_o\(n)"), tol: 1e-7, "\(n) bins")
        }
    }

    func testSpectrogramShapedTensorsAreImages() throws {
        // [1, mels, frames] is one plane: same features as the [H, W] view of the same values.
        let img = try fixture("img_35x43")
        let one = try img.reshaped([1, 35, 43])
        XCTAssertEqual(try HOG().features(one), try HOG().features(img))
        XCTAssertEqual(try Sobel.gx(one).storage, try Sobel.gx(img).storage)
        XCTAssertEqual(try Pyramid.down(one).shape, [1, 18, 22])
    }

    /// scikit-image's `hog_histograms` written out plainly (float64 atan2, hard bins, float32 totals).
    private func naiveCells(_ img: Tensor, orientations n: Int, cell: (Int, Int)) throws -> Tensor {
        let (gr, gc) = try HOG.gradients(img)
        let h = img.shape[0], w = img.shape[1], nr = h / cell.0, nc = w / cell.1
        var out = Tensor(shape: [nr, nc, n])
        let per = 180.0 / Double(n)
        for r in 0..<nr {
            for c in 0..<nc {
                for o in 0..<n {
                    var total: Float = 0
                    for y in (r * cell.0)..<((r + 1) * cell.0) {
                        for x in (c * cell.1)..<((c + 1) * cell.1) {
                            let gy = Double(gr[y, x]), gx = Double(gc[y, x])
                            var t = fmod(atan2(gy, gx) * (180 / Double.pi), 180)
                            if t < 0 { t += 180 } else if t == 0 { t = 0 }
                            if t < per * Double(o + 1) && t >= per * Double(o) {
                                total = Float(Double(total) + (gx * gx + gy * gy).squareRoot())
                            }
                        }
                    }
                    out[r, c, o] = total / Float(cell.0 * cell.1)
                }
            }
        }
        return out
    }

    func testFastBinningAgreesWithPlainFloat64BinningOnRandomImages() throws {
        // Random float images and 8-bit-quantised ones (many exact ties), 1 to 12 orientations.
        var rng = RandomStream(seed: 11)
        for trial in 0..<24 {
            let h = 9 + trial % 5, w = 10 + trial % 7
            let quantised = trial % 2 == 0
            let img = Tensor(unchecked: [h, w], data: (0..<(h * w)).map { _ in
                quantised ? Float(rng.int(below: 5) * 51) / 255 : rng.uniform()
            })
            let n = 1 + trial % 12
            let fast = try HOG(orientations: n, pixelsPerCell: (3, 4)).cellHistograms(img)
            assertClose(fast, try naiveCells(img, orientations: n, cell: (3, 4)), tol: 1e-6, "trial \(trial), \(n) bins")
        }
    }

    func testCellsSumInFloat32ThenDivideByArea() throws {
        // One gradient of 2^26 first, then gradients of 1: float32 sums lose the ones, float64 would not.
        let h = try HOG(orientations: 9, pixelsPerCell: (6, 6)).cellHistograms(try fixture("img_float32_sum_6x6"))
        let expected = try fixture("hog_cells_float32_sum_6x6")
        XCTAssertEqual(h.storage, expected.storage)
        XCTAssertEqual(h[0, 0, 0], Float(1 << 27) / 36)   // not (2^27 + 2) / 36
    }

    func testOnlyWholeCellsCount() throws {
        // 35 × 43 with 6 × 5 cells uses rows 0..<30 and columns 0..<40. Pixels beyond row 30 / column 40
        // only matter through the gradient of their neighbours inside.
        var img = try fixture("img_35x43")
        let hog = try hog35(.l1, sqrt: false)
        let before = try hog.features(img)
        for y in 31..<35 { for x in 0..<43 { img[y, x] = 0.9 } }
        for y in 0..<35 { for x in 41..<43 { img[y, x] = 0.1 } }
        XCTAssertEqual(try hog.features(img), before)
        img[30, 3] = 0.0   // row 30 feeds the gradient of row 29
        XCTAssertNotEqual(try hog.features(img), before)
    }

    func testBlocksSlideByOneCell() throws {
        let hog = try hog35(.l1, sqrt: false)
        let g = try hog.geometry(height: 35, width: 43)
        XCTAssertEqual([g.cellRows, g.cellCols, g.blockRows, g.blockCols], [5, 8, 4, 6])
        XCTAssertEqual(g.featureCount, 4 * 6 * 2 * 3 * 7)
        // Block (0, 1) starts one cell to the right of block (0, 0): its first two cells (before
        // normalisation) are cells (0, 1) and (0, 2).
        let cells = try HOG(orientations: 7, pixelsPerCell: (6, 5)).cellHistograms(try fixture("img_35x43"))
        let v = try hog.features(try fixture("img_35x43"))
        let blockLen = 2 * 3 * 7
        let block01 = Array(v.storage[blockLen..<(2 * blockLen)])
        let l1 = (0..<2).flatMap { r in (1..<4).flatMap { c in (0..<7).map { cells[r, c, $0] } } }
        let s = l1.reduce(0) { $0 + abs($1) } + 1e-5
        for (a, b) in zip(block01, l1.map { $0 / s }) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    func testTooSmallImageRaisesScikitImagesSentence() throws {
        let hog = try HOG(pixelsPerCell: (8, 8), cellsPerBlock: (3, 3))
        XCTAssertThrowsError(try hog.features(Tensor(shape: [23, 40]))) { error in
            XCTAssertEqual((error as? PerceptError)?.description,
                           "image: The input image is too small given the values of pixels_per_cell and cells_per_block. "
                           + "It should have at least: 24 rows and 24 cols.")
        }
    }

    func testColourPicksTheStrongestChannelPerPixel() throws {
        let v = try HOG(pixelsPerCell: (6, 6), cellsPerBlock: (2, 2)).features(try fixture("img_rgb_3x30x26"))
        assertClose(v, try fixture("hog_rgb_30x26"), tol: 1e-5)
    }

    func testVisualizationMatchesScikitImage() throws {
        let vis = try HOG(pixelsPerCell: (8, 8), cellsPerBlock: (2, 2)).visualization(try fixture("img_35x43"))
        assertClose(vis, try fixture("hog_vis_35x43"), tol: 1e-5)
    }

    func testBatchEqualsOneByOne() throws {
        let img = try fixture("img_35x43")
        let batch = try Tensor.stack([img, img.map { $0 * $0 }, img.map { 1 - $0 }])
        let hog = try hog35(.l2Hys, sqrt: true)
        let all = try hog.features(batch: batch)
        for i in 0..<3 { XCTAssertEqual(all.slice(i), try hog.features(batch.slice(i))) }
    }

    func testMultiScaleConcatenatesPyramidLevels() throws {
        let img = try fixture("img_35x43")
        let hog = try HOG(pixelsPerCell: (4, 4), cellsPerBlock: (2, 2))
        let levels = try Pyramid.gaussian(img, levels: 2)
        let expected = try hog.features(levels[0]).storage + hog.features(levels[1]).storage
        XCTAssertEqual(try hog.multiScale(img, levels: 2).storage, expected)
        XCTAssertThrowsError(try hog.multiScale(img, levels: 4))   // level 3 is 5 × 6: no 8 × 8 block
    }

    func testRejectsNonPositiveParameters() {
        XCTAssertThrowsError(try HOG(orientations: 0))
        XCTAssertThrowsError(try HOG(pixelsPerCell: (0, 8)))
        XCTAssertThrowsError(try HOG(cellsPerBlock: (2, 0)))
    }
}
