import PerceptCore

/// One stage of a network with its own forward and backward pass.
///
/// Shapes are per sample, batch excluded, PyTorch order (`[C, H, W]`, `[features]`); batches are
/// contiguous `[batch] + shape` float arrays. A layer is configured from named parameters
/// (`static var parameters`, PyTorch names), sized by `build(inputShape:)`, and then runs
/// `forward`/`backward` on buffers it owns, which stay valid until its next call.
///
///     let conv = try Conv2D(outChannels: 8, kernelSize: 3)
public protocol Layer: AnyObject, Component {
    /// Validates every option; shape checks wait for `build`.
    init(_ params: Parameters) throws
    /// The options as given (for the architecture record in checkpoints).
    var values: [String: Value] { get }
    /// Checks the input shape, creates and initialises parameters, returns the output shape.
    /// Throws `ShapeMismatch` when the input does not fit.
    func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int]
    /// Trainable tensors in a fixed order (`weight`, then `bias`).
    var weights: [Param] { get }
    /// Computes the output for `batch` samples; keeps what backward needs.
    func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float>
    /// Writes parameter gradients (overwriting) and returns d(loss)/d(input) when `inputGradient`.
    func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>?
}

extension Layer {
    public var weights: [Param] { [] }
}

/// What a forward pass needs besides the data: the phase and a random stream for this layer
/// and step (Dropout), derived from the run's seed so resumed runs draw the same numbers.
public struct ForwardContext: Sendable {
    public var training: Bool
    public var rng: RandomStream
    public init(training: Bool, rng: RandomStream = RandomStream(seed: 0)) {
        self.training = training; self.rng = rng
    }
}

/// Thrown by `Layer.build` when the input shape does not fit; `Sequential` adds the layer's
/// index and name, so the message reads `layer 3 (dense): expects [1000], got [1600]`.
public struct ShapeMismatch: Error, Sendable {
    public let expected: String
    public init(expected: String) { self.expected = expected }
}

/// Shape text for messages: `[1, 28, 28]`.
func shapeText(_ s: [Int]) -> String { "[" + s.map(String.init).joined(separator: ", ") + "]" }

/// Runs `body` over `count` independent items on the Parallel workers, but only when each
/// worker gets enough work (`elementsPerItem` floats) to repay the dispatch.
func parallelItems(_ count: Int, elementsPerItem: Int, _ body: (Range<Int>) -> Void) {
    let minChunk = Swift.max(1, 32_768 / Swift.max(1, elementsPerItem))
    Parallel.forChunks(count: count, minChunk: minChunk, body)
}

/// Copies `n` floats with 8-wide vector moves (the last move may overlap: same data, so harmless).
@inline(__always) func copyRun(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
    if n < 8 {
        for i in 0..<n { dst[i] = src[i] }
        return
    }
    var i = 0
    while i + 8 <= n {
        UnsafeMutableRawPointer(dst + i).storeBytes(of: UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
        i += 8
    }
    if i < n {
        UnsafeMutableRawPointer(dst + n - 8).storeBytes(of: UnsafeRawPointer(src + n - 8).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
    }
}

/// `dst[i] += src[i]` for `n` floats, 8 at a time.
@inline(__always) func addRun(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
    var i = 0
    while i + 8 <= n {
        let a = UnsafeRawPointer(dst + i).loadUnaligned(as: SIMD8<Float>.self)
        let b = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(dst + i).storeBytes(of: a + b, as: SIMD8<Float>.self)
        i += 8
    }
    while i < n { dst[i] += src[i]; i += 1 }
}

/// Sum of `n` floats with vector accumulators (a plain `+=` loop is a serial dependency chain).
@inline(__always) func sumRun(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var a = SIMD8<Float>(), b = SIMD8<Float>()
    var i = 0
    while i + 16 <= n {
        a += UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
        b += UnsafeRawPointer(p + i + 8).loadUnaligned(as: SIMD8<Float>.self)
        i += 16
    }
    var s = (a + b).sum()
    while i < n { s += p[i]; i += 1 }
    return s
}
