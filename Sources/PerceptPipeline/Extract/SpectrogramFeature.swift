import PerceptAudio
import PerceptCore

/// `percept extract spectrogram`: `abs(librosa.stft(y, ...)) ** power`, [1 + n_fft/2, frames].
///
///     percept extract spectrogram a.wav -o a.npy --n-fft 512 --power 1
public struct SpectrogramFeature: FeatureExtractor {
    public static let name = "spectrogram"
    public static let summary = "STFT magnitude or power, as abs(librosa.stft(y)) ** power: (1 + n_fft/2, frames)"
    public static let inputKind = InputKind.audio
    public static let parameters = AudioOptions.stftSpecs(defaultHop: nil)

    let params: Parameters
    let options: AudioOptions

    public init(_ params: Parameters) throws {
        self.params = params
        options = try AudioOptions(params)
    }

    public func extract(path: String) throws -> FeatureOutput {
        let (y, _) = try options.load(path)
        return .array(try AudioOptions.mapping(params, path: path) {
            try SpectralPipeline(stft: options.stft, power: options.power).compute(y)
        })
    }

    public func picture(of output: FeatureOutput, path: String) throws -> Tensor? {
        AudioOptions.picture(of: output, alreadyDb: false)
    }
}
