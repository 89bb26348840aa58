import PerceptCore

/// x ← clip(α·x + β, 0, 1) with α = 1 + U(contrast_limit), β = U(brightness_limit)
/// (albumentations `RandomBrightnessContrast`, float images, brightness_by_max).
///
///     let bc = try RandomBrightnessContrast(brightnessLimit: (-0.2, 0.2), contrastLimit: (-0.2, 0.2))
///     random_brightness_contrast: {brightness_limit: 0.2, contrast_limit: 0.2}     # the same stage in AUG.yaml
public struct RandomBrightnessContrast: AugmentationStage {
    public static let name = "random_brightness_contrast", kind = SampleKind.image, summary = "random brightness offset and contrast gain"
    public static let parameters = [
        ParameterSpec("brightness_limit", .floatPair, default: [-0.2, 0.2], doc: "offset range (fraction of full scale); v means [−v, v]"),
        ParameterSpec("contrast_limit", .floatPair, default: [-0.2, 0.2], doc: "gain range minus 1; v means [−v, v]"),
        ParameterSpec("p", .float, default: 0.5, doc: "probability of changing"),
    ]
    public let p: Float
    let brightness: (Float, Float), contrast: (Float, Float)

    public init(_ params: Parameters) throws {
        p = try params.probability()
        // Beyond ±10 every pixel clips; the bound keeps draws (low + (high − low)·u) finite.
        brightness = try params.floatPair("brightness_limit", symmetric: true, within: -10...10)
        contrast = try params.floatPair("contrast_limit", symmetric: true, within: -10...10)
    }

    /// Options left nil take the defaults in `parameters`; invalid values throw as in AUG.yaml.
    ///
    ///     let bc = try RandomBrightnessContrast(brightnessLimit: (-0.1, 0.3), p: 1)
    public init(brightnessLimit: (Float, Float)? = nil, contrastLimit: (Float, Float)? = nil, p: Float? = nil) throws {
        try self.init(Self.parameters([
            "brightness_limit": .given(brightnessLimit), "contrast_limit": .given(contrastLimit), "p": .given(p),
        ]))
    }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params {
        let alpha = 1 + rng.uniform(contrast.0, contrast.1)
        return Params(alpha: alpha, beta: rng.uniform(brightness.0, brightness.1))
    }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        sample.data = PixelLoops.rewritten(sample.data) { src, dst, n in PixelLoops.scaleShift(src, dst, n, params.alpha, params.beta, clip: true) }
    }

    /// The drawn parameters of one application (logged and replayed as JSON).
    public struct Params: Codable, Sendable, Equatable { public var alpha: Float; public var beta: Float; public init(alpha: Float, beta: Float) { self.alpha = alpha; self.beta = beta } }
}
