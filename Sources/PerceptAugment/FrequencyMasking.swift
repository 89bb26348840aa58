import PerceptCore

/// SpecAugment frequency masking (torchaudio `FrequencyMasking(freq_mask_param)`): sets a
/// band of ⌊U·F⌋ consecutive frequency rows to `mask_value`, `num_masks` times.
///
///     let mask = try FrequencyMasking(freqMaskParam: 15, numMasks: 2)
///     frequency_masking: {freq_mask_param: 15, num_masks: 2}     # the same stage in AUG.yaml
public struct FrequencyMasking: AugmentationStage {
    public static let name = "frequency_masking", kind = SampleKind.spectrogram, summary = "SpecAugment frequency masks"
    public static let parameters = [
        ParameterSpec("freq_mask_param", .int, doc: "maximum band width in bins (required)"),
        ParameterSpec("num_masks", .int, default: 1, doc: "how many bands"),
        ParameterSpec("mask_value", .float, default: 0, doc: "value written into the bands"),
        ParameterSpec("p", .float, default: 1.0, doc: "probability of masking"),
    ]
    public let p: Float
    let param: Int, count: Int, value: Float

    public init(_ params: Parameters) throws {
        p = try params.probability()
        param = try params.int("freq_mask_param", within: 0...StageBounds.maxBand)
        count = try params.int("num_masks", within: 0...StageBounds.maxCount)
        value = try params.finiteFloat("mask_value")
    }

    /// The band width bound is required; options left nil take the defaults in `parameters`;
    /// invalid values throw as in AUG.yaml.
    ///
    ///     let mask = try FrequencyMasking(freqMaskParam: 8, numMasks: 2, maskValue: -80)
    public init(freqMaskParam: Int, numMasks: Int? = nil, maskValue: Float? = nil, p: Float? = nil) throws {
        try self.init(Self.parameters([
            "freq_mask_param": .of(freqMaskParam), "num_masks": .given(numMasks), "mask_value": .given(maskValue), "p": .given(p),
        ]))
    }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params {
        Params(bands: (0..<count).map { _ in MaskBand.draw(&rng, param: param, size: shape.height) })
    }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        for b in params.bands { b.fill(&sample.data, alongRows: true, value: value) }
    }

    /// The drawn parameters of one application (logged and replayed as JSON).
    public struct Params: Codable, Sendable, Equatable { public var bands: [MaskBand]; public init(bands: [MaskBand]) { self.bands = bands } }
}
