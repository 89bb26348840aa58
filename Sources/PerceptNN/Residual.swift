import Foundation
import PerceptCore

/// A residual (skip) block: `y = act(body(x) + shortcut(x))` (He et al. 2016).
///
/// `body` is a nested layer list, as in a model's `layers`. The shortcut is
/// the identity when the body keeps the shape; otherwise a 1×1 projection learns it (`conv2d`
/// for `[C, H, W]`, `conv1d` for `[C, T]`, `dense` for `[F]`, with the stride that matches the
/// body's downsampling). Parameters are named `body.<j>.<name>` and `projection.<name>`
/// (BatchNorm running statistics likewise, as `buffers`).
///
///     let block = try Residual(body: [Conv2D(outChannels: 16, kernelSize: 3, padding: 1), BatchNorm2D(), ReLU()])
///
/// or in a pipeline file:
///
///     residual: {body: [{conv2d: {out_channels: 16, kernel_size: 3, padding: 1}}, batchnorm2d, relu]}
public final class Residual: Layer, StatefulLayer, BatchValidating {
    public static let name = "residual", summary = "skip connection around a list of layers: act(body(x) + x)"
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("body", .layers, doc: "the layers of the main path, a layer list"),
        ParameterSpec("activation", .choice, default: "relu", choices: ["relu", "none"], doc: "applied after the sum"),
    ]

    public let values: [String: Value]
    public let body: [any Layer]
    let relu: Bool
    private var projection: (any Layer)?
    public private(set) var weights: [Param] = []
    public private(set) var buffers: [Param] = []
    private var size = 0
    private let out = FloatBuffer(), dx = FloatBuffer(), dsum = FloatBuffer()

    public init(_ params: Parameters) throws {
        values = params.values
        guard let list = params.value("body") else {
            throw params.invalid("body", "is required (e.g. [{conv2d: {out_channels: 16, kernel_size: 3, padding: 1}}, relu])")
        }
        let specs = try LayerSpec.list(list, path: params.field("body"))
        guard !specs.isEmpty else { throw params.invalid("body", "needs at least one layer") }
        body = try specs.enumerated().map { j, s in
            try LayerRegistry.make(s.type, s.values, path: "\(params.path).body[\(j)]", origin: list.items?[j].origin ?? params.origin)
        }
        relu = try params.string("activation") != "none"
    }

    /// What follows the sum: `relu`, or `identity` (the option's `none`).
    public enum Activation: String, Sendable {
        case relu
        case identity = "none"
    }

    /// The typed form: the body's layers are recorded by their names and options (as a layer list,
    /// the form files and checkpoints use) and built afresh from it; nil means the spec default.
    ///
    ///     let block = try Residual(body: [Conv2D(outChannels: 16, kernelSize: 3, padding: 1), BatchNorm2D(), ReLU()])
    public convenience init(body: [any Layer], activation: Activation? = nil) throws {
        try self.init(body: body.map { LayerSpec(type(of: $0).name, $0.values) }, activation: activation)
    }

    /// Builds from layer descriptions.
    ///
    ///     let block = try Residual(body: [LayerSpec("dense", ["out_features": 8]), LayerSpec("relu")], activation: .identity)
    public convenience init(body: [LayerSpec], activation: Activation? = nil) throws {
        try self.init(Self.parameters(given(["body": LayerSpec.value(body), "activation": activation?.rawValue])))
    }

    public func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] {
        var shape = inputShape
        for (j, l) in body.enumerated() {
            var r = rng.split(UInt64(j))
            do { shape = try l.build(inputShape: shape, rng: &r) } catch let e as ShapeMismatch {
                throw ShapeMismatch(expected: "\(e.expected) at body layer \(j) (\(type(of: l).name)), which got \(shapeText(shape))")
            }
        }
        projection = nil
        if shape != inputShape {
            projection = try makeProjection(from: inputShape, to: shape)
            var r = rng.split(UInt64(body.count))
            guard let p = projection, (try? p.build(inputShape: inputShape, rng: &r)) == shape else {
                throw ShapeMismatch(expected: "an input the body maps to a shape a 1×1 projection can match (body gives \(shapeText(shape)))")
            }
        }
        // The block's names over the inner layers' own storage: optimizers, checkpoints and the
        // layers all see the same memory, so nothing is copied per pass.
        weights = []; buffers = []
        func link(_ l: any Layer, _ prefix: String) {
            weights += l.weights.map { Param(name: prefix + $0.name, sharing: $0) }
            buffers += ((l as? any StatefulLayer)?.buffers ?? []).map { Param(name: prefix + $0.name, sharing: $0) }
        }
        for (j, l) in body.enumerated() { link(l, "body.\(j).") }
        if let p = projection { link(p, "projection.") }
        size = Tensor.count(of: shape)
        inputSize = Tensor.count(of: inputShape)
        return shape
    }

    private func makeProjection(from a: [Int], to b: [Int]) throws -> any Layer {
        guard a.count == b.count else {
            throw ShapeMismatch(expected: "a body that keeps the rank (input \(shapeText(a)), body output \(shapeText(b)))")
        }
        func stride(_ n: Int, _ m: Int) -> Int { m > 1 ? Swift.max(1, (n - 1) / (m - 1)) : n }
        switch a.count {
        case 3:
            let s = Value.of(stride(a[1], b[1]), stride(a[2], b[2]))
            return try LayerRegistry.make("conv2d", ["out_channels": .of(b[0]), "kernel_size": 1, "stride": s, "bias": false])
        case 2:
            return try LayerRegistry.make("conv1d", ["out_channels": .of(b[0]), "kernel_size": 1, "stride": .of(stride(a[1], b[1])), "bias": false])
        case 1:
            return try LayerRegistry.make("dense", ["out_features": .of(b[0]), "bias": false])
        default:
            throw ShapeMismatch(expected: "a body that keeps the shape \(shapeText(a)) (no projection for rank \(a.count))")
        }
    }

    public func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float> {
        var cur = x
        for (j, l) in body.enumerated() {
            cur = l.forward(cur, batch: batch, context: ForwardContext(training: context.training, rng: context.rng.split(UInt64(j))))
        }
        let n = batch * size
        out.ensure(n)
        copyRun(out.ptr, cur, n)
        let skip = projection.map { $0.forward(x, batch: batch, context: context) } ?? x
        addRun(out.ptr, skip, n)
        if relu { for i in 0..<n { out.ptr[i] = Swift.max(out.ptr[i], 0) } }
        return UnsafePointer(out.ptr)
    }

    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        let n = batch * size
        var d = dy
        if relu {
            dsum.ensure(n)
            for i in 0..<n { dsum.ptr[i] = out.ptr[i] > 0 ? dy[i] : 0 }
            d = UnsafePointer(dsum.ptr)
        }
        var g: UnsafePointer<Float>? = d
        for j in stride(from: body.count - 1, through: 0, by: -1) {
            guard let cur = g else { break }
            g = body[j].backward(cur, batch: batch, inputGradient: j > 0 || inputGradient)
        }
        let dskip = projection.map { $0.backward(d, batch: batch, inputGradient: inputGradient) } ?? (inputGradient ? d : nil)
        guard inputGradient, let db = g, let ds = dskip, let inCount = inputCount(batch) else { return nil }
        dx.ensure(inCount)
        copyRun(dx.ptr, db, inCount)
        addRun(dx.ptr, ds, inCount)
        return UnsafePointer(dx.ptr)
    }

    /// A body layer's objection (BatchNorm on a batch of one), naming it by its body index.
    public func validate(batch: Int, training: Bool) -> String? {
        for (j, l) in body.enumerated() {
            if let v = l as? any BatchValidating, let msg = v.validate(batch: batch, training: training) {
                return "body layer \(j) (\(type(of: l).name)): \(msg)"
            }
        }
        return nil
    }

    private var inputSize = 0
    private func inputCount(_ batch: Int) -> Int? { inputSize > 0 ? batch * inputSize : nil }
}
