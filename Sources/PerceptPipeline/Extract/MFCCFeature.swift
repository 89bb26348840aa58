import PerceptAudio
import PerceptCore

/// `percept extract mfcc`: `librosa.feature.mfcc` (DCT of power_to_db of the mel spectrogram);
/// (n_mfcc, frames).
///
///     percept extract mfcc a.wav -o a.npy --n-mfcc 13 --lifter 22
public struct MFCCFeature: FeatureExtractor {
    public static let name = "mfcc"
    public static let summary = "MFCCs as librosa.feature.mfcc: (n_mfcc, frames)"
    public static let inputKind = InputKind.audio
    public static let parameters = AudioOptions.stftSpecs(defaultHop: "512") + MelOptions.specs + [
        ParameterSpec("top_db", .float, default: "80", doc: "floor of the log-mel at max - top_db ('none' for no floor)"),
        ParameterSpec("n_mfcc", .int, default: "20", doc: "number of coefficients"),
        ParameterSpec("dct_type", .int, default: "2", doc: "DCT type (1, 2 or 3)"),
        ParameterSpec("dct_norm", .choice, default: "ortho", choices: ["ortho", "none"], doc: "DCT normalisation"),
        ParameterSpec("lifter", .float, default: "0", doc: "cepstral liftering coefficient (0: none)"),
    ]

    let params: Parameters
    let options: AudioOptions
    let mel: MelOptions
    let decibels: Decibels
    /// The DCT (and lifter) does not depend on the file, so it is built once.
    let dct: MFCC

    public init(_ params: Parameters) throws {
        self.params = params
        options = try AudioOptions(params)
        let mel = try MelOptions(params)
        self.mel = mel
        decibels = try MelSpectrogramFeature.decibels(params)
        let nMFCC = try params.int("n_mfcc") ?? 20
        let dctType = try params.int("dct_type") ?? 2
        let dctNorm: MFCC.DCTNorm = params.string("dct_norm") == "none" ? .none : .ortho
        let lifter = Double(try params.float("lifter") ?? 0)
        dct = try AudioOptions.mapping(params, path: nil) {
            try MFCC(nMFCC: nMFCC, nMels: mel.nMels, dctType: dctType, norm: dctNorm, lifter: lifter)
        }
    }

    public func extract(path: String) throws -> FeatureOutput {
        let (y, rate) = try options.load(path)
        let bank = try mel.filterbank(sampleRate: rate, nFFT: options.stft.nFFT, params: params, path: path)
        return .array(try AudioOptions.mapping(params, path: path) {
            try SpectralPipeline(stft: options.stft, power: options.power, mel: bank, decibels: decibels, mfcc: dct).compute(y)
        })
    }

    public func picture(of output: FeatureOutput, path: String) throws -> Tensor? {
        guard case let .array(t) = output, t.rank == 2, t.count > 0 else { return nil }
        let lo = t.min, span = t.max > lo ? t.max - lo : 1
        var img = Tensor(shape: [1] + t.shape)
        let rows = t.shape[0]
        for r in 0..<rows { for c in 0..<t.shape[1] { img[0, rows - 1 - r, c] = (t[r, c] - lo) / span } }
        return img
    }
}
