import CPerceptNNKernels
import Foundation
import PerceptCore

/// Updates parameters from their gradients (PyTorch `torch.optim` semantics).
///
/// Shared options: `lr`, `weight_decay` (L2 added to the gradient; decoupled in AdamW) and `l1`
/// (an L1 penalty: `l1 · sign(w)` added to the gradient). Per-parameter state (momentum, moments)
/// is kept by parameter name so it can be saved in a checkpoint and restored exactly.
///
///     let opt = try Adam(lr: 1e-3)
public class Optimizer: Component {
    public class var name: String { "" }
    public class var summary: String { "" }
    /// Options of this optimizer (shared ones first).
    public class var parameters: [ParameterSpec] { [] }
    /// Names of the per-parameter state buffers, e.g. `exp_avg`, `exp_avg_sq`.
    class var slotNames: [String] { [] }

    static func common(lr: Float, weightDecay: Float = 0) -> [ParameterSpec] {
        [ParameterSpec("lr", .float, default: .of(lr), doc: "learning rate"),
         ParameterSpec("weight_decay", .float, default: .of(weightDecay), doc: "L2 penalty coefficient"),
         ParameterSpec("l1", .float, default: "0", doc: "L1 penalty coefficient")]
    }

    public let values: [String: Value]
    /// The configured learning rate; schedules scale from it.
    public let baseLR: Float
    /// The learning rate the next step uses.
    public var lr: Float
    public let weightDecay: Float
    public let l1: Float
    /// Number of updates done so far.
    public internal(set) var step = 0
    var state: [String: [FloatBuffer]] = [:]

    public required init(_ params: Parameters) throws {
        values = params.values
        baseLR = try params.float("lr")
        guard baseLR >= 0 else { throw params.invalid("lr", "must be ≥ 0") }
        lr = baseLR
        weightDecay = try params.float("weight_decay")
        guard weightDecay >= 0 else { throw params.invalid("weight_decay", "must be ≥ 0") }
        l1 = try params.float("l1")
        guard l1 >= 0 else { throw params.invalid("l1", "must be ≥ 0") }
    }

    /// Tensors with at least this many elements are updated in parallel chunks.
    static let parallelElements = 1 << 16

    /// Whether `weight_decay` is added to the gradient (false for AdamW's decoupled decay).
    var coupledDecay: Bool { true }

    /// One update of every parameter from its current gradient.
    public func update(_ params: [(name: String, param: Param)]) {
        step += 1
        prepareStep()
        for (name, p) in params {
            let n = p.count
            let slots = slots(for: name, count: n)
            let w = p.value.ptr, g = p.grad.ptr
            let decay = coupledDecay ? weightDecay : 0, l1 = self.l1
            func run(_ r: Range<Int>) {
                if decay != 0 { for i in r { g[i] += decay * w[i] } }
                if l1 != 0 { for i in r { g[i] += w[i] > 0 ? l1 : (w[i] < 0 ? -l1 : 0) } }
                apply(w, g, r, slots)
            }
            // Element-wise rules: any split gives the same result, so large tensors use every core.
            if n >= Optimizer.parallelElements {
                Parallel.forChunks(count: n, minChunk: Optimizer.parallelElements / 2) { run($0) }
            } else {
                run(0..<n)
            }
        }
    }

    func slots(for name: String, count: Int) -> [FloatBuffer] {
        if let s = state[name] { return s }
        let s = type(of: self).slotNames.map { _ in FloatBuffer(count: count) }
        state[name] = s
        return s
    }

    /// Per-step scalars (bias corrections); called once before the parameter loop.
    func prepareStep() {}

    /// The update rule for elements `r` of one parameter tensor (and of its state buffers).
    func apply(_ w: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ r: Range<Int>, _ s: [FloatBuffer]) {}

    /// State buffers as tensors named `<param>.<slot>` (e.g. `0.weight.exp_avg`), for checkpoints.
    public func stateTensors(_ params: [(name: String, param: Param)]) -> [(String, Tensor)] {
        var out: [(String, Tensor)] = []
        for (name, p) in params {
            guard let s = state[name] else { continue }
            for (slot, buf) in zip(type(of: self).slotNames, s) {
                out.append(("\(name).\(slot)", Tensor(unchecked: p.shape, data: buf.array(p.count))))
            }
        }
        return out
    }

