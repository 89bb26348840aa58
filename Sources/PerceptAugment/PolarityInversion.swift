import PerceptCore

/// Negates every sample (audiomentations `PolarityInversion`).
///
///     polarity_inversion: {p: 0.5}
public struct PolarityInversion: AugmentationStage {
    public struct Params: Codable, Sendable, Equatable { public init() {} }
    public static let name = "polarity_inversion"
    public static let kind = SampleKind.audio
    public static let summary = "flip the sign of the waveform"
    public static let parameters = [ParameterSpec("p", .float, default: "0.5", doc: "probability of inverting")]
    public let p: Float

    public init(_ params: Parameters) throws { p = try StageOptions(params).probability() }

    public func outputShape(for shape: SampleShape) throws -> SampleShape { try checkKind(shape); return shape }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params { Params() }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        sample.data = PixelLoops.rewritten(sample.data) { src, dst, n in PixelLoops.scaleShift(src, dst, n, -1, 0, clip: false) }
    }
}
