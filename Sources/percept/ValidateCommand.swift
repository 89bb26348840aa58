import ArgumentParser
import Foundation
import PerceptCore
import PerceptPipeline

/// `percept validate FILE [--set KEY=VALUE]...`: every error of a pipeline file at once.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a pipeline file without running it: every error at once, each with its YAML path, line and column.",
        discussion: "When the file itself is valid and its inputs exist, the data is listed and every chain and layer is checked on the real input shape. Exit 0 with a one-line summary, or 2 with the errors."
    )

    @Argument(help: "The pipeline file.")
    var file: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a value, as for `percept run`.", valueName: "KEY=VALUE"))
    var overrides: [String] = []

    func run() throws {
        let spec = try PipelineSpec.load(file, overrides: overrides)
        let plans = try PipelineRunner(spec: spec, options: RunOptions()) { _ in }.plan()
        let models = plans.map { "\($0.spec.name) \(dimsList($0.model.inputShape)) -> \($0.dataset.classes.count) classes, \($0.model.parameterCount) params" }
        print("\(file): valid: \(spec.data.count) data set\(spec.data.count == 1 ? "" : "s"), \(spec.features.count) feature chain\(spec.features.count == 1 ? "" : "s"), \(plans.count) model\(plans.count == 1 ? "" : "s") (\(models.joined(separator: "; ")))")
    }

    private func dimsList(_ d: [Int]) -> String { "[" + d.map(String.init).joined(separator: ", ") + "]" }
}
