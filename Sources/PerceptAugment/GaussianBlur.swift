import PerceptCore
import PerceptVision

/// Blurs with a Gaussian of random odd kernel size and sigma (albumentations `GaussianBlur`),
/// through PerceptVision's OpenCV-exact `Gaussian.blur` (reflect-101 borders).
///
///     let blur = try GaussianBlur(blurLimit: (3, 7), sigmaLimit: (0.5, 3.0))
///     gaussian_blur: {blur_limit: [3, 7], sigma_limit: [0.5, 3.0]}     # the same stage in AUG.yaml
public struct GaussianBlur: AugmentationStage {
    public static let name = "gaussian_blur", kind = SampleKind.image, summary = "Gaussian blur of random size and sigma"
    public static let parameters = [
        ParameterSpec("blur_limit", .intPair, default: [3, 7], doc: "odd kernel size range; 0 derives the size from sigma"),
        ParameterSpec("sigma_limit", .floatPair, default: [0.5, 3.0], doc: "sigma range"),
        ParameterSpec("p", .float, default: 0.5, doc: "probability of blurring"),
    ]
    public let p: Float
    let sizes: [Int], sigma: (Float, Float)

    public init(_ params: Parameters) throws {
        p = try params.probability()
        let (lo, hi) = try params.wholePair("blur_limit")
        guard lo >= 0, hi <= 255 else { throw params.invalid("blur_limit", "must lie in [0, 255], got \(lo),\(hi)") }
        sizes = lo == 0 && hi == 0 ? [0] : stride(from: lo | 1, through: hi, by: 2).map { $0 }
        guard !sizes.isEmpty else { throw params.invalid("blur_limit", "holds no odd kernel size") }
        sigma = try params.floatPair("sigma_limit")
        guard sigma.0 > 0 else { throw params.invalid("sigma_limit", "must be > 0, got \(fmt(sigma.0))") }
        // OpenCV sizes a kernel from sigma as round(8σ + 1) | 1 taps: the bound keeps it within 255.
        guard sigma.1 <= StageBounds.maxSigma else {
            throw params.invalid("sigma_limit", "\(fmt(sigma.1)) is outside (0, \(fmt(StageBounds.maxSigma))] (a kernel from sigma has round(8σ + 1) | 1 taps, at most 255)")
        }
    }

    /// Options left nil take the defaults in `parameters`; invalid values throw as in AUG.yaml.
    ///
    ///     let blur = try GaussianBlur(blurLimit: (5, 5), sigmaLimit: (1, 1), p: 1)
    public init(blurLimit: (Int, Int)? = nil, sigmaLimit: (Float, Float)? = nil, p: Float? = nil) throws {
        try self.init(Self.parameters(["blur_limit": .given(blurLimit), "sigma_limit": .given(sigmaLimit), "p": .given(p)]))
    }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params {
        let k = sizes[rng.int(below: sizes.count)]
        return Params(ksize: k, sigma: rng.uniform(sigma.0, sigma.1))
    }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        sample.data = try Gaussian.blur(sample.data, sigma: Double(params.sigma), size: params.ksize, border: .reflect101)
    }

    /// The drawn parameters of one application (logged and replayed as JSON).
    public struct Params: Codable, Sendable, Equatable { public var ksize: Int; public var sigma: Float; public init(ksize: Int, sigma: Float) { self.ksize = ksize; self.sigma = sigma } }
}
