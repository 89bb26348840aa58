import PerceptPlot
import XCTest

final class ColormapTests: XCTestCase {
    /// Entries printed by matplotlib 3.9.2: `matplotlib.colormaps[name].colors[i]` (or `cmap(i)` for the listed maps).
    func testEntriesEqualMatplotlibs() {
        let expected: [(Colormap, Int, (Float, Float, Float))] = [
            (.viridis, 0, (0.267004, 0.004874, 0.329415)),
            (.viridis, 128, (0.127568, 0.566949, 0.550556)),
            (.viridis, 255, (0.993248, 0.906157, 0.143936)),
            (.magma, 0, (0.001462, 0.000466, 0.013866)),
            (.magma, 128, (0.716387, 0.214982, 0.475290)),
            (.magma, 255, (0.987053, 0.991438, 0.749504)),
            (.twilight, 0, (0.885750, 0.850009, 0.887974)),
            (.twilight, 255, (0.184880, 0.079426, 0.213077)),
        ]
        for (map, i, rgb) in expected {
            let c = map.entry(i)
            XCTAssertEqual(c.r, rgb.0, accuracy: 1e-6, "\(map) \(i)")
            XCTAssertEqual(c.g, rgb.1, accuracy: 1e-6, "\(map) \(i)")
            XCTAssertEqual(c.b, rgb.2, accuracy: 1e-6, "\(map) \(i)")
        }
        XCTAssertEqual(Colormap.viridis.entries, 256)
        XCTAssertEqual(Colormap.magma.entries, 256)
        XCTAssertEqual(Colormap.twilight.entries, 510)
    }

    func testPerceptualMapsGrowLighterFromStartToEnd() {
        for map in [Colormap.viridis, .magma] {
            let luma = (0..<map.entries).map { i -> Float in let c = map.entry(i); return 0.299 * c.r + 0.587 * c.g + 0.114 * c.b }
            XCTAssertLessThan(luma[0], luma[128], "\(map)")
            XCTAssertLessThan(luma[128], luma[255], "\(map)")
        }
    }

    func testTwilightIsCyclic() {
        let first = Colormap.twilight.entry(0), last = Colormap.twilight.entry(Colormap.twilight.entries - 1)
        XCTAssertEqual(first.r, last.r, accuracy: 0.02)
        XCTAssertEqual(first.g, last.g, accuracy: 0.02)
        XCTAssertEqual(first.b, last.b, accuracy: 0.02)
    }

    func testColorClampsAndImageMapsTheRange() {
        XCTAssertEqual(Colormap.magma.color(-3), Colormap.magma.entry(0))
        XCTAssertEqual(Colormap.magma.color(7), Colormap.magma.entry(255))
        let img = Colormap.viridis.image([0, 10], rows: 1, cols: 2, lo: 0, hi: 10)
        XCTAssertEqual(img.shape, [3, 1, 2])
        XCTAssertEqual(img[0, 0, 0], Colormap.viridis.entry(0).r)
        XCTAssertEqual(img[1, 0, 1], Colormap.viridis.entry(255).g)
    }
}