    /// Restores state saved by `stateTensors`; shapes must match the model's parameters.
    public func loadState(_ tensors: [String: Tensor], step: Int, params: [(name: String, param: Param)]) throws {
        self.step = step
        state = [:]
        for (name, p) in params {
            let names = type(of: self).slotNames.map { "\(name).\($0)" }
            let present = names.compactMap { tensors[$0] }
            if present.isEmpty { continue }
            guard present.count == names.count else {
                throw PerceptError.invalidArgument(field: "optimizer", "state for \(name) is incomplete")
            }
            var bufs: [FloatBuffer] = []
            for (label, t) in zip(names, present) {
                guard t.shape == p.shape else {
                    throw PerceptError.invalidArgument(field: "optimizer.\(label)", "shape \(t.shape) does not match the parameter's \(p.shape)")
                }
                let b = FloatBuffer(count: p.count)
                t.withUnsafeBufferPointer { src in if let a = src.baseAddress { b.ptr.update(from: a, count: p.count) } }
                bufs.append(b)
            }
            state[name] = bufs
        }
    }
}

/// Every optimizer by name; register your own subclass with `OptimizerRegistry.shared.register(MyOpt.self)`.
///
///     let sgd = try OptimizerRegistry.make("sgd", ["lr": 0.1, "momentum": 0.9, "nesterov": true])   // = SGD(lr: 0.1, momentum: 0.9, nesterov: true)
public enum OptimizerRegistry {
    public static let shared: Registry<Optimizer> = {
        let r = Registry<Optimizer>(kind: "optimizer")
        for t in [SGD.self, AdaGrad.self, RMSprop.self, Adam.self, AdamW.self] as [Optimizer.Type] { r.register(t) }
        return r
    }()

    public static func make(_ name: String, _ values: [String: Value] = [:], naming: Parameters.Naming = .yaml,
                            path: String? = nil, origin: Origin = .code) throws -> Optimizer {
        try shared.make(name, values, naming: naming, path: path, origin: origin)
    }
}

extension Registry where Product == Optimizer {
    /// Registers an optimizer class, built through its `init(_ params:)`.
    public func register(_ type: Optimizer.Type) { register(type) { try type.init($0) } }
}

/// Stochastic gradient descent with optional (Nesterov) momentum.
///
///     let sgd = try SGD(lr: 0.1, momentum: 0.9, nesterov: true)
public final class SGD: Optimizer {
    override public class var name: String { "sgd" }
    override public class var summary: String { "SGD with optional momentum / Nesterov" }
    override public class var parameters: [ParameterSpec] {
        common(lr: 0.01) + [
            ParameterSpec("momentum", .float, default: "0", doc: "momentum factor"),
            ParameterSpec("dampening", .float, default: "0", doc: "dampening for momentum", requires: "momentum"),
            ParameterSpec("nesterov", .bool, default: "false", doc: "use Nesterov momentum"),
        ]
    }
    override class var slotNames: [String] { ["momentum_buffer"] }
    let momentum: Float, dampening: Float, nesterov: Bool

    public required init(_ params: Parameters) throws {
        momentum = try params.float("momentum")
        dampening = try params.float("dampening")
        nesterov = try params.bool("nesterov")
        try super.init(params)
        guard momentum >= 0 else { throw params.invalid("momentum", "must be ≥ 0") }
        if nesterov && (momentum <= 0 || dampening != 0) { throw params.invalid("nesterov", "needs momentum > 0 and dampening 0") }
    }

    /// The typed form (PyTorch `torch.optim.SGD` names and order); nil means the spec default.
    public convenience init(lr: Float? = nil, momentum: Float? = nil, dampening: Float? = nil, weightDecay: Float? = nil,
                            nesterov: Bool? = nil, l1: Float? = nil) throws {
        try self.init(Self.parameters(given(["lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weightDecay,
                                             "nesterov": nesterov, "l1": l1])))
    }

    override func apply(_ w: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ r: Range<Int>, _ s: [FloatBuffer]) {
        let lr = self.lr
        guard momentum != 0 else { for i in r { w[i] -= lr * g[i] }; return }
        let buf = s[0].ptr, mu = momentum, damp = 1 - dampening
        let first = step == 1
        for i in r {
            let b = first ? g[i] : mu * buf[i] + damp * g[i]
            buf[i] = b
            w[i] -= lr * (nesterov ? g[i] + mu * b : b)
        }
    }
}

