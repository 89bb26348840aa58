import PerceptAudio
import PerceptCore

/// `percept extract mfcc`: `librosa.feature.mfcc` (DCT of power_to_db of the mel spectrogram);
/// (n_mfcc, frames), or with `--deltas 2` the speech front end's stack
/// `np.vstack([m, librosa.feature.delta(m), librosa.feature.delta(m, order=2)])`: (3·n_mfcc, frames).
///
///     percept extract mfcc a.wav -o a.npy --n-mfcc 13 --lifter 22 --deltas 2
public struct MFCCFeature: FeatureExtractor {
    public static let name = "mfcc"
    public static let summary = "MFCCs as librosa.feature.mfcc: (n_mfcc, frames)"
    public static let inputKind = InputKind.audio
    public static let parameters = AudioOptions.stftSpecs(defaultHop: 512) + MelOptions.specs + [
        ParameterSpec("top_db", .float, default: "80", doc: "floor of the log-mel at max - top_db ('none' for no floor)"),
        ParameterSpec("n_mfcc", .int, default: "20", doc: "number of coefficients"),
        ParameterSpec("dct_type", .int, default: "2", doc: "DCT type (1, 2 or 3)"),
        ParameterSpec("dct_norm", .choice, default: "ortho", choices: ["ortho", "none"], doc: "DCT normalisation"),
        ParameterSpec("lifter", .float, default: "0", doc: "cepstral liftering coefficient (0: none)"),
        ParameterSpec("deltas", .int, default: "0",
                      doc: "append librosa.feature.delta of orders 1…deltas below the coefficients (2: the 39 rows of 13 MFCC + Δ + ΔΔ)"),
        ParameterSpec("delta_width", .int, default: "9", doc: "frames in each delta's window (odd, ≥ 3), librosa's width"),
    ]

    let params: Parameters
    let options: AudioOptions
    let mel: MelOptions
    let decibels: Decibels
    /// The DCT (and lifter) does not depend on the file, so it is built once.
    let dct: MFCC
    let deltas: Int, deltaWidth: Int

    public init(_ params: Parameters) throws {
        self.params = params
        options = try AudioOptions(params)
        let mel = try MelOptions(params)
        self.mel = mel
        decibels = try MelSpectrogramFeature.decibels(params)
        let nMFCC = try params.int("n_mfcc")
        let dctType = try params.int("dct_type")
        let dctNorm: MFCC.DCTNorm = try params.string("dct_norm") == "none" ? .none : .ortho
        let lifter = Double(try params.float("lifter"))
        dct = try AudioOptions.mapping(params, path: nil) {
            try MFCC(nMFCC: nMFCC, nMels: mel.nMels, dctType: dctType, norm: dctNorm, lifter: lifter)
        }
        deltas = try params.int("deltas")
        guard (0...2).contains(deltas) else { throw params.invalid("deltas", "deltas=\(deltas) must be 0, 1 or 2") }
        deltaWidth = try params.int("delta_width")
        guard deltaWidth >= 3, deltaWidth % 2 == 1 else {
            throw params.invalid("delta_width", "delta_width=\(deltaWidth) must be an odd integer ≥ 3")
        }
        guard deltas < deltaWidth else { throw params.invalid("deltas", "deltas=\(deltas) must be below delta_width=\(deltaWidth)") }
    }

    public func extract(path: String) throws -> FeatureOutput {
        let (y, rate) = try options.load(path)
        let bank = try mel.filterbank(sampleRate: rate, nFFT: options.stft.nFFT, params: params, path: path)
        let m = try AudioOptions.mapping(params, path: path) {
            try SpectralPipeline(stft: options.stft, power: options.power, mel: bank, decibels: decibels, mfcc: dct).compute(y)
        }
        guard deltas > 0 else { return .array(m) }
        let frames = m.shape[1]
        guard frames >= deltaWidth else {
            throw PerceptError.badInput(file: path, "\(frames) frames are fewer than --delta-width \(deltaWidth) (librosa's 'interp' deltas need a full window)")
        }
        var rows = m.storage
        for order in 1...deltas { rows += try Delta.compute(m, width: deltaWidth, order: order).storage }
        return .array(Tensor(unchecked: [m.shape[0] * (1 + deltas), frames], data: rows))
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
