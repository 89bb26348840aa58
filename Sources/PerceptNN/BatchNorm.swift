import Foundation
import PerceptCore

/// Batch normalisation per channel (PyTorch `nn.BatchNorm1d` / `nn.BatchNorm2d`).
///
/// Training normalises with the batch statistics over the batch and every position of a channel
/// (biased variance) and updates the running statistics with `momentum` (running variance from the
/// unbiased estimate, as PyTorch does); evaluation normalises with the running statistics.
/// `weight` (γ, starts at 1) and `bias` (β, starts at 0) are trainable; `running_mean` and
/// `running_var` are state (`buffers`), not trained.
///
/// Training needs more than one value per channel; a batch of one sample with no positions
/// (`[C]` input) is reported by `Sequential.validate(batch:training:)`, and the forward pass
/// itself falls back to the running statistics rather than dividing by a zero variance.
public class BatchNormBase: StatefulLayer {
    public let values: [String: Value]
    let owner: String
    let declared: Int?
    let eps: Float, momentum: Float, affine: Bool, trackRunning: Bool
    private(set) var channels = 0, positions = 0
    public private(set) var weights: [Param] = []
    /// `running_mean`, `running_var` (empty without `track_running_stats`).
    public private(set) var buffers: [Param] = []
    private let out = FloatBuffer(), dx = FloatBuffer(), xhat = FloatBuffer(), invStd = FloatBuffer()
    private var usedBatchStats = false

    static let specs: [ParameterSpec] = [
        ParameterSpec("num_features", .int, doc: "channels C; inferred when omitted"),
        ParameterSpec("eps", .float, default: "1e-05", doc: "added to the variance before the square root"),
        ParameterSpec("momentum", .float, default: "0.1", doc: "weight of the new batch in the running statistics"),
        ParameterSpec("affine", .bool, default: "true", doc: "learned per-channel scale (weight) and shift (bias)"),
        ParameterSpec("track_running_stats", .bool, default: "true",
                      doc: "keep running statistics for evaluation (otherwise evaluation uses batch statistics)"),
    ]

    /// The options the typed initialisers of `BatchNorm1D` and `BatchNorm2D` were given.
    static func given(_ numFeatures: Int?, _ eps: Float?, _ momentum: Float?, _ affine: Bool?, _ trackRunningStats: Bool?) -> [String: Value] {
        PerceptCore.given(["num_features": numFeatures, "eps": eps, "momentum": momentum, "affine": affine,
                         "track_running_stats": trackRunningStats])
    }

    init(_ p: Parameters, owner: String) throws {
        values = p.values
        self.owner = owner
        declared = try p.optionalInt("num_features", atLeast: 1)
        eps = try p.float("eps")
        guard eps > 0 else { throw p.invalid("eps", "must be > 0") }
        momentum = try p.float("momentum")
        guard momentum >= 0 && momentum <= 1 else { throw p.invalid("momentum", "must be in [0, 1]") }
        affine = try p.bool("affine")
        trackRunning = try p.bool("track_running_stats")
    }

    func setup(channels c: Int, positions s: Int) throws {
        if let d = declared, d != c { throw ShapeMismatch(expected: "\(d) channels (num_features) on the first axis") }
        channels = c; positions = s
        weights = []
        if affine {
            let g = try Param(name: "weight", shape: [c])
            g.value.ptr.update(repeating: 1, count: c)
            weights = [g, try Param(name: "bias", shape: [c])]
        }
        buffers = []
        if trackRunning {
            let v = try Param(name: "running_var", shape: [c])
            v.value.ptr.update(repeating: 1, count: c)
            buffers = [try Param(name: "running_mean", shape: [c]), v]
        }
    }

    /// The error for a batch that cannot be normalised with batch statistics.
    func check(batch: Int, training: Bool) -> String? {
        guard training || !trackRunning, batch * positions < 2 else { return nil }
        return "training needs more than one value per channel, got a batch of \(batch) with \(positions) position\(positions == 1 ? "" : "s") each (use batches of at least 2)"
    }

