import Foundation
import PerceptCore
import PerceptNN

/// Labelled data named on the command line for `percept evaluate`: a class-folder tree, a
/// manifest CSV or an IDX images file with its labels, read whole (no split).
public enum EvaluationData {
    public static func load(_ path: String, labels: String?, kind: SampleKind, sampleRate: Int?, classes: [String]) throws -> Dataset {
        let source: Value
        if path.lowercased().hasSuffix(".csv") {
            guard labels == nil else { throw PerceptError.invalidArgument(field: "--labels", "is for IDX images files; a manifest names its labels") }
            source = ["manifest": .of(path)]
        } else if let labels {
            source = ["idx": ["images": .of(path), "labels": .of(labels)]]
        } else {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw PerceptError.badInput(file: path, "no such file or folder") }
            guard isDir.boolValue else {
                throw PerceptError.invalidArgument(field: path, "is a file: give a class-folder tree, a manifest .csv, or an IDX images file with --labels")
            }
            source = ["folder": .of(path)]
        }
        var entries: [Value.Entry] = [.init("kind", .of(kind.rawValue)), .init("train", source)]
        if let sampleRate { entries.append(.init("sample_rate", .of(sampleRate))) }
        let d = Diagnostics()
        guard let spec = DataSpec.parse(Value(.map(entries), origin: .flag("DATA")), name: "evaluate", baseDirectory: FileManager.default.currentDirectoryPath, diagnostics: d) else {
            try d.throwIfAny()
            throw PerceptError.invalidArgument(field: path, "cannot be read as evaluation data")
        }
        for e in spec.missingInputs() { d.record(e) }
        try d.throwIfAny()
        return try Dataset.load(spec, seed: 0, classes: classes)
    }

    /// Accuracy and macro-F1, a per-class table and the confusion matrix, as text.
    public static func report(_ m: ClassificationMetrics, classes: [String], samples: Int) -> String {
        var out = "samples   \(samples)\naccuracy  \(String(format: "%.4f", m.accuracy))\nmacro-F1  \(String(format: "%.4f", m.macroF1))\n\n"
        let rows = classes.indices.map { i in
            [classes[i], String(format: "%.4f", m.precision[i]), String(format: "%.4f", m.recall[i]), String(format: "%.4f", m.f1[i]), String(m.confusion[i].reduce(0, +))]
        }
        out += RunTables.table(["class", "precision", "recall", "f1", "support"], rows, rightAligned: [1, 2, 3, 4])
        out += "\nconfusion (rows: true class, columns: predicted)\n"
        out += RunTables.table([""] + classes, classes.indices.map { [classes[$0]] + m.confusion[$0].map(String.init) },
                               rightAligned: Set(1...classes.count))
        return out
    }
}