/// AdaGrad: per-element steps scaled by the root of the summed squared gradients.
///
///     let opt = try AdaGrad(lr: 0.05)
public final class AdaGrad: Optimizer {
    override public class var name: String { "adagrad" }
    override public class var summary: String { "AdaGrad" }
    override public class var parameters: [ParameterSpec] {
        common(lr: 0.01) + [
            ParameterSpec("lr_decay", .float, default: "0", doc: "learning-rate decay per step"),
            ParameterSpec("eps", .float, default: "1e-10", doc: "added to the denominator"),
        ]
    }
    override class var slotNames: [String] { ["sum"] }
    let lrDecay: Float, eps: Float

    public required init(_ params: Parameters) throws {
        lrDecay = try params.float("lr_decay")
        eps = try params.float("eps")
        try super.init(params)
    }

    /// The typed form (PyTorch `torch.optim.Adagrad` names and order); nil means the spec default.
    public convenience init(lr: Float? = nil, lrDecay: Float? = nil, weightDecay: Float? = nil, eps: Float? = nil, l1: Float? = nil) throws {
        try self.init(Self.parameters(given(["lr": lr, "lr_decay": lrDecay, "weight_decay": weightDecay, "eps": eps, "l1": l1])))
    }

    override func apply(_ w: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ r: Range<Int>, _ s: [FloatBuffer]) {
        let clr = lr / (1 + Float(step - 1) * lrDecay), sum = s[0].ptr
        for i in r {
            sum[i] += g[i] * g[i]
            w[i] -= clr * g[i] / (sum[i].squareRoot() + eps)
        }
    }
}

/// RMSprop with optional momentum and centring.
///
///     let opt = try RMSprop(lr: 1e-3, momentum: 0.9)
public final class RMSprop: Optimizer {
    override public class var name: String { "rmsprop" }
    override public class var summary: String { "RMSprop" }
    override public class var parameters: [ParameterSpec] {
        common(lr: 0.01) + [
            ParameterSpec("alpha", .float, default: "0.99", doc: "smoothing constant of the squared-gradient average"),
            ParameterSpec("eps", .float, default: "1e-8", doc: "added to the denominator"),
            ParameterSpec("momentum", .float, default: "0", doc: "momentum factor"),
            ParameterSpec("centered", .bool, default: "false", doc: "normalise by the estimated variance"),
        ]
    }
    override class var slotNames: [String] { ["square_avg", "momentum_buffer", "grad_avg"] }
    let alpha: Float, eps: Float, momentum: Float, centered: Bool

    public required init(_ params: Parameters) throws {
        alpha = try params.float("alpha")
        eps = try params.float("eps")
        momentum = try params.float("momentum")
        centered = try params.bool("centered")
        try super.init(params)
        guard alpha >= 0 && alpha <= 1 else { throw params.invalid("alpha", "must be in [0, 1]") }
    }

    /// The typed form (PyTorch `torch.optim.RMSprop` names and order); nil means the spec default.
    public convenience init(lr: Float? = nil, alpha: Float? = nil, eps: Float? = nil, weightDecay: Float? = nil,
                            momentum: Float? = nil, centered: Bool? = nil, l1: Float? = nil) throws {
        try self.init(Self.parameters(given(["lr": lr, "alpha": alpha, "eps": eps, "weight_decay": weightDecay,
                                             "momentum": momentum, "centered": centered, "l1": l1])))
    }

    override func apply(_ w: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ r: Range<Int>, _ s: [FloatBuffer]) {
        let sq = s[0].ptr, buf = s[1].ptr, ga = s[2].ptr, a = alpha, lr = self.lr
        for i in r {
            sq[i] = a * sq[i] + (1 - a) * g[i] * g[i]
            var avg = sq[i]
            if centered { ga[i] += (1 - a) * (g[i] - ga[i]); avg -= ga[i] * ga[i] }
            let denom = avg.squareRoot() + eps
            if momentum > 0 {
                buf[i] = momentum * buf[i] + g[i] / denom
                w[i] -= lr * buf[i]
            } else {
                w[i] -= lr * g[i] / denom
            }
        }
    }
}

/// Adam (Kingma & Ba) with bias correction; `weight_decay` is L2 added to the gradient.
///
///     let opt = try Adam(lr: 1e-3)
public class Adam: Optimizer {
    override public class var name: String { "adam" }
    override public class var summary: String { "Adam" }
    override public class var parameters: [ParameterSpec] {
        common(lr: 0.001) + [
            ParameterSpec("beta1", .float, default: "0.9", doc: "decay of the first-moment average"),
            ParameterSpec("beta2", .float, default: "0.999", doc: "decay of the second-moment average"),
            ParameterSpec("eps", .float, default: "1e-8", doc: "added to the denominator"),
        ]
    }
    override class var slotNames: [String] { ["exp_avg", "exp_avg_sq"] }
    let beta1: Float, beta2: Float, eps: Float
    var stepSize: Float = 0, bc2Sqrt: Float = 1

