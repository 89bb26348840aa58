import PerceptCore

/// mixup (Zhang et al. 2018; torchvision `MixUp(alpha)`): every sample i becomes
/// λ·x_i + (1 − λ)·x_π(i) with λ ~ Beta(α, α) and π a random permutation of the batch;
/// labels are mixed with the same weights, so one-hot labels still sum to 1.
///
///     let mixup = try Mixup(alpha: 0.4)
///     mixup: {alpha: 0.2}     # the same stage in AUG.yaml
public struct Mixup: BatchAugmentationStage {
    public static let name = "mixup", summary = "blend pairs of samples and their labels"
    public static let parameters = [
        ParameterSpec("alpha", .float, default: 1.0, doc: "Beta(α, α) parameter of the mixing weight"),
        ParameterSpec("p", .float, default: 1.0, doc: "probability of mixing a batch"),
    ]
    public let p: Float
    let alpha: Float

    public init(_ params: Parameters) throws {
        p = try params.probability()
        alpha = try params.finiteFloat("alpha", atLeast: 0, strict: true)
    }

    /// Options left nil take the defaults in `parameters`; invalid values throw as in AUG.yaml.
    ///
    ///     let mixup = try Mixup(alpha: 0.2, p: 0.5)
    public init(alpha: Float? = nil, p: Float? = nil) throws {
        try self.init(Self.parameters(["alpha": .given(alpha), "p": .given(p)]))
    }

    public func draw(rng: inout RandomStream, count: Int, shape: SampleShape) -> Params {
        let l = Float(BetaDistribution.sample(Double(alpha), Double(alpha), &rng))
        return Params(lambda: l, permutation: rng.permutation(count))
    }

    public func apply(_ params: Params, to batch: inout Batch) throws {
        try checkBatch(batch)
        guard params.permutation.sorted() == Array(0..<batch.samples.count) else {
            throw PerceptError.invalidArgument(field: Self.name, "the permutation does not match a batch of \(batch.samples.count)")
        }
        let l = params.lambda
        let src = batch
        for i in 0..<src.samples.count {
            let j = params.permutation[i]
            batch.samples[i].data = blend(src.samples[i].data, src.samples[j].data, l)
            batch.labels[i] = blend(src.labels[i], src.labels[j], l)
        }
    }

    /// The drawn parameters of one application (logged and replayed as JSON).
    public struct Params: Codable, Sendable, Equatable { public var lambda: Float; public var permutation: [Int]; public init(lambda: Float, permutation: [Int]) { self.lambda = lambda; self.permutation = permutation } }
}

/// λ·a + (1 − λ)·b for tensors of one shape.
func blend(_ a: Tensor, _ b: Tensor, _ l: Float) -> Tensor {
    var out = a
    out.withUnsafeMutableBufferPointer { o in
        b.withUnsafeBufferPointer { bb in
            for i in 0..<o.count { o[i] = l * o[i] + (1 - l) * bb[i] }
        }
    }
    return out
}
