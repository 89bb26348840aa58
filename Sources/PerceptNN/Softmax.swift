import Foundation
import PerceptCore

/// Softmax over the first per-sample axis (features, or channels of `[C, H, W]`, like PyTorch `dim=1`).
/// For training a classifier prefer raw logits with the `cross_entropy` loss, which is more stable.
///
///     let sm = Softmax()
public final class Softmax: Layer {
    public static let name = "softmax", summary = "softmax over the channel/feature axis"
    public static let parameters: [ParameterSpec] = []
    public let values: [String: Value]
    private var c = 0, inner = 1
    private let out = FloatBuffer(), dx = FloatBuffer()

    public init(_ params: Parameters) throws { values = params.values }

    /// No options: the same as the registry builds from an empty option list.
    public init() { values = [:] }

    public func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] {
        guard let first = inputShape.first, first > 0 else { throw ShapeMismatch(expected: "[C, ...] with C ≥ 1") }
        c = first
        inner = Tensor.count(of: Array(inputShape.dropFirst()))
        return inputShape
    }

    public func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float> {
        let c = self.c, inner = self.inner
        out.ensure(batch * c * inner)
        let y = out.ptr
        for b in 0..<batch {
            for j in 0..<inner {
                let base = b * c * inner + j
                var m = -Float.infinity
                for k in 0..<c { m = Swift.max(m, x[base + k * inner]) }
                var s: Float = 0
                for k in 0..<c { let e = exp(x[base + k * inner] - m); y[base + k * inner] = e; s += e }
                let inv = 1 / s
                for k in 0..<c { y[base + k * inner] *= inv }
            }
        }
        return UnsafePointer(y)
    }

    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        guard inputGradient else { return nil }
        let c = self.c, inner = self.inner
        dx.ensure(batch * c * inner)
        let y = out.ptr, d = dx.ptr
        for b in 0..<batch {
            for j in 0..<inner {
                let base = b * c * inner + j
                var dot: Float = 0
                for k in 0..<c { dot += dy[base + k * inner] * y[base + k * inner] }
                for k in 0..<c { d[base + k * inner] = y[base + k * inner] * (dy[base + k * inner] - dot) }
            }
        }
        return UnsafePointer(d)
    }
}
