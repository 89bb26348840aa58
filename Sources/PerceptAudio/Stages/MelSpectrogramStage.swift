import PerceptCore

/// `melspectrogram`: `librosa.feature.melspectrogram` of each channel, and with `db`
/// `librosa.power_to_db(M, ref=1, amin=1e-10, top_db=...)`; audio `[C, frames]` → spectrogram `[C, n_mels, T]`.
///
///     let m = try MelSpectrogramStage(nFFT: 512, hopLength: 160, nMels: 64, db: true)
public struct MelSpectrogramStage: Transform {
    public static let name = "melspectrogram", summary = "mel spectrogram of each channel as librosa.feature.melspectrogram, optionally in dB: (C, n_mels, frames)"
    public static let accepts: [SampleKind] = [.audio]
    public static let parameters = STFTStageOptions.specs(defaultHop: 512) + MelStageOptions.specs + [
        ParameterSpec("db", .bool, default: "false", doc: "convert with power_to_db (ref 1, amin 1e-10)"),
        ParameterSpec("top_db", .float, default: "80", doc: "floor at max - top_db ('none' for no floor)", requires: "db"),
    ]

    public let options: STFTStageOptions
    public let mel: MelStageOptions
    /// power_to_db when `db` is set.
    public let decibels: Decibels?

    public init(_ params: Parameters) throws {
        options = try STFTStageOptions(params)
        mel = try MelStageOptions(params)
        decibels = try params.bool("db") ? try MelStageOptions.decibels(params) : nil
    }

    /// Options left nil take the defaults of `parameters`.
    public init(nFFT: Int? = nil, hopLength: Int? = nil, window: String? = nil, power: Float? = nil,
                nMels: Int? = nil, fmin: Float? = nil, fmax: Float? = nil, htk: Bool? = nil, db: Bool? = nil, topDb: Float? = nil) throws {
        let v: [String: Value] = ["n_fft": .given(nFFT), "hop_length": .given(hopLength), "window": .given(window),
                                   "power": .given(power), "n_mels": .given(nMels), "fmin": .given(fmin),
                                   "fmax": .given(fmax), "htk": .given(htk), "db": .given(db), "top_db": .given(topDb)]
        try self.init(Self.parameters(v))
    }

    public func outputShape(for shape: SampleShape) throws -> SampleShape {
        try checkKind(shape)
        try mel.check(sampleRate: shape.sampleRate)
        return SampleShape(kind: .spectrogram, dims: [shape.channels, mel.nMels, try options.frames(shape)])
    }

    /// The filterbank for a sample rate (cached), and whether this call built it.
    public func filterbank(sampleRate: Int) throws -> (bank: MelFilterbank, isNew: Bool) {
        try mel.filterbank(sampleRate: sampleRate, nFFT: options.stft.nFFT)
    }

    public func apply(_ sample: Sample) throws -> Sample {
        try checkKind(sample.shape)
        return try Sample(spectrogram: STFTStageOptions.perChannel(sample.data, pipeline(sampleRate: sample.sampleRate).compute))
    }

    /// The frame-by-frame computation behind `apply` for audio at `sampleRate`.
    public func pipeline(sampleRate: Int) throws -> SpectralPipeline {
        try SpectralPipeline(stft: options.stft, power: options.power, mel: filterbank(sampleRate: sampleRate).bank, decibels: decibels)
    }
}
