import PerceptCore

/// Maxout (Goodfellow et al. 2013): the maximum over groups of `pool_size` consecutive channels or
/// features, `[C, ...]` → `[C / pool_size, ...]`. Put it after a Dense or Conv2D with k× the units.
///
///     let mo = try Maxout(poolSize: 2)
public final class Maxout: Layer {
    public static let name = "maxout", summary = "max over groups of pool_size consecutive channels/features"
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("pool_size", .int, default: "2", doc: "channels per group (the k of maxout)"),
    ]
    public let values: [String: Value]
    public let k: Int
    private var groups = 0, inner = 1
    private let out = FloatBuffer(), dx = FloatBuffer()
    private var argmax = [Int32]()

    public init(_ params: Parameters) throws {
        values = params.values
        let k = try params.int("pool_size", atLeast: 1)
        self.k = k
    }

    /// The typed form of the `maxout` options; nil means the spec default.
    ///
    ///     let mo = try Maxout(poolSize: 3)
    public convenience init(poolSize: Int? = nil) throws {
        try self.init(Self.parameters(given(["pool_size": poolSize])))
    }

    public func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] {
        guard let c = inputShape.first, c % k == 0 else {
            throw ShapeMismatch(expected: "[C, ...] with C divisible by pool_size \(k)")
        }
        groups = c / k
        inner = Tensor.count(of: Array(inputShape.dropFirst()))
        return [groups] + inputShape.dropFirst()
    }

    public func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float> {
        let groups = self.groups, inner = self.inner, k = self.k
        let n = batch * groups * inner
        out.ensure(n)
        if argmax.count < n { argmax = [Int32](repeating: 0, count: n) }
        let y = out.ptr
        argmax.withUnsafeMutableBufferPointer { am in
            for b in 0..<batch {
                for g in 0..<groups {
                    for j in 0..<inner {
                        let src = x + (b * groups + g) * k * inner + j
                        var m = src[0], at = 0
                        for i in 1..<k where src[i * inner] > m { m = src[i * inner]; at = i }
                        let o = (b * groups + g) * inner + j
                        y[o] = m
                        am[o] = Int32(at)
                    }
                }
            }
        }
        return UnsafePointer(y)
    }

    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        guard inputGradient else { return nil }
        let groups = self.groups, inner = self.inner, k = self.k
        let n = batch * groups * k * inner
        dx.ensure(n)
        dx.zero(n)
        let d = dx.ptr
        argmax.withUnsafeBufferPointer { am in
            for b in 0..<batch {
                for g in 0..<groups {
                    for j in 0..<inner {
                        let o = (b * groups + g) * inner + j
                        d[(b * groups + g) * k * inner + Int(am[o]) * inner + j] = dy[o]
                    }
                }
            }
        }
        return UnsafePointer(d)
    }
}
