import Foundation
import PerceptCore

/// A training objective over a batch of network outputs (PyTorch semantics, mean reduction).
///
/// Targets are one float per sample holding the class index for class losses (`cross_entropy`,
/// `hinge`), or `width` floats per sample otherwise. `compute` returns the mean loss (accumulated in
/// Double) and, when `grad` is given, writes d(loss)/d(output).
///
///     let loss = try CrossEntropyLoss(labelSmoothing: 0.1)
public protocol Loss: AnyObject, Component {
    init(_ params: Parameters) throws
    var values: [String: Value] { get }
    /// True when targets are class indices (one per sample).
    var classTargets: Bool { get }
    func compute(output: UnsafePointer<Float>, targets: UnsafePointer<Float>, batch: Int, width: Int,
                 grad: UnsafeMutablePointer<Float>?) -> Double
}

/// Every loss by name; register your own with `LossRegistry.shared.register(MyLoss.self)`.
///
///     let mse = try LossRegistry.make("mse")
public enum LossRegistry {
    public static let shared: Registry<any Loss> = {
        let r = Registry<any Loss>(kind: "loss")
        for t: any Loss.Type in [CrossEntropyLoss.self, BCEWithLogitsLoss.self, MSELoss.self, MAELoss.self, HingeLoss.self,
                                 MaskedCrossEntropyLoss.self] {
            r.register(t)
        }
        return r
    }()

    public static func make(_ name: String, _ values: [String: Value] = [:], naming: Parameters.Naming = .yaml,
                            path: String? = nil, origin: Origin = .code) throws -> any Loss {
        try shared.make(name, values, naming: naming, path: path, origin: origin)
    }
}

extension Registry where Product == any Loss {
    /// Registers a loss type, built through its `init(_ params:)`.
    public func register(_ type: any Loss.Type) {
        func add<L: Loss>(_ t: L.Type) { register(t) { try L($0) } }
        add(type)
    }
}

/// Softmax cross-entropy on logits with optional label smoothing (PyTorch `CrossEntropyLoss`).
///
///     let loss = try CrossEntropyLoss(labelSmoothing: 0.1)
public final class CrossEntropyLoss: Loss {
    public static let name = "cross_entropy", summary = "softmax cross-entropy on logits, optional label smoothing"
    public static let aliases = ["softmax_cross_entropy"]
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("label_smoothing", .float, default: "0", doc: "mass spread uniformly over all classes, in [0, 1]"),
    ]
    public let values: [String: Value]
    public let smoothing: Float
    public let classTargets = true
    public init(_ params: Parameters) throws {
        values = params.values
        smoothing = try params.float("label_smoothing")
        guard smoothing >= 0 && smoothing <= 1 else { throw params.invalid("label_smoothing", "must be in [0, 1]") }
    }
    /// The typed form; nil means the spec default.
    public convenience init(labelSmoothing: Float? = nil) throws {
        try self.init(Self.parameters(given(["label_smoothing": labelSmoothing])))
    }
    public func compute(output: UnsafePointer<Float>, targets: UnsafePointer<Float>, batch: Int, width: Int,
                        grad: UnsafeMutablePointer<Float>?) -> Double {
        var total = 0.0
        let eps = Double(smoothing), c = Double(width)
        for b in 0..<batch {
            let x = output + b * width
            let y = Swift.min(Swift.max(Int(targets[b]), 0), width - 1)
            var m = -Double.infinity
            for i in 0..<width { m = Swift.max(m, Double(x[i])) }
            var s = 0.0, sumLogits = 0.0
            for i in 0..<width { s += exp(Double(x[i]) - m); sumLogits += Double(x[i]) }
            let lse = m + log(s)
            // -(1-ε)·log p_y - ε/C·Σ log p_i
            total += (1 - eps) * (lse - Double(x[y])) + eps * (lse - sumLogits / c)
            if let g = grad {
                let d = g + b * width
                for i in 0..<width {
                    let p = exp(Double(x[i]) - lse)
                    d[i] = Float((p - (i == y ? 1 - eps : 0) - eps / c) / Double(batch))
                }
            }
        }
        return total / Double(batch)
    }
}

