import PerceptCore

/// Changes tempo without changing pitch by a phase vocoder (audiomentations `TimeStretch`,
/// `librosa.effects.time_stretch`): rate r > 1 is faster, the audio becomes n / r samples,
/// or stays n samples (trimmed or zero-padded) with `leave_length_unchanged`.
///
///     time_stretch: {min_rate: 0.8, max_rate: 1.25, leave_length_unchanged: false}
public struct TimeStretch: AugmentationStage {
    public struct Params: Codable, Sendable, Equatable { public var rate: Float; public init(rate: Float) { self.rate = rate } }
    public static let name = "time_stretch"
    public static let kind = SampleKind.audio
    public static let summary = "tempo change by a phase vocoder"
    public static let parameters = [
        ParameterSpec("p", .float, default: "0.5", doc: "probability of stretching"),
        ParameterSpec("min_rate", .float, default: "0.8", doc: "slowest rate (< 1 is slower)"),
        ParameterSpec("max_rate", .float, default: "1.25", doc: "fastest rate"),
        ParameterSpec("leave_length_unchanged", .bool, default: "true", doc: "trim or pad back to the input length"),
    ]
    public let p: Float
    let range: (Float, Float), keepLength: Bool

    public init(_ params: Parameters) throws {
        let o = StageOptions(params)
        p = try o.probability()
        range = try o.range("min_rate", "max_rate")
        guard range.0 >= 0.1, range.1 <= 10 else {
            throw o.invalid(range.0 < 0.1 ? "min_rate" : "max_rate", "must lie in [0.1, 10]")
        }
        keepLength = try o.bool("leave_length_unchanged")
    }

    public func outputShape(for shape: SampleShape) throws -> SampleShape { try checkKind(shape); return shape }

    public func outputShape(for shape: SampleShape, params: Params) -> SampleShape {
        guard !keepLength else { return shape }
        var s = shape
        s.dims = [shape.channels, Int((Double(shape.width) / Double(params.rate)).rounded())]
        return s
    }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params { Params(rate: rng.uniform(range.0, range.1)) }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        let n = sample.shape.width
        sample.data = try PhaseVocoder.perChannel(sample.data) { y in
            let z = try PhaseVocoder.stretch(y, rate: Double(params.rate))
            return keepLength ? PhaseVocoder.fixLength(z, n) : z
        }
    }
}