    public required init(_ params: Parameters) throws {
        beta1 = try params.float("beta1")
        beta2 = try params.float("beta2")
        eps = try params.float("eps")
        try super.init(params)
        guard beta1 >= 0 && beta1 < 1 else { throw params.invalid("beta1", "must be in [0, 1)") }
        guard beta2 >= 0 && beta2 < 1 else { throw params.invalid("beta2", "must be in [0, 1)") }
    }

    /// The typed form (PyTorch `torch.optim.Adam` names, `betas` as `beta1`, `beta2`); nil means the
    /// spec default. `AdamW` inherits it, with its own defaults (`Self` is the class built).
    public convenience init(lr: Float? = nil, beta1: Float? = nil, beta2: Float? = nil, eps: Float? = nil,
                            weightDecay: Float? = nil, l1: Float? = nil) throws {
        try self.init(Self.parameters(given(["lr": lr, "beta1": beta1, "beta2": beta2, "eps": eps,
                                             "weight_decay": weightDecay, "l1": l1])))
    }

    override func prepareStep() {
        let t = Double(step)
        stepSize = Float(Double(lr) / (1 - pow(Double(beta1), t)))
        bc2Sqrt = Float((1 - pow(Double(beta2), t)).squareRoot())
    }

    override func apply(_ w: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ r: Range<Int>, _ s: [FloatBuffer]) {
        let m = s[0].ptr, v = s[1].ptr, b1 = beta1, b2 = beta2, ss = stepSize, inv = 1 / bc2Sqrt, e = eps
        // The C kernels vectorize the same unfused operations (Swift leaves this loop scalar): same bits.
        let lo = r.lowerBound
        switch GemmKernel.active {
        case .avx512: pnn_adam(r.count, w + lo, g + lo, m + lo, v + lo, 1 - b1, b2, 1 - b2, ss, inv, e); return
        case .avx2: pnn_adam_avx2(r.count, w + lo, g + lo, m + lo, v + lo, 1 - b1, b2, 1 - b2, ss, inv, e); return
        case .blas: break
        }
        for i in r {
            let gi = g[i]
            m[i] += (1 - b1) * (gi - m[i])
            v[i] = b2 * v[i] + (1 - b2) * gi * gi
            w[i] -= ss * m[i] / (v[i].squareRoot() * inv + e)
        }
    }
}

/// AdamW (Loshchilov & Hutter): Adam with weight decay applied to the weights, not the gradient.
/// Its typed initialiser is Adam's (same names), with AdamW's defaults.
///
///     let opt = try AdamW(lr: 1e-3, weightDecay: 0.05)
public final class AdamW: Adam {
    override public class var name: String { "adamw" }
    override public class var summary: String { "Adam with decoupled weight decay" }
    override public class var parameters: [ParameterSpec] {
        common(lr: 0.001, weightDecay: 0.01) + [
            ParameterSpec("beta1", .float, default: "0.9", doc: "decay of the first-moment average"),
            ParameterSpec("beta2", .float, default: "0.999", doc: "decay of the second-moment average"),
            ParameterSpec("eps", .float, default: "1e-8", doc: "added to the denominator"),
        ]
    }
    override var coupledDecay: Bool { false }

    override func apply(_ w: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ r: Range<Int>, _ s: [FloatBuffer]) {
        let decay = 1 - lr * weightDecay
        for i in r { w[i] *= decay }
        super.apply(w, g, r, s)
    }
}

/// Scales all gradients so their global L2 norm is at most `maxNorm` (PyTorch `clip_grad_norm_`);
/// returns the norm before clipping.
@discardableResult
public func clipGradientNorm(_ params: [(name: String, param: Param)], maxNorm: Float) -> Double {
    var total = 0.0
    for (_, p) in params {
        let g = p.grad.ptr
        for i in 0..<p.count { total += Double(g[i]) * Double(g[i]) }
    }
    let norm = total.squareRoot()
    let coef = Double(maxNorm) / (norm + 1e-6)
    if coef < 1 {
        let c = Float(coef)
        for (_, p) in params { let g = p.grad.ptr; for i in 0..<p.count { g[i] *= c } }
    }
    return norm
}
