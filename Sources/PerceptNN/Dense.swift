import PerceptCore

/// Fully connected layer `y = x·Wᵀ + b` (PyTorch `nn.Linear`, weight `[out_features, in_features]`).
///
///     let fc = try LayerRegistry.make("dense", ["out_features": "10"])
public final class Dense: Layer {
    public static let typeName = "dense"
    public static let summary = "fully connected layer (PyTorch Linear)"
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("out_features", .int, doc: "number of outputs"),
        ParameterSpec("in_features", .int, doc: "number of inputs; inferred from the previous layer when omitted"),
        ParameterSpec("bias", .bool, default: "true", doc: "add a learned bias"),
        Initializer.spec,
    ]

    public let values: [String: String]
    public let outFeatures: Int
    let declaredIn: Int?
    let useBias: Bool
    let initializer: Initializer
    public private(set) var inFeatures = 0
    public private(set) var weights: [Param] = []
    /// Set by `Sequential` when a ReLU follows (see `Conv2D.fusedReLU`).
    var fusedReLU = false
    private let out = FloatBuffer(), dx = FloatBuffer(), masked = FloatBuffer()
    private var input: UnsafePointer<Float>?

    public init(_ params: Parameters) throws {
        values = params.values
        guard let o = try Options.positiveInt(params, "out_features") else {
            throw params.invalid("out_features", "is required")
        }
        outFeatures = o
        declaredIn = try Options.positiveInt(params, "in_features")
        useBias = try params.bool("bias") ?? true
        initializer = Initializer(rawValue: params.string("init") ?? "") ?? .kaimingUniform
    }

    public func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] {
        guard inputShape.count == 1 else {
            throw ShapeMismatch(expected: "[\(declaredIn.map(String.init) ?? "features")] (rank 1; add a flatten layer)")
        }
        if let d = declaredIn, d != inputShape[0] { throw ShapeMismatch(expected: "[\(d)] (in_features)") }
        inFeatures = inputShape[0]
        let w = Param(name: "weight", shape: [outFeatures, inFeatures])
        initializer.fill(w, fanIn: inFeatures, fanOut: outFeatures, rng: &rng)
        weights = [w]
        if useBias { weights.append(Param(name: "bias", shape: [outFeatures])) }
        BLASThreads.pin()
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
        gemm(false, true, batch, outFeatures, inFeatures, 1, x, inFeatures, weights[0].value.ptr, inFeatures,
             useBias ? 1 : 0, y, outFeatures)
        if fusedReLU { for i in 0..<(batch * outFeatures) { y[i] = Swift.max(y[i], 0) } }
        return UnsafePointer(y)
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
        gemm(true, false, outFeatures, inFeatures, batch, 1, dy, outFeatures, x, inFeatures, 0,
             weights[0].grad.ptr, inFeatures)
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
        gemm(false, false, batch, inFeatures, outFeatures, 1, dy, outFeatures, weights[0].value.ptr, inFeatures,
             0, dx.ptr, inFeatures)
        return UnsafePointer(dx.ptr)
    }
}
