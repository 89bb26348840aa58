import Foundation
import PerceptCore

/// Shared storage of the elementwise activations: output and input-gradient buffers sized per batch.
final class ElementwiseState {
    var size = 0
    let out = FloatBuffer(), dx = FloatBuffer()
    var input: UnsafePointer<Float>?

    func begin(_ x: UnsafePointer<Float>, _ batch: Int) -> (UnsafeMutablePointer<Float>, Int) {
        input = x
        out.ensure(batch * size)
        return (out.ptr, batch * size)
    }

    func beginBackward(_ batch: Int) -> (UnsafeMutablePointer<Float>, Int) {
        dx.ensure(batch * size)
        return (dx.ptr, batch * size)
    }
}

/// `max(0, x)`.
///
///     let relu = try LayerRegistry.make("relu", [:])
public final class ReLU: Layer {
    public static let typeName = "relu"
    public static let summary = "rectified linear unit max(0, x)"
    public static let parameters: [ParameterSpec] = []
    public let values: [String: String]
    let st = ElementwiseState()
    /// Set by `Sequential` when the previous Conv2D/Dense applies this ReLU itself.
    var fusedIntoPrevious = false
    public init(_ params: Parameters) throws { values = params.values }
    public func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] { st.size = Tensor.count(of: inputShape); return inputShape }
    public func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float> {
        if fusedIntoPrevious { return x }
        let (y, n) = st.begin(x, batch)
        for i in 0..<n { y[i] = Swift.max(x[i], 0) }
        return UnsafePointer(y)
    }
    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        if fusedIntoPrevious { return inputGradient ? dy : nil }
        guard inputGradient, let x = st.input else { return nil }
        let (d, n) = st.beginBackward(batch)
        for i in 0..<n { d[i] = x[i] > 0 ? dy[i] : 0 }
        return UnsafePointer(d)
    }
}

/// `x` for x > 0, else `negative_slope · x` (PyTorch `nn.LeakyReLU`).
///
///     let lrelu = try LayerRegistry.make("leaky_relu", ["negative_slope": "0.1"])
public final class LeakyReLU: Layer {
    public static let typeName = "leaky_relu"
    public static let summary = "leaky rectifier: x > 0 ? x : negative_slope * x"
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("negative_slope", .float, default: "0.01", doc: "slope for negative inputs"),
    ]
    public let values: [String: String]
    public let slope: Float
    let st = ElementwiseState()
    public init(_ params: Parameters) throws { values = params.values; slope = try params.float("negative_slope") ?? 0.01 }
    public func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] { st.size = Tensor.count(of: inputShape); return inputShape }
    public func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float> {
        let (y, n) = st.begin(x, batch)
        for i in 0..<n { y[i] = x[i] > 0 ? x[i] : slope * x[i] }
        return UnsafePointer(y)
    }
    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        guard inputGradient, let x = st.input else { return nil }
        let (d, n) = st.beginBackward(batch)
        for i in 0..<n { d[i] = x[i] > 0 ? dy[i] : slope * dy[i] }
        return UnsafePointer(d)
    }
}

/// `x` for x > 0, else `alpha · (eˣ - 1)` (PyTorch `nn.ELU`).
///
///     let elu = try LayerRegistry.make("elu", ["alpha": "1.0"])
public final class ELU: Layer {
    public static let typeName = "elu"
    public static let summary = "exponential linear unit: x > 0 ? x : alpha * (exp(x) - 1)"
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("alpha", .float, default: "1.0", doc: "saturation value for negative inputs"),
    ]
    public let values: [String: String]
    public let alpha: Float
    let st = ElementwiseState()
    public init(_ params: Parameters) throws { values = params.values; alpha = try params.float("alpha") ?? 1 }
    public func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] { st.size = Tensor.count(of: inputShape); return inputShape }
    public func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float> {
        let (y, n) = st.begin(x, batch)
        for i in 0..<n { y[i] = x[i] > 0 ? x[i] : alpha * expm1(x[i]) }
        return UnsafePointer(y)
    }
    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        guard inputGradient, let x = st.input else { return nil }
        let y = st.out.ptr
        let (d, n) = st.beginBackward(batch)
        for i in 0..<n { d[i] = x[i] > 0 ? dy[i] : dy[i] * (y[i] + alpha) }
        return UnsafePointer(d)
    }
}

/// The logistic function `1 / (1 + e⁻ˣ)`.
///
///     let s = try LayerRegistry.make("sigmoid", [:])
public final class Sigmoid: Layer {
    public static let typeName = "sigmoid"
    public static let summary = "logistic function 1 / (1 + exp(-x))"
    public static let parameters: [ParameterSpec] = []
    public let values: [String: String]
    let st = ElementwiseState()
    public init(_ params: Parameters) throws { values = params.values }
    public func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] { st.size = Tensor.count(of: inputShape); return inputShape }
    public func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float> {
        let (y, n) = st.begin(x, batch)
        for i in 0..<n { y[i] = stableSigmoid(x[i]) }
        return UnsafePointer(y)
    }
    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        guard inputGradient else { return nil }
        let y = st.out.ptr
        let (d, n) = st.beginBackward(batch)
        for i in 0..<n { d[i] = dy[i] * y[i] * (1 - y[i]) }
        return UnsafePointer(d)
    }
}

/// Hyperbolic tangent.
///
///     let t = try LayerRegistry.make("tanh", [:])
public final class Tanh: Layer {
    public static let typeName = "tanh"
    public static let summary = "hyperbolic tangent"
    public static let parameters: [ParameterSpec] = []
    public let values: [String: String]
    let st = ElementwiseState()
    public init(_ params: Parameters) throws { values = params.values }
    public func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] { st.size = Tensor.count(of: inputShape); return inputShape }
    public func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float> {
        let (y, n) = st.begin(x, batch)
        for i in 0..<n { y[i] = tanh(x[i]) }
        return UnsafePointer(y)
    }
    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        guard inputGradient else { return nil }
        let y = st.out.ptr
        let (d, n) = st.beginBackward(batch)
        for i in 0..<n { d[i] = dy[i] * (1 - y[i] * y[i]) }
        return UnsafePointer(d)
    }
}

/// Sigmoid without overflow for large |x|.
@inline(__always) func stableSigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + exp(-x)) }
    let e = exp(x)
    return e / (1 + e)
}
