import PerceptAudio
import PerceptCore

/// `percept extract melspectrogram`: the `melspectrogram` stage, `librosa.feature.melspectrogram`,
/// and with `--db` `librosa.power_to_db(M, ref=1, amin=1e-10, top_db=...)`; (n_mels, frames).
///
///     percept extract melspectrogram a.wav -o a.npy --n-fft 512 --hop-length 160 --n-mels 64 --db
public struct MelSpectrogramFeature: PartwiseFeature {
    public static let name = "melspectrogram", summary = "mel spectrogram as librosa.feature.melspectrogram, optionally in dB: (n_mels, frames)"
    public static let inputKind = InputKind.audio
    public static let parameters = AudioOptions.specs(MelSpectrogramStage.parameters)

    let params: Parameters
    let stage: MelSpectrogramStage
    let options: AudioOptions

    public init(_ params: Parameters) throws {
        self.params = params
        // Options are checked in the order they are listed: the STFT's, then --sr, then the rest.
        _ = try STFTStageOptions.checked(params)
        options = try AudioOptions(params)
        stage = try MelSpectrogramStage(params)
    }

    public func load(path: String) throws -> Sample { try options.load(path) }

    public func extract(_ input: Sample, path: String) throws -> FeatureOutput {
        try AudioOptions.filterbank(params, stage.mel, nFFT: stage.options.stft.nFFT, sampleRate: input.sampleRate, path: path)
        return .array(AudioOptions.plane(try AudioOptions.mapping(params, path: path) { try stage.apply(input) }))
    }

    public func extractPartwise(path: String) throws -> FeatureOutput? {
        try options.partwise(path) { rate in
            try AudioOptions.filterbank(params, stage.mel, nFFT: stage.options.stft.nFFT, sampleRate: rate, path: path)
            return try AudioOptions.mapping(params, path: path) { try stage.pipeline(sampleRate: rate) }
        }.map { .array($0) }
    }

    public func picture(of output: FeatureOutput, input: Sample) throws -> Tensor? {
        try AudioPicture.mel(output, sampleRate: input.sampleRate, stft: stage.options.stft, alreadyDb: stage.decibels != nil)
    }
}
