import PerceptCore
import PerceptPlot
import XCTest

final class PanelGridTests: XCTestCase {
    func testSmallImagesAreEnlargedByAWholeFactor() {
        XCTAssertEqual(PanelGrid.scale(forHeight: 8), 14)
        XCTAssertEqual(PanelGrid.scale(forHeight: 28), 4)
        XCTAssertEqual(PanelGrid.scale(forHeight: 512), 1)
    }

    func testTilesAreEnlargedNearestNeighbourAndCaptioned() throws {
        // A 2 × 2 checkerboard digit: enlarged 56×, each pixel a solid block.
        let digit = Tensor(unchecked: [1, 2, 2], data: [0, 1, 1, 0])
        let sheet = try PanelGrid.render([Tile(digit, caption: "original"), Tile(digit, caption: "variant 1")], columns: 2)
        XCTAssertEqual(sheet.shape[0], 3)
        XCTAssertGreaterThanOrEqual(sheet.shape[1], 112 + 13)
        XCTAssertGreaterThanOrEqual(sheet.shape[2], 2 * 112)
        // Find the first tile: the first black pixel on a row through its top half.
        let w = sheet.shape[2]
        let y = 10 + 20
        let x0 = try XCTUnwrap((0..<w).first { sheet[0, y, $0] < 0.01 })
        for dx in [0, 27, 55] { XCTAssertEqual(sheet[0, y, x0 + dx], 0, "a 56-pixel block") }
        XCTAssertEqual(sheet[0, y, x0 + 56], 1, "then the next source pixel")
    }

    func testCaptionStripHasInk() throws {
        let img = Tensor(shape: [1, 112, 112], repeating: 1)
        let sheet = try PanelGrid.render([Tile(img, caption: "original", notes: ["rotate angle=-7.3"])], columns: 1)
        // Below the tile (rows 10 + 112 + 1 …) something is drawn in ink.
        let h = sheet.shape[1], w = sheet.shape[2]
        var ink = 0
        for y in (10 + 113)..<h { for x in 0..<w where sheet[0, y, x] < 0.5 { ink += 1 } }
        XCTAssertGreaterThan(ink, 30, "the caption and note are drawn")
    }

    func testTableLabelsRowsAndColumns() throws {
        let cell = Tensor(shape: [1, 28, 28], repeating: 1)
        let plain = try PanelGrid.table([[cell, cell]], rowLabels: [""], columnLabels: ["", ""])
        let labelled = try PanelGrid.table([[cell, cell]], rowLabels: ["0000: class 7"], columnLabels: ["input", "gx"])
        XCTAssertGreaterThan(labelled.shape[2], plain.shape[2], "room for the row label")
        let dark = { (t: Tensor) in t.storage.filter { $0 < 0.5 }.count }
        XCTAssertGreaterThan(dark(labelled), dark(plain) + 50, "the labels are drawn")
    }

    func testAnEmptyGridOrANonImageTileIsAnError() {
        XCTAssertThrowsError(try PanelGrid.render([]))
        XCTAssertThrowsError(try PanelGrid.table([], rowLabels: [], columnLabels: []))
        XCTAssertThrowsError(try PanelGrid.render([Tile(Tensor(shape: [28, 28]), caption: "flat")])) { error in
            XCTAssertEqual((error as? PerceptError)?.field, "tiles[0]")
        }
    }
}
