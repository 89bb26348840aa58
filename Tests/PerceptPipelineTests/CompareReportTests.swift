import PerceptIO
@testable import PerceptPipeline
import XCTest

/// compare.md, compare.csv and compare.html drawn from a record alone.
final class CompareReportTests: XCTestCase {
    func record() -> CompareRecord {
        let curve = [CompareRecord.CurvePoint(contender: "cnn", perClass: 5, trainSamples: 10, accuracy: 0.5, epochs: 20, seconds: 1),
                     CompareRecord.CurvePoint(contender: "<hog>", perClass: 5, trainSamples: 10, accuracy: 0.6, epochs: 20, seconds: 1),
                     CompareRecord.CurvePoint(contender: "cnn", perClass: nil, trainSamples: 1000, accuracy: 0.99, epochs: 5, seconds: 9),
                     CompareRecord.CurvePoint(contender: "<hog>", perClass: nil, trainSamples: 1000, accuracy: 0.93, epochs: 5, seconds: 1)]
        var r = VerdictTests.record([VerdictTests.row("cnn", learned: true, acc: 0.99, robust: ["noise, σ 0.1": 0.95]),
                                     VerdictTests.row("<hog>", learned: false, acc: 0.93, robust: ["noise, σ 0.1": 0.90])],
                                    curve: curve, perturbations: ["noise, σ 0.1"])
        r.projections = [CompareRecord.ProjectionRecord(space: "hog", method: "pca", x: [0, 1, 2], y: [1, 0, 2], labels: [0, 1, 1], detail: [0.4, 0.2])]
        r.verdict = Verdict.sentences(r)
        return r
    }

    func testTheMarkdownHasTheTableCurveAndRobustnessWithTheBestInBold() {
        let md = CompareReport.markdown(record())
        XCTAssertTrue(md.contains("| cnn | f | **99.00** |"), md)
        XCTAssertTrue(md.contains("| contender | 5 / class | all |"), md)
        XCTAssertTrue(md.contains("| <hog> | 60.00 | 93.00 |"), md)
        XCTAssertTrue(md.contains("| cnn | 99.00 | 95.00 |"), md)
        XCTAssertTrue(md.contains("> On this data"), "the verdict is quoted first")
    }

    func testTheCSVQuotesFieldsThatNeedItAndHasOneColumnPerCurvePointAndPerturbation() throws {
        let text = CompareReport.csv(record())
        let t = try CSV.parse(text, path: "compare.csv")
        XCTAssertEqual(t.rows.count, 2)
        XCTAssertTrue(t.header.contains("curve_5_per_class"))
        XCTAssertTrue(t.header.contains("robust_noise, σ 0.1"), "\(t.header)")
        XCTAssertEqual(try t.column("robust_noise, σ 0.1"), ["0.950000", "0.900000"])
        XCTAssertEqual(try t.column("learned"), ["true", "false"])
    }

    func testTheHTMLIsSelfContainedEscapedAndHasEverySection() throws {
        let html = try CompareReport.html(record(), run: NSTemporaryDirectory() + "no-such-run")
        for part in ["<h2>Verdict</h2>", "<h2>Contenders</h2>", "<h2>Learning curve</h2>", "<h2>Robustness</h2>", "<h2>Confusion matrices</h2>",
                     "<h2>Feature spaces in 2-D</h2>", "PC 1 (40.0 %)", "&lt;hog&gt;", "<b>99.00 % "] {
            XCTAssertTrue(html.contains(part), part)
        }
        XCTAssertFalse(html.contains("<hog>"), "names are escaped")
        XCTAssertFalse(html.contains("<script"))
    }
}
