import Foundation
import PerceptIO
import XCTest

/// `percept run` writes report.html, telemetry and TensorBoard folders; `percept report`
/// rebuilds the page; a real browser renders it.
final class ReportCommandTests: CLITestCase {
    /// The digits model of the quickstart on 3 samples per class, one epoch.
    var tinyDigits: [String] {
        ["Pipelines/quickstart.yaml", "--only", "digits_cnn", "--set", "+data.digits.max_per_class=3",
         "--set", "models.digits_cnn.train.epochs=2", "--quiet"]
    }

    func trainedRun() throws -> String {
        let out = path("run")
        let r = try run(["run", "--out", out] + tinyDigits)
        XCTAssertEqual(r.status, 0, r.stderr)
        return out
    }

    func testARunWritesTheReportTelemetryAndEventFiles() throws {
        let out = try trainedRun()
        let m = "\(out)/models/digits_cnn"
        for f in ["\(out)/report.html", "\(out)/environment.json", "\(m)/telemetry.json", "\(m)/misclassified.npz"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: f), f)
        }
        let events = try FileManager.default.contentsOfDirectory(atPath: "\(out)/tensorboard/digits_cnn")
        XCTAssertEqual(events.count, 1, "\(events)")
        XCTAssertTrue(events[0].hasPrefix("events.out.tfevents."), events[0])
        let html = try String(contentsOfFile: "\(out)/report.html", encoding: .utf8)
        for part in ["<h2>Models</h2>", "Training curves", "Confusion matrix", "First-layer filters", "Sobel kernels",
                     "Activations", "dense_1", "Misclassified test samples", "<h2 id=\"pipeline\">Pipeline</h2>", "<h2>Environment</h2>"] {
            XCTAssertTrue(html.contains(part), part)
        }
        XCTAssertFalse(html.contains("http://") && html.contains("<script"), "self-contained: no scripts")
        XCTAssertFalse(html.contains("src=\"http"), "no network fetches")
        XCTAssertTrue(html.contains("data:image/png;base64,"))
    }

    func testReportRebuildsThePageFromTheRunFolder() throws {
        let out = try trainedRun()
        let page = path("again.html")
        let r = try run(["report", out, "-o", page])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, page + "\n")
        XCTAssertEqual(try String(contentsOfFile: page, encoding: .utf8), try String(contentsOfFile: "\(out)/report.html", encoding: .utf8),
                       "the page depends on the run folder only")
    }

    func testReportOfAFolderThatIsNoRunSaysSo() throws {
        try assertBadInput(["report", path("nothing")], names: path("nothing"), "no such run folder")
        try FileManager.default.createDirectory(atPath: path("empty"), withIntermediateDirectories: true)
        try assertBadInput(["report", path("empty")], names: path("empty"), "holds no metrics.json")
    }

    func testTensorBoardFalseWritesNoEventFiles() throws {
        let out = path("quiet")
        let r = try run(["run", "--out", out, "--set", "+models.digits_cnn.tensorboard=false"] + tinyDigits)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(out)/tensorboard/digits_cnn"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(out)/report.html"))
    }

    /// Headless Chromium renders the page: the screenshot is not blank and the console shows no
    /// error. Skipped where no `chromium` is installed (CI installs it).
    func testChromiumRendersTheReport() throws {
        guard let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("chromium is not installed (apt-get install chromium)")
        }
        let out = try trainedRun()
        let shot = path("shot.png")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: chromium)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(path("profile"))",
                       "--window-size=1200,2400", "--enable-logging=stderr", "--v=0", "--screenshot=\(shot)", "file://\(out)/report.html"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let log = Drained(err.fileHandleForReading)
        XCTAssertTrue(waitUntil(timeout: 120) { !p.isRunning }, "chromium did not finish")
        p.waitUntilExit()
        let console = String(decoding: log.data, as: UTF8.self).split(separator: "\n").filter { $0.contains("CONSOLE") || $0.contains("Uncaught") }
        XCTAssertEqual(console, [], "the page logged errors")
        let img = try ImageFile.read(shot).pixels
        XCTAssertEqual(img.shape[1], 2400)
        // Not blank: a good share of pixels differ from the white background, and both ink and colour occur.
        let c = img.shape[0], n = img.shape[1] * img.shape[2]
        var inked = 0, coloured = 0
        for i in 0..<n {
            let r = img.storage[i], g = img.storage[(c > 1 ? 1 : 0) * n + i], b = img.storage[(c > 2 ? 2 : 0) * n + i]
            if r + g + b < 2.7 { inked += 1 }
            if abs(r - b) > 0.2 { coloured += 1 }
        }
        XCTAssertGreaterThan(Double(inked) / Double(n), 0.03, "the screenshot is nearly blank")
        XCTAssertGreaterThan(coloured, 1000, "no charts drawn in colour")
    }
}
