import PerceptAudio
import PerceptCore

/// `percept extract mfcc`: the `mfcc` stage, `librosa.feature.mfcc` (DCT of power_to_db of the mel
/// spectrogram); (n_mfcc, frames), or with `--deltas 2` the speech front end's stack
/// `np.vstack([m, librosa.feature.delta(m), librosa.feature.delta(m, order=2)])`: (3·n_mfcc, frames).
///
///     percept extract mfcc a.wav -o a.npy --n-mfcc 13 --lifter 22 --deltas 2
public struct MFCCFeature: PartwiseFeature {
    public static let name = "mfcc", summary = "MFCCs as librosa.feature.mfcc: (n_mfcc, frames)"
    public static let inputKind = InputKind.audio
    public static let parameters = AudioOptions.specs(MFCCStage.parameters)

    let params: Parameters
    let stage: MFCCStage
    let options: AudioOptions

    public init(_ params: Parameters) throws {
        self.params = params
        // Options are checked in the order they are listed: the STFT's, then --sr, then the rest.
        _ = try STFTStageOptions.checked(params)
        options = try AudioOptions(params)
        stage = try MFCCStage(params)
    }

    public func load(path: String) throws -> Sample { try options.load(path) }

    public func extract(_ input: Sample, path: String) throws -> FeatureOutput {
        try AudioOptions.filterbank(params, stage.mel, nFFT: stage.options.stft.nFFT, sampleRate: input.sampleRate, path: path)
        return try withDeltas(AudioOptions.mapping(params, path: path) { try stage.coefficients(input) }, path: path)
    }

    public func extractPartwise(path: String) throws -> FeatureOutput? {
        let coefficients = try options.partwise(path) { rate in
            try AudioOptions.filterbank(params, stage.mel, nFFT: stage.options.stft.nFFT, sampleRate: rate, path: path)
            return try AudioOptions.mapping(params, path: path) { try stage.pipeline(sampleRate: rate) }
        }
        return try coefficients.map { try withDeltas(Sample(spectrogram: Tensor(unchecked: [1] + $0.shape, data: $0.storage)), path: path) }
    }

    /// The coefficients `[1, n_mfcc, T]` as the output, with `--deltas` stacked below.
    private func withDeltas(_ m: Sample, path: String) throws -> FeatureOutput {
        let frames = m.data.shape[2]
        // The stage would name `delta_width`; the CLI names the flag and the file.
        guard stage.deltas == 0 || frames >= stage.deltaWidth else {
            throw PerceptError.badInput(file: path, "\(frames) frames are fewer than --delta-width \(stage.deltaWidth) (librosa's 'interp' deltas need a full window)")
        }
        return .array(AudioOptions.plane(try stage.appendingDeltas(m)))
    }

    /// Each coefficient scaled to its own range; with deltas, MFCC, Δ and ΔΔ one above the other.
    public func picture(of output: FeatureOutput, input: Sample) throws -> Tensor? {
        try AudioPicture.mfcc(output, sampleRate: input.sampleRate, stft: stage.options.stft, blocks: 1 + stage.deltas)
    }
}
