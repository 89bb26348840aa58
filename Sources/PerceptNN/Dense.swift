import CPerceptNNKernels
import PerceptCore

/// Fully connected layer `y = x·Wᵀ + b` (PyTorch `nn.Linear`, weight `[out_features, in_features]`).
///
///     let fc = try Dense(outFeatures: 10)
public final class Dense: Layer {
    public static let name = "dense", summary = "fully connected layer (PyTorch Linear)"
    public static let aliases = ["linear"]
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("out_features", .int, doc: "number of outputs"),
        ParameterSpec("in_features", .int, doc: "number of inputs; inferred from the previous layer when omitted"),
        ParameterSpec("bias", .bool, default: "true", doc: "add a learned bias"),
        Initializer.spec,
    ]

    public let values: [String: Value]
    public let outFeatures: Int
    let declaredIn: Int?
    let useBias: Bool
    let initializer: Initializer
    public private(set) var inFeatures = 0
    public private(set) var weights: [Param] = []
    /// Set by `Sequential` when a ReLU follows (see `Conv2D.fusedReLU`).
    var fusedReLU = false
    private let out = FloatBuffer(), dx = FloatBuffer(), masked = FloatBuffer(), packedW = FloatBuffer()
    private var input: UnsafePointer<Float>?

    public init(_ params: Parameters) throws {
        values = params.values
        outFeatures = try params.int("out_features", atLeast: 1)
        declaredIn = try params.optionalInt("in_features", atLeast: 1)
        useBias = try params.bool("bias")
        initializer = try Initializer.option(params)
    }

    /// The typed form of the `dense` options (PyTorch `nn.Linear` names); nil means the spec default.
    ///
    ///     let fc = try Dense(outFeatures: 10, bias: false)
    public convenience init(outFeatures: Int, inFeatures: Int? = nil, bias: Bool? = nil, initializer: Initializer? = nil) throws {
        try self.init(Self.parameters(given(["out_features": outFeatures, "in_features": inFeatures, "bias": bias,
                                             "init": initializer])))
    }

    public func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] {
        guard inputShape.count == 1 else {
            throw ShapeMismatch(expected: "[\(declaredIn.map(String.init) ?? "features")] (rank 1; add a flatten layer)")
        }
        if let d = declaredIn, d != inputShape[0] { throw ShapeMismatch(expected: "[\(d)] (in_features)") }
        inFeatures = inputShape[0]
        let w = try Param(name: "weight", shape: [outFeatures, inFeatures])
        initializer.fill(w, fanIn: inFeatures, fanOut: outFeatures, rng: &rng)
        weights = [w]
        if useBias {
            let b = try Param(name: "bias", shape: [outFeatures])
            initializer.fillBias(b, fanIn: inFeatures, rng: &rng)
            weights.append(b)
        }
        return [outFeatures]
    }

    public func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float> {
        input = x
        let outFeatures = self.outFeatures, inFeatures = self.inFeatures
        out.ensure(batch * outFeatures)
        let y = out.ptr
        if useBias {
            let b = weights[1].value.ptr
            for s in 0..<batch { (y + s * outFeatures).update(from: b, count: outFeatures) }
        }
        if Conv2D.wideKernelEnabled && outFeatures % 32 == 0 {
            // Wᵀ packed as 32-column panels ([out/32][in][32]) for the C kernel; each output
            // starts its FMA chain from the bias, as the sgemm call with beta 1 does.
            let wt = UnsafePointer(weights[0].value.ptr)
            packedW.ensure(outFeatures * inFeatures)
            let wp = packedW.ptr
            Parallel.forEach(count: outFeatures / 32) { jb in
                let panel = wp + jb * inFeatures * 32, src = wt + jb * 32 * inFeatures
                for p in 0..<inFeatures {
                    let dst = panel + p &* 32
                    for q in 0..<32 { dst[q] = src[q &* inFeatures &+ p] }
                }
            }
            let acc: Int32 = useBias ? 1 : 0
            splitRows(batch) { r in
                GemmKernel.gemm32(r.count, outFeatures, inFeatures, x + r.lowerBound * inFeatures, inFeatures, 1, wp, inFeatures * 32, 32,
                           y + r.lowerBound * outFeatures, outFeatures, acc)
            }
        } else {
            gemm(false, true, batch, outFeatures, inFeatures, 1, x, inFeatures, weights[0].value.ptr, inFeatures,
                 useBias ? 1 : 0, y, outFeatures)
        }
        if fusedReLU { for i in 0..<(batch * outFeatures) { y[i] = Swift.max(y[i], 0) } }
        return UnsafePointer(y)
    }

    /// Runs `body` over row ranges of `rows` (multiples of 8), one per worker, when the work is worth it.
    private func splitRows(_ rows: Int, _ body: (Range<Int>) -> Void) {
        let workers = Swift.max(1, Swift.min(Parallel.threads, rows / 8, inFeatures * outFeatures >= 65_536 ? rows : 1))
        if workers == 1 { body(0..<rows); return }
        Parallel.forEach(count: workers) { wk in
            let lo = (rows / 8) * wk / workers * 8, hi = wk == workers - 1 ? rows : (rows / 8) * (wk + 1) / workers * 8
            if hi > lo { body(lo..<hi) }
        }
    }

    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        guard let x = input else { return nil }
        let outFeatures = self.outFeatures, inFeatures = self.inFeatures
        var dy = dy
        if fusedReLU {
            let n = batch * outFeatures
            masked.ensure(n)
            let m = masked.ptr, y = out.ptr
            for i in 0..<n { m[i] = y[i] > 0 ? dy[i] : 0 }
            dy = UnsafePointer(m)
        }
        // The C kernel takes x and W as they are (row-major, 32-column panels): no packing needed.
        let wide = Conv2D.wideKernelEnabled && inFeatures % 32 == 0
        if wide {
            // Rows split over the workers: each element is the same k-ordered FMA chain for any split.
            let gw = weights[0].grad.ptr, dyp = dy
            splitRows(outFeatures) { r in
                GemmKernel.gemm32(r.count, inFeatures, batch, dyp + r.lowerBound, 1, outFeatures, x, 32, inFeatures,
                           gw + r.lowerBound * inFeatures, inFeatures, 0)
            }
        } else {
            gemm(true, false, outFeatures, inFeatures, batch, 1, dy, outFeatures, x, inFeatures, 0,
                 weights[0].grad.ptr, inFeatures)
        }
        if useBias {
            let db = weights[1].grad.ptr
            db.update(repeating: 0, count: outFeatures)
            for s in 0..<batch {
                let row = dy + s * outFeatures
                for o in 0..<outFeatures { db[o] += row[o] }
            }
        }
        guard inputGradient else { return nil }
        dx.ensure(batch * inFeatures)
        if wide {
            let wt = weights[0].value.ptr, dxp = dx.ptr, dyp = dy
            splitRows(batch) { r in
                GemmKernel.gemm32(r.count, inFeatures, outFeatures, dyp + r.lowerBound * outFeatures, outFeatures, 1, wt, 32, inFeatures,
                           dxp + r.lowerBound * inFeatures, inFeatures, 0)
            }
        } else {
            gemm(false, false, batch, inFeatures, outFeatures, 1, dy, outFeatures, weights[0].value.ptr, inFeatures,
                 0, dx.ptr, inFeatures)
        }
        return UnsafePointer(dx.ptr)
    }
}
