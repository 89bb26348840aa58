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
    // x̂ is not stored: backward recomputes it from the input (kept alive by the caller, as for
    // every layer) and the per-channel mean and 1/σ, which saves a write stream of the batch's size.
    private let out = FloatBuffer(), dx = FloatBuffer(), means = FloatBuffer(), invStd = FloatBuffer()
    private var input: UnsafePointer<Float>?
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

    // Layout [batch, C, S]: channel c is `batch` contiguous planes of S values, C·S apart. Each
    // channel is one work item (threads split channels, never a channel), and its reductions run
    // in a fixed order, so results do not depend on the thread count.
    func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool) -> UnsafePointer<Float> {
        let C = channels, S = positions, n = batch * S, stride = C * S
        out.ensure(batch * C * S); means.ensure(C); invStd.ensure(C)
        input = x
        let batchStats = (training || !trackRunning) && n > 1
        usedBatchStats = batchStats
        let updateRunning = batchStats && training && trackRunning
        let o = out.ptr, mu = means.ptr, istds = invStd.ptr
        let gamma: UnsafePointer<Float>? = affine ? UnsafePointer(weights[0].value.ptr) : nil
        let beta: UnsafePointer<Float>? = affine ? UnsafePointer(weights[1].value.ptr) : nil
        let rm: UnsafeMutablePointer<Float>? = trackRunning ? buffers[0].value.ptr : nil
        let rv: UnsafeMutablePointer<Float>? = trackRunning ? buffers[1].value.ptr : nil
        let eps = eps, momentum = momentum
        parallelItems(C, elementsPerItem: n) { range in
            for c in range {
                var mean: Float, istd: Float
                if batchStats {
                    let (m, m2) = meanAndSquaredDeviations(x + c * S, planes: batch, stride: stride, count: S)
                    mean = Float(m); istd = Float(1 / (m2 / Double(n) + Double(eps)).squareRoot())
                    if updateRunning, let rm, let rv {
                        rm[c] = (1 - momentum) * rm[c] + momentum * Float(m)
                        rv[c] = (1 - momentum) * rv[c] + momentum * Float(m2 / Double(n - 1))
                    }
                } else {
                    mean = rm?[c] ?? 0
                    istd = 1 / ((rv?[c] ?? 1) + eps).squareRoot()
                }
                mu[c] = mean; istds[c] = istd
                let g = gamma?[c] ?? 1, b = beta?[c] ?? 0
                for p in 0..<batch {
                    let off = p * stride + c * S
                    normalise(x + off, mean: mean, istd: istd, g: g, b: b, out: o + off, count: S)
                }
            }
        }
        return UnsafePointer(out.ptr)
    }

    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        let C = channels, S = positions, n = batch * S, stride = C * S
        if inputGradient { dx.ensure(batch * C * S) }
        guard let x = input else { return nil }
        let d = dx.ptr, mu = UnsafePointer(means.ptr), istds = UnsafePointer(invStd.ptr), batchStats = usedBatchStats
        let gamma: UnsafePointer<Float>? = affine ? UnsafePointer(weights[0].value.ptr) : nil
        let gGrad: UnsafeMutablePointer<Float>? = affine ? weights[0].grad.ptr : nil
        let bGrad: UnsafeMutablePointer<Float>? = affine ? weights[1].grad.ptr : nil
        parallelItems(C, elementsPerItem: n) { range in
            for c in range {
                let mean = mu[c], istd = istds[c]
                let (sdy, sdyc) = gradientSums(dy + c * S, x + c * S, mean: mean, planes: batch, stride: stride, count: S)
                let sdyx = sdyc * Double(istd)   // Σ dy·x̂ = istd·Σ dy·(x − mean)
                if let gGrad, let bGrad { gGrad[c] = Float(sdyx); bGrad[c] = Float(sdy) }
                guard inputGradient else { continue }
                let k = (gamma?[c] ?? 1) * istd
                // Batch statistics depend on x too: dx = γ·istd·(dy − mean(dy) − x̂·mean(dy·x̂)).
                let mdy = batchStats ? Float(sdy / Double(n)) : 0, mdyx = batchStats ? Float(sdyx / Double(n)) : 0
                for p in 0..<batch {
                    let off = p * stride + c * S
                    inputGradientRun(dy + off, x + off, mean: mean, istd: istd, k: k, mdy: mdy, mdyx: mdyx, dx: d + off, count: S)
                }
            }
        }
        return inputGradient ? UnsafePointer(dx.ptr) : nil
    }
}

