import PerceptCore

/// Negates every sample (audiomentations `PolarityInversion`).
///
///     let invert = try PolarityInversion(p: 0.5)
///     polarity_inversion: {p: 0.5}            # the same stage in AUG.yaml
public struct PolarityInversion: AugmentationStage {
    public typealias Params = NoParams
    public static let name = "polarity_inversion", kind = SampleKind.audio, summary = "flip the sign of the waveform"
    public static let parameters = [ParameterSpec("p", .float, default: 0.5, doc: "probability of inverting")]
    public let p: Float

    public init(_ params: Parameters) throws { p = try params.probability() }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        sample.data = PixelLoops.rewritten(sample.data) { src, dst, n in PixelLoops.scaleShift(src, dst, n, -1, 0, clip: false) }
    }
}
