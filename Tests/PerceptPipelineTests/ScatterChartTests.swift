import PerceptCore
@testable import PerceptPipeline
import XCTest

final class ScatterChartTests: XCTestCase {
    func occurrences(_ s: String, _ part: String) -> Int { s.components(separatedBy: part).count - 1 }

    func testOneDotPerPointInItsClassColourAndOneLegendEntryPerClass() {
        let points: [(x: Float, y: Float)] = (0..<30).map { (x: Float($0), y: Float($0 % 7)) }
        let labels = (0..<30).map { $0 % 3 }
        let svg = ScatterChart.svg(points: points, labels: labels, classNames: ["a", "b", "c"], xLabel: "PC 1 (23.4 %)", yLabel: "PC 2 (5.0 %)")
        XCTAssertTrue(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>"))
        // 30 dots plus one legend marker per class, each in that class's colour.
        XCTAssertEqual(occurrences(svg, "<circle"), 33)
        for c in 0..<3 { XCTAssertEqual(occurrences(svg, "fill=\"\(ScatterChart.palette[c])\""), 11) }
        XCTAssertTrue(svg.contains(">PC 1 (23.4 %)</text>"))
        XCTAssertTrue(svg.contains(">PC 2 (5.0 %)</text>"))
    }

    func testClassNamesAndTitleAreEscaped() {
        let svg = ScatterChart.svg(points: [(0, 0), (1, 1)], labels: [0, 1], classNames: ["<cat>", "R&D \"x\""], title: "a < b")
        XCTAssertTrue(svg.contains(">&lt;cat&gt;</text>"))
        XCTAssertTrue(svg.contains(">R&amp;D &quot;x&quot;</text>"))
        XCTAssertTrue(svg.contains(">a &lt; b</text>"))
        XCTAssertFalse(svg.contains("<cat>"))
    }

    func testNonFinitePointsAreLeftOutAndUnnamedLabelsShownByNumber() {
        let svg = ScatterChart.svg(points: [(0, 0), (.nan, 1), (2, .infinity), (3, 3)], labels: [0, 0, 0, 12], classNames: ["a"])
        XCTAssertEqual(occurrences(svg, "<circle"), 2 + 2)
        XCTAssertTrue(svg.contains(">12</text>"))
        XCTAssertEqual(ScatterChart.colour(12), ScatterChart.palette[12])
        XCTAssertEqual(ScatterChart.colour(-1), "#999999")
        XCTAssertTrue(ScatterChart.svg(points: [], labels: [], classNames: []).contains(">no data</text>"))
    }

    func testManyClassesPutTheLegendBelowAndTheChartGrowsTaller() {
        let points: [(x: Float, y: Float)] = (0..<64).map { (x: Float($0), y: Float($0 / 8)) }
        let names = (0..<32).map { "a rather long class name \($0)" }
        let svg = ScatterChart.svg(points: points, labels: (0..<64).map { $0 % 32 }, classNames: names, width: 560, height: 420)
        XCTAssertFalse(svg.contains("height=\"420\""))
        let few = ScatterChart.svg(points: points, labels: (0..<64).map { $0 % 4 }, classNames: names, width: 560, height: 420)
        XCTAssertTrue(few.contains("height=\"420\""))
    }

    func testATensorIsDrawnFromItsFirstTwoColumns() {
        let t = Tensor(unchecked: [3, 3], data: [0, 0, 9, 1, 1, 9, 2, 4, 9])
        let fromTensor = ScatterChart.svg(t, labels: [0, 1, 1], classNames: ["a", "b"])
        XCTAssertEqual(fromTensor, ScatterChart.svg(points: [(0, 0), (1, 1), (2, 4)], labels: [0, 1, 1], classNames: ["a", "b"]))
        XCTAssertTrue(ScatterChart.svg(Tensor(shape: [3, 1]), labels: [0, 0, 0], classNames: ["a"]).contains(">no data</text>"))
    }

    func testPaletteHasTwentyDistinctColours() {
        XCTAssertEqual(Set(ScatterChart.palette).count, 20)
    }
}
