import ArgumentParser
import Foundation
import PerceptCore
import PerceptPipeline

/// `percept evaluate CHECKPOINT DATA [--labels FILE] [--json]`.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score a model written by `percept run` on labelled data: accuracy, macro-F1, per-class precision and recall, confusion matrix.",
        discussion: "DATA is a folder with one sub-folder per class, a manifest CSV (path and label columns), or an IDX images file with --labels. Class names are matched to the model's by name."
    )

    @Argument(help: "A models/<model>/model.safetensors written by `percept run`.")
    var checkpoint: String

    @Argument(help: "A class-folder tree, a manifest .csv, or an IDX images file.")
    var data: String

    @Option(help: "The IDX labels file (with an IDX images file).")
    var labels: String?

    @Flag(help: "Print the metrics as JSON.")
    var json = false

    func run() throws {
        let model = try TrainedModel(path: checkpoint)
        let dataset = try EvaluationData.load(data, labels: labels, kind: model.kind, sampleRate: model.sampleRate, classes: model.classes)
        let m = try model.evaluate(dataset, items: dataset.train)
        if json {
            let obj: [String: Any] = [
                "checkpoint": checkpoint, "data": data, "samples": dataset.train.count, "accuracy": m.accuracy, "macro_f1": m.macroF1,
                "classes": model.classes, "confusion": m.confusion,
                "per_class": model.classes.indices.map { ["class": model.classes[$0], "precision": m.precision[$0], "recall": m.recall[$0], "f1": m.f1[$0],
                                                          "support": m.confusion[$0].reduce(0, +)] },
            ]
            print(RunOutputs.prettyJSON(obj))
            return
        }
        print(EvaluationData.report(m, classes: model.classes, samples: dataset.train.count), terminator: "")
    }
}
