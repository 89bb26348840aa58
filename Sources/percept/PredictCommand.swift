import ArgumentParser
import Foundation
import PerceptCore
import PerceptPipeline

/// `percept predict CHECKPOINT FILE... [--json] [--top K]`.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Classify files with a model written by `percept run`, applying its own feature chain.",
        discussion: "Prints one line per file: the file, the most likely class and its probability (with --top K, the K best). The checkpoint records the chain, the data kind and the class names; random stages are skipped."
    )

    @Argument(help: "A models/<model>/model.safetensors written by `percept run`.")
    var checkpoint: String

    @Argument(help: "PNG or audio files, as the model was trained on.")
    var files: [String]

    @Flag(help: "Print JSON: one object per file with its top classes and probabilities.")
    var json = false

    @Option(help: "How many classes to list per file.")
    var top = 1

    func run() throws {
        guard top >= 1 else { throw PerceptError.invalidArgument(field: "--top", "must be ≥ 1, got \(top)") }
        let model = try TrainedModel(path: checkpoint)
        let k = min(top, model.classes.count)
        let results = try model.predict(files: files, top: k)
        if json {
            let items: [[String: Any]] = zip(files, results).map { f, r in
                ["file": f, "predictions": r.map { ["class": $0.name, "probability": $0.probability] }]
            }
            let d = try JSONSerialization.data(withJSONObject: items, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: d, as: UTF8.self))
            return
        }
        let width = files.map(\.count).max() ?? 0
        for (f, r) in zip(files, results) {
            let cells = r.map { "\($0.name) \(String(format: "%.4f", $0.probability))" }.joined(separator: "  ")
            print(f.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + cells)
        }
    }
}
