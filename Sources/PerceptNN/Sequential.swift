import PerceptCore

/// A stack of layers with shapes inferred from the per-sample input shape when it is built.
///
/// The same layer list trains on a `[1, 28, 28]` image and a `[1, 64, 101]` spectrogram: each layer
/// sizes itself from what the previous one produces, and a mismatch is reported at build time
/// with the layer's index, its name and both shapes.
///
///     let model = try Sequential(layers: [Flatten(), Dense(outFeatures: 10)], inputShape: [1, 28, 28])
public final class Sequential {
    public let layers: [any Layer]
    /// Per-sample input shape (batch excluded).
    public let inputShape: [Int]
    /// `shapes[i]` is the input shape of layer i; the last entry is the output shape.
    public let shapes: [[Int]]
    public let seed: UInt64

    public var outputShape: [Int] { shapes[shapes.count - 1] }
    public var inputSize: Int { Tensor.count(of: inputShape) }
    public var outputSize: Int { Tensor.count(of: outputShape) }

    /// Builds from descriptions (the form pipeline files and checkpoints use).
    ///
    ///     let model = try Sequential([LayerSpec("flatten"), LayerSpec("dense", ["out_features": 10])], inputShape: [1, 28, 28])
    public convenience init(_ specs: [LayerSpec], inputShape: [Int], seed: UInt64 = 0) throws {
        var layers: [any Layer] = []
        for (i, s) in specs.enumerated() {
            do { layers.append(try LayerRegistry.make(s.type, s.values)) } catch let e as PerceptError {
                throw PerceptError.invalidArgument(field: "layer \(i) (\(s.type))", e.description)
            }
        }
        try self.init(layers: layers, inputShape: inputShape, seed: seed)
    }

