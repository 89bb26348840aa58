import PerceptCore
import PerceptPlot
import XCTest

final class OrientationGlyphsTests: XCTestCase {
    func testEachCellIsDrawnAtTheAskedSizeWithItsLine() throws {
        // 1 × 2 cells, 2 orientations: cell 0 only bin 0 (mid-angle 45°), cell 1 only bin 1 (135°).
        let hist = Tensor(unchecked: [1, 2, 2], data: [1, 0, 0, 1])
        let g = try OrientationGlyphs.render(hist, cellSize: 32)
        XCTAssertEqual(g.shape, [1, 32, 64])
        XCTAssertGreaterThan(g.max, 0.7, "the strongest bin is near white")
        // Cell centres are (15.5, 15.5) and (47.5, 15.5). Bin 0's line runs up and to the right (along
        // the edge, perpendicular to its 45° gradient), as scikit-image draws it…
        let near = { (x: Int, y: Int) in g[0, y, x] + g[0, y + 1, x] + g[0, y, x + 1] + g[0, y + 1, x + 1] }
        XCTAssertGreaterThan(near(22, 8), 0.5)
        XCTAssertEqual(near(8, 8), 0, accuracy: 1e-6)
        // …and bin 1's up and to the left in cell 1.
        XCTAssertGreaterThan(near(40, 8), 0.5)
        XCTAssertEqual(near(54, 8), 0, accuracy: 1e-6)
    }

    func testBadShapesAreErrors() {
        XCTAssertThrowsError(try OrientationGlyphs.render(Tensor(shape: [4, 9]), cellSize: 32))
        XCTAssertThrowsError(try OrientationGlyphs.render(Tensor(shape: [1, 1, 9]), cellSize: 2))
    }
}