    func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool) -> UnsafePointer<Float> {
        let C = channels, S = positions, n = batch * S
        out.ensure(batch * C * S); xhat.ensure(batch * C * S); invStd.ensure(C)
        usedBatchStats = (training || !trackRunning) && n > 1
        for c in 0..<C {
            var mean: Float, istd: Float
            if usedBatchStats {
                var s = 0.0
                for b in 0..<batch { let p = x + (b * C + c) * S; for i in 0..<S { s += Double(p[i]) } }
                let m = s / Double(n)
                var v = 0.0
                for b in 0..<batch { let p = x + (b * C + c) * S; for i in 0..<S { let d = Double(p[i]) - m; v += d * d } }
                let biased = v / Double(n)
                mean = Float(m); istd = Float(1 / (biased + Double(eps)).squareRoot())
                if training && trackRunning {
                    let rm = buffers[0].value.ptr, rv = buffers[1].value.ptr
                    rm[c] = (1 - momentum) * rm[c] + momentum * Float(m)
                    rv[c] = (1 - momentum) * rv[c] + momentum * Float(v / Double(n - 1))
                }
            } else {
                mean = trackRunning ? buffers[0].value.ptr[c] : 0
                istd = 1 / ((trackRunning ? buffers[1].value.ptr[c] : 1) + eps).squareRoot()
            }
            invStd.ptr[c] = istd
            let g = affine ? weights[0].value.ptr[c] : 1, beta = affine ? weights[1].value.ptr[c] : 0
            for b in 0..<batch {
                let o = (b * C + c) * S
                for i in 0..<S {
                    let h = (x[o + i] - mean) * istd
                    xhat.ptr[o + i] = h
                    out.ptr[o + i] = g * h + beta
                }
            }
        }
        return UnsafePointer(out.ptr)
    }

    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        let C = channels, S = positions, n = batch * S
        if inputGradient { dx.ensure(batch * C * S) }
        for c in 0..<C {
            var sdy = 0.0, sdyx = 0.0
            for b in 0..<batch {
                let o = (b * C + c) * S
                for i in 0..<S { sdy += Double(dy[o + i]); sdyx += Double(dy[o + i]) * Double(xhat.ptr[o + i]) }
            }
            if affine { weights[0].grad.ptr[c] = Float(sdyx); weights[1].grad.ptr[c] = Float(sdy) }
            guard inputGradient else { continue }
            let g = affine ? weights[0].value.ptr[c] : 1, istd = invStd.ptr[c]
            if usedBatchStats {
                // dx = γ·istd·(dy − mean(dy) − x̂·mean(dy·x̂)): the batch statistics depend on x too.
                let mdy = Float(sdy / Double(n)), mdyx = Float(sdyx / Double(n))
                for b in 0..<batch {
                    let o = (b * C + c) * S
                    for i in 0..<S { dx.ptr[o + i] = g * istd * (dy[o + i] - mdy - xhat.ptr[o + i] * mdyx) }
                }
            } else {
                for b in 0..<batch {
                    let o = (b * C + c) * S
                    for i in 0..<S { dx.ptr[o + i] = g * istd * dy[o + i] }
                }
            }
        }
        return inputGradient ? UnsafePointer(dx.ptr) : nil
    }
}

/// Batch normalisation over `[C]` or `[C, L]` inputs (PyTorch `nn.BatchNorm1d`); see `BatchNormBase`.
///
///     let bn = try BatchNorm1D(momentum: 0.05)
public final class BatchNorm1D: BatchNormBase, Layer, BatchValidating {
    public static let name = "batchnorm1d", summary = "batch normalisation of [C] or [C, L] (PyTorch BatchNorm1d)"
    public static let parameters: [ParameterSpec] = BatchNormBase.specs
    public required init(_ params: Parameters) throws { try super.init(params, owner: Self.name) }

    /// The typed form (PyTorch names); nil means the spec default.
    public convenience init(numFeatures: Int? = nil, eps: Float? = nil, momentum: Float? = nil, affine: Bool? = nil,
                            trackRunningStats: Bool? = nil) throws {
        try self.init(Self.parameters(BatchNormBase.given(numFeatures, eps, momentum, affine, trackRunningStats)))
    }

    public func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] {
        guard inputShape.count == 1 || inputShape.count == 2 else { throw ShapeMismatch(expected: "[C] or [C, L]") }
        try setup(channels: inputShape[0], positions: inputShape.count == 2 ? inputShape[1] : 1)
        return inputShape
    }
    public func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float> {
        forward(x, batch: batch, training: context.training)
    }
    public func validate(batch: Int, training: Bool) -> String? { check(batch: batch, training: training) }
}

/// Batch normalisation over `[C, H, W]` inputs (PyTorch `nn.BatchNorm2d`); see `BatchNormBase`.
///
///     let bn = try BatchNorm2D()
public final class BatchNorm2D: BatchNormBase, Layer, BatchValidating {
    public static let name = "batchnorm2d", summary = "batch normalisation of [C, H, W] (PyTorch BatchNorm2d)"
    public static let parameters: [ParameterSpec] = BatchNormBase.specs
    public required init(_ params: Parameters) throws { try super.init(params, owner: Self.name) }

    /// The typed form (PyTorch names); nil means the spec default.
    public convenience init(numFeatures: Int? = nil, eps: Float? = nil, momentum: Float? = nil, affine: Bool? = nil,
                            trackRunningStats: Bool? = nil) throws {
        try self.init(Self.parameters(BatchNormBase.given(numFeatures, eps, momentum, affine, trackRunningStats)))
    }

    public func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] {
        guard inputShape.count == 3 else { throw ShapeMismatch(expected: "[C, H, W] (use batchnorm1d for [C] or [C, L])") }
        try setup(channels: inputShape[0], positions: inputShape[1] * inputShape[2])
        return inputShape
    }
    public func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float> {
        forward(x, batch: batch, training: context.training)
    }
    public func validate(batch: Int, training: Bool) -> String? { check(batch: batch, training: training) }
}

/// A layer that can tell before a forward pass that a batch will not work (forward cannot throw).
public protocol BatchValidating {
    /// A message for a batch of `batch` samples it cannot process, nil when fine.
    func validate(batch: Int, training: Bool) -> String?
}

extension Sequential {
    /// Throws, naming the layer, when some layer cannot run a batch of `batch` samples
    /// (BatchNorm training on one value per channel). Call before `forward` on user-sized batches.
    ///
    ///     try model.validate(batch: 1, training: true)   // "layer 1 (batchnorm2d): training needs …"
    public func validate(batch: Int, training: Bool) throws {
        for (i, l) in layers.enumerated() {
            if let v = l as? any BatchValidating, let msg = v.validate(batch: batch, training: training) {
                throw PerceptError.invalidArgument(field: "layer \(i) (\(type(of: l).name))", msg)
            }
        }
    }
}

/// A layer with state that is saved and restored with the weights but not trained
/// (PyTorch's buffers), e.g. BatchNorm's running statistics.
public protocol StatefulLayer: AnyObject {
    var buffers: [Param] { get }
}
