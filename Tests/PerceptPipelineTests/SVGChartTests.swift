import Foundation
@testable import PerceptPipeline
import XCTest

final class SVGChartTests: XCTestCase {
    func testTicksAreRoundStepsCoveringTheRange() {
        XCTAssertEqual(SVGChart.ticks(0.13, 0.97, count: 5, integer: false), [0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
        XCTAssertEqual(SVGChart.ticks(0.13, 0.97, count: 2, integer: false), [0.0, 0.5, 1.0])
        XCTAssertEqual(SVGChart.ticks(1, 3, count: 6, integer: true), [1, 2, 3])
        XCTAssertEqual(SVGChart.ticks(0, 47, count: 6, integer: true), [0, 10, 20, 30, 40, 50])
    }

    func testTickLabelsHaveTheDecimalsTheStepNeeds() {
        XCTAssertEqual(SVGChart.label(0.2, step: 0.2), "0.2")
        XCTAssertEqual(SVGChart.label(0.05, step: 0.05), "0.05")
        XCTAssertEqual(SVGChart.label(20, step: 10), "20")
        XCTAssertEqual(SVGChart.label(2e-5, step: 1e-5), "2.0e-05")
    }

    func testLineChartDrawsEverySeriesWithALegendAndAxisTitles() {
        let svg = SVGChart.lines([.init(name: "training", colour: SVGChart.blue, points: [(1, 0.9), (2, 0.5), (3, 0.4)]),
                                  .init(name: "validation", colour: SVGChart.orange, points: [(1, 1.0), (2, 0.7), (3, 0.6)])],
                                 xLabel: "epoch", yLabel: "loss", title: "Loss")
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 2)
        for t in [">training<", ">validation<", ">epoch<", ">loss<", ">Loss<"] { XCTAssertTrue(svg.contains(t), t) }
        XCTAssertTrue(svg.hasSuffix("</svg>"))
    }

    func testTheLegendMovesToTheCornerTheCurvesLeaveFree() {
        func legendY(_ ys: [Double]) -> Double? {
            let svg = SVGChart.lines([.init(name: "training", colour: SVGChart.blue, points: ys.enumerated().map { (Double($0.offset + 1), $0.element) })],
                                     xLabel: "epoch", yLabel: "accuracy", yRange: 0...1)
            guard let r = svg.range(of: "fill-opacity=\"0.85\"") else { return nil }
            let head = svg[..<r.lowerBound]
            guard let y = head.range(of: "y=\"", options: .backwards) else { return nil }
            return Double(head[y.upperBound...].prefix { $0 != "\"" })
        }
        let rising = try? XCTUnwrap(legendY([0.2, 0.8, 0.95, 0.97])), falling = try? XCTUnwrap(legendY([0.9, 0.4, 0.1, 0.05]))
        XCTAssertGreaterThan(rising ?? 0, falling ?? 0, "rising curves push the legend down, falling ones keep it up")
    }

    func testAChartWithoutDataSaysSo() {
        XCTAssertTrue(SVGChart.lines([], xLabel: "epoch", yLabel: "loss").contains(">no data<"))
    }

    func testConfusionMatrixLabelsClassesAndCountsAndEscapesNames() {
        let svg = SVGChart.confusion([[5, 1], [0, 7]], classes: ["cat", "<dog>"])
        XCTAssertTrue(svg.contains(">cat<"))
        XCTAssertTrue(svg.contains("&lt;dog&gt;"))
        XCTAssertFalse(svg.contains("<dog>"))
        for n in [">5<", ">1<", ">7<"] { XCTAssertTrue(svg.contains(n), n) }
        XCTAssertFalse(svg.contains(">0<"), "empty cells carry no number")
        XCTAssertTrue(svg.contains(">predicted class<") && svg.contains(">true class<"))
    }

    func testRidgesDrawOnePolygonPerEpoch() {
        let svg = SVGChart.ridges([(label: "epoch 1", lo: 0, hi: 2, counts: [1, 4, 2]), (label: "epoch 2", lo: -1, hi: 3, counts: [2, 2, 0, 1])],
                                  xLabel: "activation")
        XCTAssertEqual(svg.components(separatedBy: "<polygon").count - 1, 2)
        XCTAssertTrue(svg.contains(">epoch 2<"))
    }

    func testOneWideEarlyEpochDoesNotStretchTheRidgeAxis() {
        let wide = (label: "epoch 1", lo: 0.0, hi: 800.0, counts: [5, 1, 1, 1])
        let narrow = (2...5).map { (label: "epoch \($0)", lo: 0.0, hi: 4.0, counts: [3, 2, 1, 1]) }
        let svg = SVGChart.ridges([wide] + narrow, xLabel: "activation")
        XCTAssertTrue(svg.contains(">12<") || svg.contains(">10<"), "the axis ends near 3 × the median range (12)")
        XCTAssertFalse(svg.contains(">800<"), svg)
    }
}
