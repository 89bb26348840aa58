import PerceptAudio
import PerceptCore

/// `percept extract melspectrogram`: `librosa.feature.melspectrogram`, and with `--db`
/// `librosa.power_to_db(M, ref=1, amin=1e-10, top_db=...)`; (n_mels, frames).
///
///     percept extract melspectrogram a.wav -o a.npy --n-fft 512 --hop-length 160 --n-mels 64 --db
public struct MelSpectrogramFeature: FeatureExtractor {
    public static let name = "melspectrogram"
    public static let summary = "mel spectrogram as librosa.feature.melspectrogram, optionally in dB: (n_mels, frames)"
    public static let inputKind = InputKind.audio
    public static let parameters = AudioOptions.stftSpecs(defaultHop: 512) + MelOptions.specs + [
        ParameterSpec("db", .bool, default: "false", doc: "convert with power_to_db (ref 1, amin 1e-10)"),
        ParameterSpec("top_db", .float, default: "80", doc: "with --db: floor at max - top_db ('none' for no floor)"),
    ]

    let params: Parameters
    let options: AudioOptions
    let mel: MelOptions
    let decibels: Decibels?

    public init(_ params: Parameters) throws {
        self.params = params
        options = try AudioOptions(params)
        mel = try MelOptions(params)
        decibels = try params.bool("db") ? try MelSpectrogramFeature.decibels(params) : nil
    }

    /// power_to_db with ref 1, amin 1e-10 and the `top_db` option ("none" disables the floor).
    static func decibels(_ params: Parameters) throws -> Decibels {
        var top: Float? = 80
        if try params.string("top_db").lowercased() == "none" { top = nil } else { top = try params.float("top_db") }
        if let t = top, !(t >= 0) || !t.isFinite { throw params.invalid("top_db", "top_db=\(t) must be a non-negative number") }
        return try Decibels.power(ref: .value(1), amin: 1e-10, topDb: top)
    }

    public func extract(path: String) throws -> FeatureOutput {
        let (y, rate) = try options.load(path)
        let bank = try mel.filterbank(sampleRate: rate, nFFT: options.stft.nFFT, params: params, path: path)
        return .array(try AudioOptions.mapping(params, path: path) {
            try SpectralPipeline(stft: options.stft, power: options.power, mel: bank, decibels: decibels).compute(y)
        })
    }

    public func picture(of output: FeatureOutput, path: String) throws -> Tensor? {
        AudioOptions.picture(of: output, alreadyDb: decibels != nil)
    }
}
