import Foundation
import PerceptCore

/// Per-frame softmax cross-entropy over a sequence output `[T, classes]` that skips padding.
///
/// Targets are one-hot rows `[T, classes]` per sample; a frame whose target row is all zero is
/// padding and contributes neither loss nor gradient, and with a `SequenceMask` attached the
/// frames past each sample's length are skipped too. The loss is the mean over valid frames of the
/// batch (PyTorch `CrossEntropyLoss(ignore_index=…)` with mean reduction).
///
///     let loss = try MaskedCrossEntropyLoss(classes: 10)
public final class MaskedCrossEntropyLoss: Loss {
    public static let name = "masked_cross_entropy", summary = "per-frame cross-entropy over [T, classes] ignoring padded frames"
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("classes", .int, doc: "classes per frame (the last axis of the output)"),
    ]
    public let values: [String: Value]
    public let classes: Int
    public let classTargets = false
    /// Optional lengths of the current batch (frames of the model input; rescaled to the output's).
    public var mask: SequenceMask?

    public init(_ params: Parameters) throws {
        values = params.values
        let k = try params.int("classes", atLeast: 1)
        classes = k
    }

    /// The typed form of the `masked_cross_entropy` options.
    ///
    ///     let loss = try MaskedCrossEntropyLoss(classes: 12)
    public convenience init(classes: Int) throws {
        try self.init(Self.parameters(given(["classes": classes])))
    }

    public func compute(output: UnsafePointer<Float>, targets: UnsafePointer<Float>, batch: Int, width: Int,
                        grad: UnsafeMutablePointer<Float>?) -> Double {
        let K = classes, T = width / K
        let lens = mask?.lengths(onAxisOf: T, batch: batch)
        // Count the valid frames first: the mean divides by them.
        var valid = 0
        func isValid(_ b: Int, _ t: Int) -> Bool {
            if let l = lens, t >= l[b] { return false }
            let y = targets + (b * T + t) * K
            for i in 0..<K where y[i] != 0 { return true }
            return false
        }
        for b in 0..<batch { for t in 0..<T where isValid(b, t) { valid += 1 } }
        grad?.update(repeating: 0, count: batch * width)
        guard valid > 0 else { return 0 }
        var total = 0.0
        for b in 0..<batch {
            for t in 0..<T where isValid(b, t) {
                let x = output + (b * T + t) * K, y = targets + (b * T + t) * K
                var m = -Double.infinity
                for i in 0..<K { m = Swift.max(m, Double(x[i])) }
                var s = 0.0
                for i in 0..<K { s += exp(Double(x[i]) - m) }
                let lse = m + log(s)
                var ysum = 0.0
                for i in 0..<K { total += Double(y[i]) * (lse - Double(x[i])); ysum += Double(y[i]) }
                if let g = grad {
                    let d = g + (b * T + t) * K
                    for i in 0..<K { d[i] = Float((ysum * exp(Double(x[i]) - lse) - Double(y[i])) / Double(valid)) }
                }
            }
        }
        return total / Double(valid)
    }
}
