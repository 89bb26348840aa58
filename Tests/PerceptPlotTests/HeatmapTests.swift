import PerceptCore
import PerceptPlot
import XCTest

final class HeatmapTests: XCTestCase {
    func testEveryRowIsAtLeastFourPixelsAndThePlotAtLeast600Wide() {
        for (rows, cols) in [(13, 32), (64, 101), (257, 126), (20, 700), (1025, 31)] {
            let h = Heatmap(values: [Float](repeating: 0, count: rows * cols), rows: rows, cols: cols, title: "t")
            let (w, ht) = h.plotSize
            XCTAssertGreaterThanOrEqual(ht, rows * 4, "\(rows) × \(cols)")
            XCTAssertEqual(ht % rows, 0, "whole pixels per row")
            XCTAssertGreaterThanOrEqual(w, 600, "\(rows) × \(cols)")
            if cols < 600 { XCTAssertEqual(w % cols, 0, "whole pixels per column") }
        }
    }

    func testRenderedFigureIsLargerThanItsPlotAndHasAColourBarWhenAsked() throws {
        var h = Heatmap(values: (0..<(13 * 32)).map(Float.init), rows: 13, cols: 32, title: "MFCC")
        h.secondsPerColumn = 0.032
        let plain = try h.render()
        let plot = h.plotSize
        XCTAssertGreaterThan(plain.width, plot.width)
        XCTAssertGreaterThan(plain.height, plot.height)
        h.colorbarLabel = "dB"
        let barred = try h.render()
        XCTAssertGreaterThan(barred.width, plain.width + 30, "room for the colour bar and its ticks")
        XCTAssertEqual(barred.tensor.shape, [3, barred.height, barred.width])
    }

    func testLowRowsAreDrawnAtTheBottom() throws {
        // Row 0 = 0 (dark in magma), row 1 = 1 (light).
        let h = Heatmap(values: [0, 0, 1, 1], rows: 2, cols: 2, title: "t")
        let c = try h.render()
        var darkest = (y: 0, v: Float(9)), lightest = (y: 0, v: Float(-1))
        let x = c.width / 2
        for y in 0..<c.height {
            let v = c[x, y].r + c[x, y].g + c[x, y].b
            if v < darkest.v { darkest = (y, v) }
            if v > lightest.v, c[x, y] != RGB.white { lightest = (y, v) }
        }
        XCTAssertGreaterThan(darkest.y, lightest.y, "the first row is below the second")
    }

    func testPerRowNormalisationGivesEveryRowTheFullRange() {
        // Row 0 spans 1000 (as MFCC 0 does), row 1 spans 1.
        let v: [Float] = [-500, 0, 500, 0.25, 0.5, 1.25]
        let n = Heatmap.perRowNormalised(v, rows: 2, cols: 3)
        XCTAssertEqual(Array(n[0..<3]), [0, 0.5, 1])
        XCTAssertEqual(Array(n[3..<6]), [0, 0.25, 1])
        XCTAssertEqual(Heatmap.perRowNormalised([2, 2], rows: 1, cols: 2), [0.5, 0.5], "a constant row sits mid-map")
    }

    func testWrongValueCountIsAnError() {
        XCTAssertThrowsError(try Heatmap(values: [1, 2, 3], rows: 2, cols: 2, title: "t").render())
    }

    func testStackedCanvasesKeepTheirHeights() throws {
        let a = Canvas(width: 10, height: 5), b = Canvas(width: 20, height: 7)
        let s = try Canvas.stacked([a, b], gap: 2)
        XCTAssertEqual(s.width, 20)
        XCTAssertEqual(s.height, 14)
    }
}
