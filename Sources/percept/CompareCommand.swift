import ArgumentParser
import Foundation
import PerceptCore
import PerceptPipeline

/// `percept compare FILE [--set KEY=VALUE]... [--out DIR] [--force] [--quiet]`.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Do learned features beat hand-engineered ones? Train every model of a pipeline file on one split, then probe each feature space the same way.",
        discussion: """
        Every model of FILE is a contender; all must use one data set (the same split and seed). After \
        `percept run`'s training and evaluation, each chain's features and each network's penultimate \
        activations get the same linear probe (standardised, L2 strength chosen on validation) and \
        k-NN (cosine, k = 20, weights exp(sim / 0.07)); every contender is retrained on 5, 20 and 100 \
        samples per class (the learning curve) and tested on perturbed test samples (robustness); each \
        feature space is drawn in 2-D (PCA, t-SNE). The file's `compare:` section changes these. Writes \
        compare.md, compare.csv, compare.json and compare.html into the run folder beside report.html.
        """
    )

    @Argument(help: "The pipeline file whose models are the contenders.")
    var file: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a value: KEY=VALUE with a dotted path; +KEY=VALUE adds a key.", valueName: "KEY=VALUE"))
    var overrides: [String] = []

    @Option(name: .customLong("out"), help: ArgumentHelp("The run folder (default runs/<name>).", valueName: "DIR"))
    var output: String?

    @Flag(help: "Overwrite a finished run in the output folder.")
    var force = false

    @Flag(help: "Print only the final table.")
    var quiet = false

    func run() throws {
        var spec = try PipelineSpec.load(file, overrides: overrides)
        if let output { spec.output = output }
        var options = RunOptions()
        options.force = force; options.quiet = quiet
        options.live = isatty(2) == 1 && !quiet
        let record = try CompareRunner(spec: spec, options: options) { text in
            FileHandle.standardError.write(Data(text.utf8))
        }.run()
        print(CompareRunner.table(record), terminator: "")
        print("report: \(spec.output)/compare.html (also compare.md, compare.csv; per model: report.html)")
    }
}
