import Foundation
import XCTest

/// `percept compare`: the shipped MNIST comparison on a few digits end to end, its outputs, and
/// the bad-input errors that stop it before any training.
final class CompareCommandTests: CLITestCase {
    static let contenders = ["pixels_linear", "sobel_linear", "hog_linear", "mshog_linear", "hog_svm", "hog_mlp", "cnn"]

    /// compare-mnist.yaml on 8 digits per class, one epoch each, small probes and projections.
    var tiny: [String] {
        ["compare", "Pipelines/compare-mnist.yaml", "--quiet", "--set", "data.digits.max_per_class=8",
         "--set", "+compare={learning_curve: [2], curve_min_steps: 3, probe_strengths: [0.01], projection_samples: 30, knn_k: 5}"]
            + Self.contenders.flatMap { ["--set", "models.\($0).train.epochs=1"] }
    }

    func testTheMNISTComparisonWritesItsTablePagesAndRecord() throws {
        let out = path("cmp")
        let r = try run(tiny + ["--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr, "", "--quiet prints only the table")
        for name in Self.contenders { XCTAssertTrue(r.stdout.contains("\n" + name + " "), "\(name) in\n\(r.stdout)") }
        XCTAssertTrue(r.stdout.contains("rotation ±15°"), r.stdout)
        XCTAssertTrue(r.stdout.contains("On this data"), "the verdict follows the table:\n\(r.stdout)")
        XCTAssertTrue(r.stdout.hasSuffix("report: \(out)/compare.html (also compare.md, compare.csv; per model: report.html)\n"), r.stdout)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: out + "/compare.json"))) as? [String: Any])
        let rows = try XCTUnwrap(json["rows"] as? [[String: Any]])
        XCTAssertEqual(Set(rows.compactMap { $0["contender"] as? String }), Set(Self.contenders))
        let curve = try XCTUnwrap(json["curve"] as? [[String: Any]])
        XCTAssertEqual(curve.count, 2 * Self.contenders.count, "all samples and 2 per class, for every contender")
        let projections = try XCTUnwrap(json["projections"] as? [[String: Any]])
        XCTAssertEqual(projections.count, 2 * 6, "PCA and t-SNE of 4 chains (pixels, sobel, hog, mshog) and 2 learned spaces")
        let html = try String(contentsOfFile: out + "/compare.html", encoding: .utf8)
        for part in ["<h2>Verdict</h2>", "<h2>Learning curve</h2>", "<h2>Robustness</h2>", "<h2>Feature spaces in 2-D</h2>",
                     "First-layer filters and the Sobel kernels", "hog_mlp"] {
            XCTAssertTrue(html.contains(part), part)
        }
        let csv = try String(contentsOfFile: out + "/compare.csv", encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count, 1 + Self.contenders.count)
        // `percept report` redraws the pages from compare.json alone.
        try FileManager.default.removeItem(atPath: out + "/compare.html")
        let again = try run(["report", out])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try String(contentsOfFile: out + "/compare.html", encoding: .utf8), html)
    }

    /// compare-spoken-digits.yaml on Samples/spoken (unseen voices), one epoch each: the audio
    /// perturbations and the audio contenders end to end.
    func testTheSpokenDigitComparisonRunsOnTheSamples() throws {
        let names = ["mfcc_stats_linear", "logmel_stats_linear", "mfcc_lstm", "logmel_cnn", "crnn"]
        let out = path("spoken")
        let r = try run(["compare", "Pipelines/compare-spoken-digits.yaml", "--quiet", "--out", out,
                         "--set", "data.spoken.train.manifest.file=Samples/spoken/manifest.csv",
                         "--set", "compare={learning_curve: [1], curve_min_steps: 2, probe_strengths: [0.01], projection_samples: 0, knn_k: 3}"]
                        + names.flatMap { ["--set", "models.\($0).train.epochs=1"] })
        XCTAssertEqual(r.status, 0, r.stderr)
        for name in names { XCTAssertTrue(r.stdout.contains("\n" + name + " "), "\(name) in\n\(r.stdout)") }
        XCTAssertTrue(r.stdout.contains("noise 10 dB SNR") && r.stdout.contains("gain −12 dB"), r.stdout)
        let html = try String(contentsOfFile: out + "/compare.html", encoding: .utf8)
        XCTAssertFalse(html.contains("Feature spaces in 2-D"), "projection_samples: 0 draws none")
    }

    func testALearningCurveBeyondTheSmallestClassIsAnErrorBeforeTraining() throws {
        let out = path("curve")
        try assertBadInput(["compare", "Pipelines/compare-mnist.yaml", "--out", out, "--set", "data.digits.max_per_class=8",
                            "--set", "+compare={learning_curve: [5, 50]}"],
                           names: "compare.learning_curve", "asks for 50 training samples per class, but class")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing written")
    }

    func testContendersOnDifferentDataAreAnError() throws {
        let text = try String(contentsOfFile: "Pipelines/compare-mnist.yaml", encoding: .utf8)
            .replacingOccurrences(of: "data:\n  digits:", with: "data:\n  other: {kind: image, train: {folder: Samples/images}}\n  digits:")
        let file = path("two-data.yaml")
        try text.replacingOccurrences(of: "  sobel_linear:\n    data: digits", with: "  sobel_linear:\n    data: other").write(toFile: file, atomically: true, encoding: .utf8)
        try assertBadInput(["compare", file, "--out", path("x")], names: "models.sobel_linear.data (line ", "every contender on the same data")
    }

    func testAPerturbationThatChangesTheShapeIsAnError() throws {
        try assertBadInput(["compare", "Pipelines/compare-mnist.yaml", "--out", path("p"), "--set", "data.digits.max_per_class=8",
                            "--set", "+compare={learning_curve: [], robustness: {small: [{resize: {size: 14}}]}}"],
                           names: "compare.robustness.small", "changes the sample's shape from [1, 28, 28] to [1, 14, 14]")
    }

    func testAHogChainIntoAConvolutionNamesTheLayer() throws {
        try assertBadInput(["compare", "Pipelines/compare-mnist.yaml", "--out", path("k"), "--set", "models.cnn.features=hog"],
                           names: "models.cnn.layers[0].conv2d (line ", "the chain 'hog' gives")
    }

    func testTwoContendersWithOneNameAreAnError() throws {
        let text = try String(contentsOfFile: "Pipelines/compare-mnist.yaml", encoding: .utf8)
        let file = path("dup.yaml")
        try text.replacingOccurrences(of: "  sobel_linear:\n", with: "  hog_linear:\n").write(toFile: file, atomically: true, encoding: .utf8)
        try assertBadInput(["compare", file], names: file, "key 'hog_linear' is given twice in one mapping (lines ")
    }
}
