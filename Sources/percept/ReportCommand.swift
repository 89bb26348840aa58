import ArgumentParser
import Foundation
import PerceptPipeline

/// `percept report RUN_DIR [-o FILE]`.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Rebuild the self-contained report.html of a run folder written by `percept run` (and compare.html after `percept compare`).",
        discussion: "The page shows, per model, the loss and accuracy curves, the confusion matrix, per-class scores, the first-layer filters beside the Sobel kernels, activation histograms and the misclassified test samples, then the resolved pipeline and the machine. It needs no network and no script; open it in any browser. A folder written by `percept compare` also gets compare.md, compare.csv and compare.html redrawn from its compare.json."
    )

    @Argument(help: "A run folder (runs/<name>) written by `percept run`.")
    var runDirectory: String

    @Option(name: [.short, .customLong("output")], help: "Write the page here instead of RUN_DIR/report.html.")
    var output: String?

    func run() throws {
        let path = try RunReport.write(run: runDirectory, to: output)
        print(path)
        let record = "\(runDirectory)/compare.json"
        if output == nil, FileManager.default.fileExists(atPath: record) {
            try CompareReport.write(try CompareRecord.read(record), run: runDirectory)
            print("\(runDirectory)/compare.html")
        }
    }
}
