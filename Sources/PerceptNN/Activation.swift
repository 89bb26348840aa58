import Foundation
import PerceptCore

/// Shared storage of the elementwise activations: output and input-gradient buffers sized per batch.
final class ElementwiseState {
    var size = 0
    let out = FloatBuffer(), dx = FloatBuffer()
    var input: UnsafePointer<Float>?

    /// Records the per-sample size; activations keep the shape.
    func build(_ inputShape: [Int]) -> [Int] { size = Tensor.count(of: inputShape); return inputShape }

    /// `y[i] = f(x[i])` over the batch.
    @inline(__always) func map(_ x: UnsafePointer<Float>, _ batch: Int, _ f: (Float) -> Float) -> UnsafePointer<Float> {
        input = x
        let n = batch * size
        out.ensure(n)
        let y = out.ptr
        for i in 0..<n { y[i] = f(x[i]) }
        return UnsafePointer(y)
    }

    /// `dx[i] = g(x[i], y[i], dy[i])` over the batch (x the last input, y the last output), or nil
    /// when no input gradient is wanted.
    @inline(__always) func mapBackward(_ dy: UnsafePointer<Float>, _ batch: Int, _ inputGradient: Bool,
                                       _ g: (Float, Float, Float) -> Float) -> UnsafePointer<Float>? {
        guard inputGradient, let x = input else { return nil }
        let n = batch * size
        dx.ensure(n)
        let y = out.ptr, d = dx.ptr
        for i in 0..<n { d[i] = g(x[i], y[i], dy[i]) }
        return UnsafePointer(d)
    }
}

/// `max(0, x)`.
///
///     let relu = ReLU()
public final class ReLU: Layer {
    public static let name = "relu", summary = "rectified linear unit max(0, x)"
    public static let parameters: [ParameterSpec] = []
    public let values: [String: Value]
    let st = ElementwiseState()
    /// Set by `Sequential` when the previous Conv2D/Dense applies this ReLU itself.
    var fusedIntoPrevious = false
    public init(_ params: Parameters) throws { values = params.values }
    /// No options: the same as the registry builds from an empty option list.
    public init() { values = [:] }
    public func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] { st.build(inputShape) }
    public func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float> {
        if fusedIntoPrevious { return x }
        return st.map(x, batch) { Swift.max($0, 0) }
    }
    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        if fusedIntoPrevious { return inputGradient ? dy : nil }
        return st.mapBackward(dy, batch, inputGradient) { x, _, g in x > 0 ? g : 0 }
    }
}

/// `x` for x > 0, else `negative_slope · x` (PyTorch `nn.LeakyReLU`).
///
///     let lrelu = try LeakyReLU(negativeSlope: 0.1)
public final class LeakyReLU: Layer {
    public static let name = "leaky_relu", summary = "leaky rectifier: x > 0 ? x : negative_slope * x"
    public static let aliases = ["leakyrelu"]
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("negative_slope", .float, default: "0.01", doc: "slope for negative inputs"),
    ]
    public let values: [String: Value]
    public let slope: Float
    let st = ElementwiseState()
    public init(_ params: Parameters) throws { values = params.values; slope = try params.float("negative_slope") }
    /// The typed form (PyTorch `nn.LeakyReLU`); nil means the spec default.
    public convenience init(negativeSlope: Float? = nil) throws { try self.init(Self.parameters(given(["negative_slope": negativeSlope]))) }
    public func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] { st.build(inputShape) }
    public func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float> {
        let slope = self.slope
        return st.map(x, batch) { $0 > 0 ? $0 : slope * $0 }
    }
    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        let slope = self.slope
        return st.mapBackward(dy, batch, inputGradient) { x, _, g in x > 0 ? g : slope * g }
    }
}

/// `x` for x > 0, else `alpha · (eˣ - 1)` (PyTorch `nn.ELU`).
///
///     let elu = try ELU(alpha: 0.5)
public final class ELU: Layer {
    public static let name = "elu", summary = "exponential linear unit: x > 0 ? x : alpha * (exp(x) - 1)"
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("alpha", .float, default: "1.0", doc: "saturation value for negative inputs"),
    ]
    public let values: [String: Value]
    public let alpha: Float
    let st = ElementwiseState()
    public init(_ params: Parameters) throws { values = params.values; alpha = try params.float("alpha") }
    /// The typed form (PyTorch `nn.ELU`); nil means the spec default.
    public convenience init(alpha: Float? = nil) throws { try self.init(Self.parameters(given(["alpha": alpha]))) }
    public func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] { st.build(inputShape) }
    public func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float> {
        let alpha = self.alpha
        return st.map(x, batch) { $0 > 0 ? $0 : alpha * expm1($0) }
    }
    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        let alpha = self.alpha
        return st.mapBackward(dy, batch, inputGradient) { x, y, g in x > 0 ? g : g * (y + alpha) }
    }
}

/// The logistic function `1 / (1 + e⁻ˣ)`.
///
///     let s = Sigmoid()
public final class Sigmoid: Layer {
    public static let name = "sigmoid", summary = "logistic function 1 / (1 + exp(-x))"
    public static let parameters: [ParameterSpec] = []
    public let values: [String: Value]
    let st = ElementwiseState()
    public init(_ params: Parameters) throws { values = params.values }
    /// No options: the same as the registry builds from an empty option list.
    public init() { values = [:] }
    public func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] { st.build(inputShape) }
    public func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float> {
        st.map(x, batch) { stableSigmoid($0) }
    }
    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        st.mapBackward(dy, batch, inputGradient) { _, y, g in g * y * (1 - y) }
    }
}

/// Hyperbolic tangent.
///
///     let t = Tanh()
public final class Tanh: Layer {
    public static let name = "tanh", summary = "hyperbolic tangent"
    public static let parameters: [ParameterSpec] = []
    public let values: [String: Value]
    let st = ElementwiseState()
    public init(_ params: Parameters) throws { values = params.values }
    /// No options: the same as the registry builds from an empty option list.
    public init() { values = [:] }
    public func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] { st.build(inputShape) }
    public func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float> {
        st.map(x, batch) { tanh($0) }
    }
    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        st.mapBackward(dy, batch, inputGradient) { _, y, g in g * (1 - y * y) }
    }
}

/// Sigmoid without overflow for large |x|.
@inline(__always) func stableSigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + exp(-x)) }
    let e = exp(x)
    return e / (1 + e)
}
