import PerceptAudio
import PerceptCore

/// `percept extract spectrogram`: the `spectrogram` stage, `abs(librosa.stft(y, ...)) ** power`,
/// [1 + n_fft/2, frames].
///
///     percept extract spectrogram a.wav -o a.npy --n-fft 512 --power 1
public struct SpectrogramFeature: PartwiseFeature {
    public static let name = "spectrogram", summary = "STFT magnitude or power, as abs(librosa.stft(y)) ** power: (1 + n_fft/2, frames)"
    public static let inputKind = InputKind.audio
    public static let parameters = AudioOptions.specs(SpectrogramStage.parameters)

    let params: Parameters
    let stage: SpectrogramStage
    let options: AudioOptions

    public init(_ params: Parameters) throws {
        self.params = params
        // Options are checked in the order they are listed: the STFT's, then --sr, then the rest.
        _ = try STFTStageOptions.checked(params)
        options = try AudioOptions(params)
        stage = try SpectrogramStage(params)
    }

    public func load(path: String) throws -> Sample { try options.load(path) }

    public func extract(_ input: Sample, path: String) throws -> FeatureOutput {
        .array(AudioOptions.plane(try AudioOptions.mapping(params, path: path) { try stage.apply(input) }))
    }

    public func extractPartwise(path: String) throws -> FeatureOutput? {
        try options.partwise(path) { _ in try AudioOptions.mapping(params, path: path) { try stage.pipeline() } }.map { .array($0) }
    }

    public func picture(of output: FeatureOutput, input: Sample) throws -> Tensor? {
        try AudioPicture.spectrogram(output, sampleRate: input.sampleRate, stft: stage.options.stft, power: stage.options.power)
    }
}
