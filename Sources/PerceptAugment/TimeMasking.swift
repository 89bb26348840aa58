import PerceptCore

/// SpecAugment time masking (torchaudio `TimeMasking(time_mask_param, p)`; torchaudio's
/// `p`, the largest fraction of frames one mask may cover, is `max_proportion` here because
/// `p` is every stage's probability): sets ⌊U·T⌋ consecutive frames to `mask_value`.
///
///     let mask = try TimeMasking(timeMaskParam: 30, maxProportion: 0.2)
///     time_masking: {time_mask_param: 30, max_proportion: 0.2}     # the same stage in AUG.yaml
public struct TimeMasking: AugmentationStage {
    public static let name = "time_masking", kind = SampleKind.spectrogram, summary = "SpecAugment time masks"
    public static let parameters = [
        ParameterSpec("time_mask_param", .int, doc: "maximum band width in frames (required)"),
        ParameterSpec("max_proportion", .float, default: 1.0, doc: "upper bound on a band's width as a fraction of the frames (torchaudio's p)"),
        ParameterSpec("num_masks", .int, default: 1, doc: "how many bands"),
        ParameterSpec("mask_value", .float, default: 0, doc: "value written into the bands"),
        ParameterSpec("p", .float, default: 1.0, doc: "probability of masking"),
    ]
    public let p: Float
    let param: Int, proportion: Float, count: Int, value: Float

    public init(_ params: Parameters) throws {
        p = try params.probability()
        param = try params.int("time_mask_param", within: 0...StageBounds.maxBand)
        proportion = try params.finiteFloat("max_proportion")
        guard proportion >= 0 && proportion <= 1 else { throw params.invalid("max_proportion", "\(fmt(proportion)) is outside [0, 1]") }
        count = try params.int("num_masks", within: 0...StageBounds.maxCount)
        value = try params.finiteFloat("mask_value")
    }

    /// The band width bound is required; options left nil take the defaults in `parameters`;
    /// invalid values throw as in AUG.yaml.
    ///
    ///     let mask = try TimeMasking(timeMaskParam: 20, maxProportion: 0.1, numMasks: 2)
    public init(timeMaskParam: Int, maxProportion: Float? = nil, numMasks: Int? = nil, maskValue: Float? = nil, p: Float? = nil) throws {
        try self.init(Self.parameters([
            "time_mask_param": .of(timeMaskParam), "max_proportion": .given(maxProportion), "num_masks": .given(numMasks),
            "mask_value": .given(maskValue), "p": .given(p),
        ]))
    }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params {
        let t = shape.width
        let limit = proportion < 1 ? Swift.min(param, Int(Float(t) * proportion)) : param
        return Params(bands: (0..<count).map { _ in MaskBand.draw(&rng, param: limit, size: t) })
    }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        for b in params.bands { b.fill(&sample.data, alongRows: false, value: value) }
    }

    /// The drawn parameters of one application (logged and replayed as JSON).
    public struct Params: Codable, Sendable, Equatable { public var bands: [MaskBand]; public init(bands: [MaskBand]) { self.bands = bands } }
}