// Vector kernels of BatchNorm over one run of a channel. Sums accumulate in 16-wide Float lanes over
// blocks of at most `bnBlock` values (≤ 64 terms a lane) and are folded into Doubles per block, so
// the error stays near Double's while the inner loops stay 16-wide Float; the order is fixed.
private typealias F16 = SIMD16<Float>
private let bnBlock = 1024
@inline(__always) private func ld16(_ p: UnsafePointer<Float>) -> F16 { UnsafeRawPointer(p).loadUnaligned(as: F16.self) }
@inline(__always) private func st16(_ p: UnsafeMutablePointer<Float>, _ v: F16) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: F16.self) }

/// Mean and Σ(x − mean)² (in Double) of `planes` runs of `count` values, `stride` apart: each block's
/// mean and squared deviations from it (two passes over data in L1), combined block by block with
/// Chan's parallel-variance update, which has no cancellation for data far from zero.
@inline(__always) private func meanAndSquaredDeviations(_ x: UnsafePointer<Float>, planes: Int, stride: Int,
                                                        count: Int) -> (Double, Double) {
    var seen = 0.0, mean = 0.0, m2 = 0.0
    for p in 0..<planes {
        let run = x + p * stride
        var lo = 0
        while lo < count {
            let len = Swift.min(bnBlock, count - lo), q = run + lo
            var a = F16(), b = F16(), i = 0
            while i + 32 <= len { a += ld16(q + i); b += ld16(q + i + 16); i += 32 }
            if i + 16 <= len { a += ld16(q + i); i += 16 }
            var s = (a + b).sum()
            while i < len { s += q[i]; i += 1 }
            let blockMean = Double(s) / Double(len), bm = Float(blockMean), vm = F16(repeating: bm)
            a = F16(); b = F16(); i = 0
            while i + 32 <= len {
                let u = ld16(q + i) - vm, v = ld16(q + i + 16) - vm
                a += u * u; b += v * v; i += 32
            }
            if i + 16 <= len { let u = ld16(q + i) - vm; a += u * u; i += 16 }
            var ss = (a + b).sum()
            while i < len { let u = q[i] - bm; ss += u * u; i += 1 }
            let total = seen + Double(len), delta = blockMean - mean
            mean += delta * Double(len) / total
            m2 += Double(ss) + delta * delta * seen * Double(len) / total
            seen = total
            lo += len
        }
    }
    return (mean, m2)
}

/// (Σ dy, Σ dy·(x − mean)) in Double over `planes` runs of `count` values, `stride` apart.
@inline(__always) private func gradientSums(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, mean: Float, planes: Int,
                                            stride: Int, count: Int) -> (Double, Double) {
    let vm = F16(repeating: mean)
    var sdy = 0.0, sdyx = 0.0
    for p in 0..<planes {
        let g = dy + p * stride, q = x + p * stride
        var lo = 0
        while lo < count {
            let hi = Swift.min(count, lo + bnBlock)
            var a = F16(), b = F16(), i = lo
            while i + 16 <= hi { let v = ld16(g + i); a += v; b += v * (ld16(q + i) - vm); i += 16 }
            var s = a.sum(), t = b.sum()
            while i < hi { s += g[i]; t += g[i] * (q[i] - mean); i += 1 }
            sdy += Double(s); sdyx += Double(t)
            lo = hi
        }
    }
    return (sdy, sdyx)
}

/// out = g·x̂ + b, x̂ = (x − mean)·istd, over one run.
@inline(__always) private func normalise(_ x: UnsafePointer<Float>, mean: Float, istd: Float, g: Float, b: Float,
                                         out: UnsafeMutablePointer<Float>, count: Int) {
    let vm = F16(repeating: mean), vs = F16(repeating: istd), vg = F16(repeating: g), vb = F16(repeating: b)
    var i = 0
    while i + 16 <= count {
        st16(out + i, vg * ((ld16(x + i) - vm) * vs) + vb)
        i += 16
    }
    while i < count { out[i] = g * ((x[i] - mean) * istd) + b; i += 1 }
}

/// dx = k·(dy − mdy − x̂·mdyx), x̂ = (x − mean)·istd, over one run (mdy = mdyx = 0 with fixed statistics).
@inline(__always) private func inputGradientRun(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, mean: Float, istd: Float,
                                                k: Float, mdy: Float, mdyx: Float, dx: UnsafeMutablePointer<Float>, count: Int) {
    let vk = F16(repeating: k), vd = F16(repeating: mdy), vx = F16(repeating: mdyx)
    let vm = F16(repeating: mean), vs = F16(repeating: istd)
    var i = 0
    while i + 16 <= count { st16(dx + i, vk * (ld16(dy + i) - vd - ((ld16(x + i) - vm) * vs) * vx)); i += 16 }
    while i < count { dx[i] = k * (dy[i] - mdy - ((x[i] - mean) * istd) * mdyx); i += 1 }
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
