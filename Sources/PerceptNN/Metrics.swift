import PerceptCore

/// Training or evaluation targets for `N` samples.
///
///     let y = Targets.classes(labels)            // cross_entropy, hinge (or 0/1 for bce_with_logits)
///     let r = Targets.values(Tensor(shape: [n, 1]))   // mse, mae, bce_with_logits
public enum Targets: Sendable {
    /// One class index per sample.
    case classes([Int])
    /// `[N] + outputShape` target values.
    case values(Tensor)

    public var count: Int {
        switch self {
        case .classes(let c): return c.count
        case .values(let t): return t.shape.first ?? 0
        }
    }
}

/// Per-class counts and scores for a classifier; `confusion[true][predicted]`.
///
///     let m = ClassificationMetrics(confusion: [[5, 1], [0, 4]]); m.accuracy == 0.9
public struct ClassificationMetrics: Sendable, Equatable {
    public let confusion: [[Int]]
    public let accuracy: Double
    public let precision: [Double]
    public let recall: [Double]
    public let f1: [Double]
    /// Unweighted mean of the per-class F1 scores.
    public let macroF1: Double

    public init(confusion: [[Int]]) {
        self.confusion = confusion
        let k = confusion.count
        let total = confusion.reduce(0) { $0 + $1.reduce(0, +) }
        let correct = (0..<k).reduce(0) { $0 + confusion[$1][$1] }
        accuracy = total > 0 ? Double(correct) / Double(total) : 0
        var p = [Double](), r = [Double](), f = [Double]()
        for c in 0..<k {
            let tp = Double(confusion[c][c])
            let predicted = Double((0..<k).reduce(0) { $0 + confusion[$1][c] })
            let actual = Double(confusion[c].reduce(0, +))
            let pc = predicted > 0 ? tp / predicted : 0, rc = actual > 0 ? tp / actual : 0
            p.append(pc); r.append(rc); f.append(pc + rc > 0 ? 2 * pc * rc / (pc + rc) : 0)
        }
        precision = p; recall = r; f1 = f
        macroF1 = k > 0 ? f.reduce(0, +) / Double(k) : 0
    }

    /// A text table: one row per class with precision, recall, F1 and support.
    public var report: String {
        var lines = ["class  precision  recall  f1      support"]
        for c in 0..<confusion.count {
            lines.append(String(format: "%-6d %-10.4f %-7.4f %-7.4f %d", c, precision[c], recall[c], f1[c], confusion[c].reduce(0, +)))
        }
        lines.append(String(format: "accuracy %.4f  macro-F1 %.4f", accuracy, macroF1))
        return lines.joined(separator: "\n")
    }
}

/// Result of `Trainer.evaluate`: mean loss and, for class targets, the classification metrics.
public struct Evaluation: Sendable {
    public let loss: Double
    public let samples: Int
    public let classification: ClassificationMetrics?
    public var accuracy: Double? { classification?.accuracy }

    /// A metric by name: `loss`, `accuracy`, `f1` (macro).
    public func metric(_ name: String) -> Double? {
        switch name {
        case "loss": return loss
        case "accuracy": return classification?.accuracy
        case "f1", "macro_f1": return classification?.macroF1
        default: return nil
        }
    }
}

/// Predicted class of one output row: argmax, or `x > 0` for a single logit.
@inline(__always) func predictedClass(_ row: UnsafePointer<Float>, width: Int) -> Int {
    if width == 1 { return row[0] > 0 ? 1 : 0 }
    var best = 0
    for i in 1..<width where row[i] > row[best] { best = i }
    return best
}
