import PerceptCore

/// `spectrogram`: `abs(librosa.stft(y, ...)) ** power` of each channel, audio `[C, frames]` →
/// spectrogram `[C, 1 + n_fft/2, T]`.
///
///     let s = try SpectrogramStage(nFFT: 512, power: 1).apply(try Sample(audio: y, sampleRate: 16000))
public struct SpectrogramStage: Transform {
    public static let name = "spectrogram", summary = "STFT magnitude or power of each channel, as abs(librosa.stft(y)) ** power: (C, 1 + n_fft/2, frames)"
    public static let accepts: [SampleKind] = [.audio]
    public static let parameters = STFTStageOptions.specs(defaultHop: nil)

    public let options: STFTStageOptions

    public init(_ params: Parameters) throws {
        options = try STFTStageOptions(params)
    }

    /// Options left nil take the defaults of `parameters`.
    public init(nFFT: Int? = nil, hopLength: Int? = nil, winLength: Int? = nil, window: String? = nil, center: Bool? = nil,
                padMode: String? = nil, power: Float? = nil) throws {
        let v: [String: Value] = ["n_fft": .given(nFFT), "hop_length": .given(hopLength), "win_length": .given(winLength),
                                   "window": .given(window), "center": .given(center), "pad_mode": .given(padMode),
                                   "power": .given(power)]
        try self.init(Self.parameters(v))
    }

    public func outputShape(for shape: SampleShape) throws -> SampleShape {
        try checkKind(shape)
        return SampleShape(kind: .spectrogram, dims: [shape.channels, options.stft.bins, try options.frames(shape)])
    }

    public func apply(_ sample: Sample) throws -> Sample {
        try checkKind(sample.shape)
        return try Sample(spectrogram: STFTStageOptions.perChannel(sample.data, pipeline().compute))
    }

    /// The frame-by-frame computation behind `apply`.
    public func pipeline() throws -> SpectralPipeline { try SpectralPipeline(stft: options.stft, power: options.power) }
}
