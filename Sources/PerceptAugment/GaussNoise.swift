import PerceptCore

/// Adds Gaussian noise with a random standard deviation, then clips to [0, 1]
/// (albumentations `GaussNoise(std_range, mean_range, per_channel)` on float images).
/// The noise field is a pure function of the drawn `seed`, so a replay reproduces it.
///
///     let noise = try GaussNoise(stdRange: (0.02, 0.1))
///     gauss_noise: {std_range: [0.02, 0.1]}     # the same stage in AUG.yaml
public struct GaussNoise: AugmentationStage {
    public static let name = "gauss_noise", kind = SampleKind.image, summary = "additive Gaussian noise"
    public static let parameters = [
        ParameterSpec("std_range", .floatPair, default: [0.2, 0.44], doc: "standard deviation range (fraction of full scale)"),
        ParameterSpec("mean_range", .floatPair, default: [0, 0], doc: "mean range"),
        ParameterSpec("per_channel", .bool, default: true, doc: "independent noise per channel (else one plane shared)"),
        ParameterSpec("p", .float, default: 0.5, doc: "probability of adding noise"),
    ]
    public let p: Float
    let std: (Float, Float), mean: (Float, Float), perChannel: Bool

    public init(_ params: Parameters) throws {
        p = try params.probability()
        std = try params.floatPair("std_range")
        guard std.0 >= 0 else { throw params.invalid("std_range", "must be ≥ 0, got \(fmt(std.0))") }
        // Images lie in [0, 1]: noise beyond ±10 full scales only clips, and the bound keeps draws finite.
        guard std.1 <= 10 else { throw params.invalid("std_range", "\(fmt(std.1)) is outside [0, 10]") }
        mean = try params.floatPair("mean_range", within: -10...10)
        perChannel = try params.bool("per_channel")
    }

    /// Options left nil take the defaults in `parameters`; invalid values throw as in AUG.yaml.
    ///
    ///     let noise = try GaussNoise(stdRange: (0.01, 0.05), perChannel: false, p: 1)
    public init(stdRange: (Float, Float)? = nil, meanRange: (Float, Float)? = nil, perChannel: Bool? = nil, p: Float? = nil) throws {
        try self.init(Self.parameters([
            "std_range": .given(stdRange), "mean_range": .given(meanRange), "per_channel": .given(perChannel), "p": .given(p),
        ]))
    }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params {
        let s = rng.uniform(std.0, std.1), m = rng.uniform(mean.0, mean.1)
        return Params(std: s, mean: m, seed: rng.nextUInt32())
    }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        let sh = sample.shape
        let plane = sh.height * sh.width
        if perChannel || sh.channels == 1 {
            sample.data = PixelLoops.rewritten(sample.data) { src, dst, n in
                GaussianField.add(src, into: dst, count: n, seed: params.seed, mean: params.mean, std: params.std)
                PixelLoops.clip(dst, n)
            }
            return
        }
        let noise = GaussianField.values(count: plane, seed: params.seed, mean: params.mean, std: params.std)
        sample.data.withUnsafeMutableBufferPointer { b in
            guard let base = b.baseAddress else { return }
            for c in 0..<sh.channels { for i in 0..<plane { base[c * plane + i] += noise[i] } }
            PixelLoops.clip(base, b.count)
        }
    }

    /// The drawn parameters of one application (logged and replayed as JSON).
    public struct Params: Codable, Sendable, Equatable { public var std: Float; public var mean: Float; public var seed: UInt32; public init(std: Float, mean: Float, seed: UInt32) { self.std = std; self.mean = mean; self.seed = seed } }
}
