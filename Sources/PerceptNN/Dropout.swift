import PerceptCore

/// Inverted dropout (PyTorch `nn.Dropout`): while training, zeroes each element with probability `p`
/// and scales the rest by 1/(1-p); identity at inference. The mask comes from the step's seeded stream.
///
///     let drop = try Dropout(p: 0.25)
public final class Dropout: Layer {
    public static let name = "dropout", summary = "randomly zero elements while training (inverted scaling)"
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("p", .float, default: "0.5", doc: "probability of zeroing an element, in [0, 1)"),
    ]

    public let values: [String: Value]
    public let p: Float
    private var size = 0
    private var active = false
    private let out = FloatBuffer(), mask = FloatBuffer(), dx = FloatBuffer()

    public init(_ params: Parameters) throws {
        values = params.values
        p = try params.float("p")
        guard p >= 0 && p < 1 else { throw params.invalid("p", "must be in [0, 1)") }
    }

    /// The typed form of the `dropout` options; nil means the spec default.
    ///
    ///     let drop = try Dropout(p: 0.5)
    public convenience init(p: Float? = nil) throws {
        try self.init(Self.parameters(given(["p": p])))
    }

    public func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] {
        size = Tensor.count(of: inputShape)
        return inputShape
    }

    public func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float> {
        active = context.training && p > 0
        guard active else { return x }
        let n = batch * size
        out.ensure(n); mask.ensure(n)
        var rng = context.rng
        let keep = 1 / (1 - p)
        let mp = mask.ptr, y = out.ptr, p = self.p
        for i in 0..<n {
            let m: Float = rng.uniform() < p ? 0 : keep
            mp[i] = m
            y[i] = x[i] * m
        }
        return UnsafePointer(out.ptr)
    }

    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        guard inputGradient else { return nil }
        guard active else { return dy }
        let n = batch * size
        dx.ensure(n)
        let d = dx.ptr, mp = mask.ptr
        for i in 0..<n { d[i] = dy[i] * mp[i] }
        return UnsafePointer(dx.ptr)
    }
}