/// Binary cross-entropy on logits, elementwise, mean over all elements (PyTorch `BCEWithLogitsLoss`).
///
///     let loss = BCEWithLogitsLoss()
public final class BCEWithLogitsLoss: Loss {
    public static let name = "bce_with_logits", summary = "binary cross-entropy on logits (multi-label)"
    public static let aliases = ["bce"]
    public static let parameters: [ParameterSpec] = []
    public let values: [String: Value]
    public let classTargets = false
    public init(_ params: Parameters) throws { values = params.values }
    /// No options: the same as the registry builds from an empty option list.
    public init() { values = [:] }
    public func compute(output: UnsafePointer<Float>, targets: UnsafePointer<Float>, batch: Int, width: Int,
                        grad: UnsafeMutablePointer<Float>?) -> Double {
        elementwiseMean(output, targets, batch * width, grad) { x, t in
            (Swift.max(x, 0) - x * t + log1p(exp(-abs(x))), Double(stableSigmoid(Float(x))) - t)
        }
    }
}

/// Mean squared error (PyTorch `MSELoss`).
///
///     let loss = MSELoss()
public final class MSELoss: Loss {
    public static let name = "mse", summary = "mean squared error"
    public static let aliases = ["l2"]
    public static let parameters: [ParameterSpec] = []
    public let values: [String: Value]
    public let classTargets = false
    public init(_ params: Parameters) throws { values = params.values }
    /// No options: the same as the registry builds from an empty option list.
    public init() { values = [:] }
    public func compute(output: UnsafePointer<Float>, targets: UnsafePointer<Float>, batch: Int, width: Int,
                        grad: UnsafeMutablePointer<Float>?) -> Double {
        elementwiseMean(output, targets, batch * width, grad) { x, t in let d = x - t; return (d * d, 2 * d) }
    }
}

/// Mean absolute error (PyTorch `L1Loss`); the gradient at a zero residual is 0.
///
///     let loss = MAELoss()
public final class MAELoss: Loss {
    public static let name = "mae", summary = "mean absolute error"
    public static let aliases = ["l1"]
    public static let parameters: [ParameterSpec] = []
    public let values: [String: Value]
    public let classTargets = false
    public init(_ params: Parameters) throws { values = params.values }
    /// No options: the same as the registry builds from an empty option list.
    public init() { values = [:] }
    public func compute(output: UnsafePointer<Float>, targets: UnsafePointer<Float>, batch: Int, width: Int,
                        grad: UnsafeMutablePointer<Float>?) -> Double {
        elementwiseMean(output, targets, batch * width, grad) { x, t in let d = x - t; return (abs(d), d > 0 ? 1 : (d < 0 ? -1 : 0)) }
    }
}

/// Multiclass hinge (SVM) loss: Σ_{i≠y} max(0, margin − x_y + x_i) / C per sample
/// (PyTorch `MultiMarginLoss`, p = 1).
///
///     let loss = try HingeLoss(margin: 0.5)
public final class HingeLoss: Loss {
    public static let name = "hinge", summary = "multiclass hinge (SVM) loss"
    public static let aliases = ["multi_margin", "svm"]
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("margin", .float, default: "1", doc: "required score gap to the true class"),
    ]
    public let values: [String: Value]
    public let margin: Float
    public let classTargets = true
    public init(_ params: Parameters) throws {
        values = params.values
        margin = try params.float("margin")
        guard margin >= 0 else { throw params.invalid("margin", "must be ≥ 0") }
    }
    /// The typed form; nil means the spec default.
    public convenience init(margin: Float? = nil) throws {
        try self.init(Self.parameters(given(["margin": margin])))
    }
    public func compute(output: UnsafePointer<Float>, targets: UnsafePointer<Float>, batch: Int, width: Int,
                        grad: UnsafeMutablePointer<Float>?) -> Double {
        var total = 0.0
        let scale = 1 / (Double(width) * Double(batch))
        for b in 0..<batch {
            let x = output + b * width
            let y = Swift.min(Swift.max(Int(targets[b]), 0), width - 1)
            let d = grad.map { $0 + b * width }
            d?.update(repeating: 0, count: width)
            for i in 0..<width where i != y {
                let v = Double(margin) - Double(x[y]) + Double(x[i])
                if v > 0 {
                    total += v
                    d?[i] += Float(scale)
                    d?[y] -= Float(scale)
                }
            }
        }
        return total / Double(width) / Double(batch)
    }
}

/// The mean over `n` elements of a per-element loss: `term(x, t)` gives the element's loss and its
/// derivative in x (Double), and the gradient written is that derivative over n.
@inline(__always) func elementwiseMean(_ output: UnsafePointer<Float>, _ targets: UnsafePointer<Float>, _ n: Int,
                                       _ grad: UnsafeMutablePointer<Float>?, _ term: (Double, Double) -> (Double, Double)) -> Double {
    var total = 0.0
    for i in 0..<n {
        let (l, d) = term(Double(output[i]), Double(targets[i]))
        total += l
        if let g = grad { g[i] = Float(d / Double(n)) }
    }
    return total / Double(n)
}
