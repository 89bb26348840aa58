import PerceptCore
import PerceptPlot
@testable import PerceptPipeline
import XCTest

final class ModelPicturesTests: XCTestCase {
    func testFiltersAreCentredOnMidGrayAndEnlarged() {
        // Two 1-channel 2 × 2 filters: [1, 0; 0, -1] and all zeros.
        let w = Tensor(unchecked: [2, 1, 2, 2], data: [1, 0, 0, -1, 0, 0, 0, 0])
        let g = ModelPictures.filterGrid(w, pixelsPerTap: 3, columns: 2)
        XCTAssertEqual(g.shape, [3, 3 * 2 + 2 * ModelPictures.gap, 2 * (3 * 2) + 3 * ModelPictures.gap])
        let gap = ModelPictures.gap, width = g.shape[2]
        XCTAssertEqual([g.storage[0], g.storage[g.count / 3], g.storage[2 * g.count / 3]], ModelPictures.gapBlue, "gaps are not gray")
        XCTAssertEqual(g.storage[gap * width + gap], 1, "the largest weight is white")
        XCTAssertEqual(g.storage[(gap + 5) * width + gap + 5], 0, "the most negative is black")
        XCTAssertEqual(g.storage[(gap + 3) * width + gap], 0.5, "zero is mid gray")
        XCTAssertEqual(g.storage[gap * width + gap + 6 + gap], 0.5, "an all-zero filter is all mid gray")
    }

    func testSmallImagesAreEnlargedWithNearestNeighbours() {
        let digit = Tensor(unchecked: [1, 8, 8], data: (0..<64).map { Float($0) })
        let t = ModelPictures.tile(digit, kind: .image, minSide: 56)
        XCTAssertEqual(t.shape, [1, 56, 56])
        XCTAssertEqual(t.storage[0], 0)
        XCTAssertEqual(t.storage[6], 0, "each source pixel becomes a 7 × 7 block")
        XCTAssertEqual(t.storage[7], Float(1) / 63, accuracy: 1e-6)
    }

    func testSpectrogramTilesAreViridisWithTheLowestBinAtTheBottom() {
        // [1, 2 bins, 3 frames]: bin 0 holds 0s, bin 1 holds 1s.
        let s = Tensor(unchecked: [1, 2, 3], data: [0, 0, 0, 1, 1, 1])
        let t = ModelPictures.tile(s, kind: .spectrogram, minSide: 1)
        XCTAssertEqual(t.shape, [3, 2, 3])
        let top = Colormap.viridis.color(1), bottom = Colormap.viridis.color(0)
        XCTAssertEqual([t.storage[0], t.storage[6], t.storage[12]], [top.r, top.g, top.b], "bin 1 (the largest) on top, yellow")
        XCTAssertEqual([t.storage[3], t.storage[9], t.storage[15]], [bottom.r, bottom.g, bottom.b], "bin 0 at the bottom, dark purple")
    }

    func testAVectorIsWrappedIntoABlockAndNeverEnlargedPastTheLongestSide() {
        let hog = Tensor(unchecked: [1296], data: (0..<1296).map { Float($0) })
        let t = ModelPictures.tile(hog, kind: .vector, minSide: 84, maxSide: 512)
        XCTAssertEqual(t.shape, [3, 36 * 3, 36 * 3], "36 × 36 values, ×3 (84 px would need ×3)")
        let long = ModelPictures.tile(Tensor(unchecked: [2, 400], data: [Float](repeating: 1, count: 800)), kind: .spectrogram, minSide: 84, maxSide: 512)
        XCTAssertEqual(long.shape, [3, 400, 2], "a [T, F] sequence that is already long is not enlarged")
    }
}
