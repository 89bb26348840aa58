import PerceptCore

/// Changes tempo without changing pitch by a phase vocoder (audiomentations `TimeStretch`,
/// `librosa.effects.time_stretch`): rate r > 1 is faster, the audio becomes n / r samples,
/// or stays n samples (trimmed or zero-padded) with `leave_length_unchanged`.
///
///     let stretch = try TimeStretch(minRate: 0.8, maxRate: 1.25, leaveLengthUnchanged: false)
///     time_stretch: {min_rate: 0.8, max_rate: 1.25, leave_length_unchanged: false}     # in AUG.yaml
public struct TimeStretch: AugmentationStage {
    public static let name = "time_stretch", kind = SampleKind.audio, summary = "tempo change by a phase vocoder"
    public static let parameters = [
        ParameterSpec("min_rate", .float, default: 0.8, doc: "slowest rate (< 1 is slower)"),
        ParameterSpec("max_rate", .float, default: 1.25, doc: "fastest rate"),
        ParameterSpec("leave_length_unchanged", .bool, default: true, doc: "trim or pad back to the input length"),
        ParameterSpec("p", .float, default: 0.5, doc: "probability of stretching"),
    ]
    public let p: Float
    let range: (Float, Float), keepLength: Bool

    public init(_ params: Parameters) throws {
        p = try params.probability()
        range = try params.range("min_rate", "max_rate")
        guard range.0 >= 0.1, range.1 <= 10 else {
            throw params.invalid(range.0 < 0.1 ? "min_rate" : "max_rate", "must lie in [0.1, 10]")
        }
        keepLength = try params.bool("leave_length_unchanged")
    }

    /// Options left nil take the defaults in `parameters`; invalid values throw as in AUG.yaml.
    ///
    ///     let stretch = try TimeStretch(minRate: 0.9, maxRate: 1.1, p: 1)
    public init(minRate: Float? = nil, maxRate: Float? = nil, leaveLengthUnchanged: Bool? = nil, p: Float? = nil) throws {
        try self.init(Self.parameters([
            "min_rate": .given(minRate), "max_rate": .given(maxRate), "leave_length_unchanged": .given(leaveLengthUnchanged), "p": .given(p),
        ]))
    }

    public func outputShape(for shape: SampleShape, params: Params) -> SampleShape {
        guard !keepLength else { return shape }
        var s = shape
        s.dims = [shape.channels, StageBounds.int(Double(shape.width) / Double(params.rate))]
        return s
    }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params { Params(rate: rng.uniform(range.0, range.1)) }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        // A replayed rate gets the bounds a drawn one has (the output length is n / rate).
        guard params.rate >= 0.1, params.rate <= 10 else {
            throw PerceptError.invalidArgument(field: Self.name, "rate \(fmt(params.rate)) is outside [0.1, 10]")
        }
        let n = sample.shape.width
        sample.data = try PhaseVocoder.perChannel(sample.data) { y in
            let z = try PhaseVocoder.stretch(y, rate: Double(params.rate))
            return keepLength ? PhaseVocoder.fixLength(z, n) : z
        }
    }

    /// The drawn parameters of one application (logged and replayed as JSON).
    public struct Params: Codable, Sendable, Equatable { public var rate: Float; public init(rate: Float) { self.rate = rate } }
}
