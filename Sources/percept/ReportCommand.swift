import ArgumentParser
import Foundation
import PerceptPipeline

/// `percept report RUN_DIR [-o FILE]`.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Rebuild the self-contained report.html of a run folder written by `percept run`.",
        discussion: "The page shows, per model, the loss and accuracy curves, the confusion matrix, per-class scores, the first-layer filters beside the Sobel kernels, activation histograms and the misclassified test samples, then the resolved pipeline and the machine. It needs no network and no script; open it in any browser."
    )

    @Argument(help: "A run folder (runs/<name>) written by `percept run`.")
    var runDirectory: String

    @Option(name: [.short, .customLong("output")], help: "Write the page here instead of RUN_DIR/report.html.")
    var output: String?

    func run() throws {
        let path = try RunReport.write(run: runDirectory, to: output)
        print(path)
    }
}
