import PerceptCore

/// Negates every sample (audiomentations `PolarityInversion`).
///
///     let invert = try PolarityInversion(p: 0.5)
///     polarity_inversion: {p: 0.5}            # the same stage in AUG.yaml
public struct PolarityInversion: AugmentationStage {
    public struct Params: Codable, Sendable, Equatable { public init() {} }
    public static let name = "polarity_inversion"
    public static let kind = SampleKind.audio
    public static let summary = "flip the sign of the waveform"
    public static let parameters = [ParameterSpec("p", .float, default: 0.5, doc: "probability of inverting")]
    public let p: Float

    public init(_ params: Parameters) throws { p = try params.probability() }

    /// Options left nil take the defaults in `parameters`; invalid values throw as in AUG.yaml.
    ///
    ///     let invert = try PolarityInversion(p: 1)
    public init(p: Float? = nil) throws { try self.init(Self.parameters(["p": .given(p)])) }

    public func outputShape(for shape: SampleShape) throws -> SampleShape { try checkKind(shape); return shape }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params { Params() }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        sample.data = PixelLoops.rewritten(sample.data) { src, dst, n in PixelLoops.scaleShift(src, dst, n, -1, 0, clip: false) }
    }
}