    /// Builds from layer objects; weights are initialised from `seed` (layer i draws from split(i)).
    public init(layers: [any Layer], inputShape: [Int], seed: UInt64 = 0) throws {
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw PerceptError.invalidArgument(field: "input_shape", "\(shapeText(inputShape)) must be non-empty with positive sizes")
        }
        guard !layers.isEmpty else { throw PerceptError.invalidArgument(field: "layers", "a model needs at least one layer") }
        // Shapes may come from a checkpoint's metadata: one sample must be addressable and fit memory.
        try ResourceLimits.require(inputShape, for: "one input of \(shapeText(inputShape))", blame: { .invalidArgument(field: "input_shape", $0) })
        self.layers = layers
        self.inputShape = inputShape
        self.seed = seed
        var shapes = [inputShape]
        let root = RandomStream(seed: seed).split(2)
        for (i, layer) in layers.enumerated() {
            var rng = root.split(i)
            let shape = shapes[i]
            do {
                let out = try layer.build(inputShape: shape, rng: &rng)
                guard !out.isEmpty, out.allSatisfy({ $0 > 0 }) else {
                    throw ShapeMismatch(expected: "an input that leaves a non-empty output (got \(shapeText(out)))")
                }
                try ResourceLimits.require(out, for: "its output \(shapeText(out))", blame: { .invalidArgument(field: "output", $0) })
                shapes.append(out)
            } catch let e as ShapeMismatch {
                throw PerceptError.invalidArgument(field: "layer \(i) (\(type(of: layer).name))",
                                                   "expects input \(e.expected), got \(shapeText(shape))")
            } catch let PerceptError.invalidArgument(field, message) {
                // A weight too large for memory: `layer 2 (dense): weight: its 1000000 × 9216 weight …`.
                throw PerceptError.invalidArgument(field: "layer \(i) (\(type(of: layer).name))", "\(field): \(message)")
            }
        }
        self.shapes = shapes
        // Fuse Conv2D/Dense → ReLU: the producer applies max(0, ·) and its mask; the ReLU passes through.
        for i in 1..<layers.count {
            guard let relu = layers[i] as? ReLU else { continue }
            if let conv = layers[i - 1] as? Conv2D { conv.fusedReLU = true; relu.fusedIntoPrevious = true }
            if let dense = layers[i - 1] as? Dense { dense.fusedReLU = true; relu.fusedIntoPrevious = true }
        }
    }

    /// The description this model was built from.
    public var architecture: [LayerSpec] { layers.map { LayerSpec(type(of: $0).name, $0.values) } }

    /// Trainable tensors named by layer index, PyTorch style: `0.weight`, `0.bias`, `3.weight`.
    public var namedParameters: [(name: String, param: Param)] {
        layers.enumerated().flatMap { i, l in l.weights.map { (name: "\(i).\($0.name)", param: $0) } }
    }

    /// Non-trained state tensors (BatchNorm running statistics) named like parameters: `1.running_mean`,
    /// `2.body.1.running_var`.
    public var namedBuffers: [(name: String, param: Param)] {
        layers.enumerated().flatMap { i, l in ((l as? any StatefulLayer)?.buffers ?? []).map { (name: "\(i).\($0.name)", param: $0) } }
    }

    /// Everything a checkpoint or a snapshot keeps: the parameters, then the buffers.
    public var namedState: [(name: String, param: Param)] { namedParameters + namedBuffers }

    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.param.count } }

    /// Forward pass over a contiguous batch; the result lives in the last layer's buffer.
    public func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool, rng: RandomStream) -> UnsafePointer<Float> {
        forward(x, batch: batch, through: layers.count - 1, training: training, rng: rng)
    }

    /// Forward pass through layers 0...`last` only: the activations of layer `last`
    /// (`[batch] + shapes[last + 1]`, in that layer's buffer), as histograms and feature probes read them.
    ///
    ///     let hidden = model.forward(x, batch: 64, through: 7, training: false, rng: RandomStream(seed: model.seed))
    public func forward(_ x: UnsafePointer<Float>, batch: Int, through last: Int, training: Bool, rng: RandomStream) -> UnsafePointer<Float> {
        var cur = x
        for i in 0...last {
            cur = layers[i].forward(cur, batch: batch, context: ForwardContext(training: training, rng: rng.split(i)))
        }
        return cur
    }

    /// The predicted class of each row of outputs `[N] + outputShape`: the argmax, or the sign of a single output.
    ///
    ///     let classes = Sequential.predictedClasses(try model.predict(x))
    public static func predictedClasses(_ outputs: Tensor) -> [Int] {
        let n = outputs.shape.first ?? 0, k = outputs.count / Swift.max(n, 1)
        return outputs.withUnsafeBufferPointer { o in (0..<n).map { predictedClass(o.baseAddress! + $0 * k, width: k) } }
    }

    /// Backward pass from d(loss)/d(output); fills every parameter's gradient.
    public func backward(_ dy: UnsafePointer<Float>, batch: Int) {
        var g = dy
        for i in stride(from: layers.count - 1, through: 0, by: -1) {
            guard let next = layers[i].backward(g, batch: batch, inputGradient: i > 0) else { break }
            g = next
        }
    }

    /// Runs inference over `x` (`[N] + inputShape`) in batches; returns `[N] + outputShape`.
    public func predict(_ x: Tensor, batchSize: Int = 256) throws -> Tensor {
        try predict(x, batchSize: batchSize, beforeBatch: { _ in })
    }

    /// `predict` with a hook that sees each batch's sample range first (the trainer sets mask lengths there).
    func predict(_ x: Tensor, batchSize: Int, beforeBatch: (Range<Int>) throws -> Void) throws -> Tensor {
        let n = try checkInput(x)
        let bs = Swift.max(1, batchSize), outSize = outputSize, inSize = inputSize
        var result = [Float](repeating: 0, count: n * outSize)
        try x.withUnsafeBufferPointer { xb in
            guard let base = xb.baseAddress else { return }
            try result.withUnsafeMutableBufferPointer { rb in
                guard let out = rb.baseAddress else { return }
                var start = 0
                while start < n {
                    let b = Swift.min(bs, n - start)
                    try beforeBatch(start..<(start + b))
                    let y = forward(base + start * inSize, batch: b, training: false, rng: RandomStream(seed: seed))
                    (out + start * outSize).update(from: y, count: b * outSize)
                    start += b
                }
            }
        }
        return Tensor(unchecked: [n] + outputShape, data: result)
    }

    /// Number of samples in `x`, or an error naming both shapes.
    func checkInput(_ x: Tensor) throws -> Int {
        guard x.rank == inputShape.count + 1, Array(x.shape.dropFirst()) == inputShape else {
            throw PerceptError.invalidArgument(field: "input", "expected [N] + \(shapeText(inputShape)), got \(shapeText(x.shape))")
        }
        return x.shape[0]
    }

    /// Copies of all weights and buffers, in `namedState` order (for restore-best and rollback after a NaN).
    ///
    ///     let best = model.snapshot(); /* train on */ model.restore(best)
    public func snapshot() -> [[Float]] { namedState.map { $0.param.value.array($0.param.count) } }

    /// Puts back what `snapshot` took (weights and BatchNorm running statistics).
    public func restore(_ s: [[Float]]) {
        for (p, v) in zip(namedState, s) {
            v.withUnsafeBufferPointer { b in if let a = b.baseAddress { p.param.value.ptr.update(from: a, count: p.param.count) } }
        }
    }

    /// Sets one tensor (parameter or buffer) by its name (`0.weight`, `1.running_mean`); a clear
    /// error when the name or shape does not fit.
    public func setParameter(_ name: String, _ t: Tensor) throws {
        let state = namedState
        guard let p = state.first(where: { $0.name == name }) else {
            throw PerceptError.invalidArgument(field: name, "the model has no parameter of that name (has \(state.map(\.name).joined(separator: ", ")))")
        }
        try p.param.load(t, as: name)
    }

    /// A one-line-per-layer summary: index, name, output shape, parameter count.
    public var summary: String {
        var lines = ["input \(shapeText(inputShape))"]
        for (i, l) in layers.enumerated() {
            let n = l.weights.reduce(0) { $0 + $1.count }
            lines.append("\(i) \(type(of: l).name) -> \(shapeText(shapes[i + 1]))\(n > 0 ? "  (\(n) parameters)" : "")")
        }
        return lines.joined(separator: "\n")
    }
}
