import PerceptCore

/// Averages each channel over all positions: `[C, H, W]` → `[C]` (PyTorch `AdaptiveAvgPool2d(1)` + flatten).
/// Lets one network take images and spectrograms of any size.
///
///     let gap = GlobalAvgPool()
public final class GlobalAvgPool: Layer {
    public static let name = "global_avg_pool", summary = "mean over all positions per channel, [C, H, W] -> [C]"
    public static let aliases = ["global_avgpool"]
    public static let parameters: [ParameterSpec] = []

    public let values: [String: Value]
    private(set) var c = 0, plane = 0
    private let out = FloatBuffer(), dx = FloatBuffer()

    public init(_ params: Parameters) throws { values = params.values }

    /// No options: the same as the registry builds from an empty option list.
    public init() { values = [:] }

    public func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] {
        guard inputShape.count >= 2 else { throw ShapeMismatch(expected: "[C, H, W] (rank ≥ 2)") }
        c = inputShape[0]
        plane = Tensor.count(of: Array(inputShape.dropFirst()))
        guard plane > 0 else { throw ShapeMismatch(expected: "[C, H, W] with at least one position") }
        return [c]
    }

    public func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float> {
        let c = self.c, plane = self.plane
        out.ensure(batch * c)
        let inv = 1 / Float(plane), y = out.ptr
        for i in 0..<(batch * c) {
            let p = x + i * plane
            var acc: Float = 0
            for j in 0..<plane { acc += p[j] }
            y[i] = acc * inv
        }
        return UnsafePointer(out.ptr)
    }

    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        guard inputGradient else { return nil }
        let c = self.c, plane = self.plane
        dx.ensure(batch * c * plane)
        let inv = 1 / Float(plane), d = dx.ptr
        for i in 0..<(batch * c) { (d + i * plane).update(repeating: dy[i] * inv, count: plane) }
        return UnsafePointer(dx.ptr)
    }
}
