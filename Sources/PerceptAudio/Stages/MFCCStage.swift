import PerceptCore

/// `mfcc`: `librosa.feature.mfcc` of each channel (DCT of power_to_db of the mel spectrogram),
/// audio `[C, frames]` → spectrogram `[C, n_mfcc, T]`; with `deltas: 2` the speech front end's
/// stack `np.vstack([m, librosa.feature.delta(m), librosa.feature.delta(m, order=2)])`, `[C, 3·n_mfcc, T]`.
///
///     let m = try MFCCStage(nMFCC: 13, lifter: 22, deltas: 2)
public struct MFCCStage: Transform {
    public static let name = "mfcc", summary = "MFCCs of each channel as librosa.feature.mfcc, optionally with deltas stacked below: (C, n_mfcc · (1 + deltas), frames)"
    public static let accepts: [SampleKind] = [.audio]
    public static let parameters = STFTStageOptions.specs(defaultHop: 512) + MelStageOptions.specs + [
        ParameterSpec("top_db", .float, default: "80", doc: "floor of the log-mel at max - top_db ('none' for no floor)"),
        ParameterSpec("n_mfcc", .int, default: "20", doc: "number of coefficients"),
        ParameterSpec("dct_type", .int, default: "2", doc: "DCT type (1, 2 or 3)"),
        ParameterSpec("dct_norm", .choice, default: "ortho", choices: ["ortho", "none"], doc: "DCT normalisation"),
        ParameterSpec("lifter", .float, default: "0", doc: "cepstral liftering coefficient (0: none)"),
        ParameterSpec("deltas", .int, default: "0",
                      doc: "append librosa.feature.delta of orders 1…deltas below the coefficients (2: the 39 rows of 13 MFCC + Δ + ΔΔ)"),
        ParameterSpec("delta_width", .int, default: "9", doc: "frames in each delta's window (odd, ≥ 3), librosa's width",
                      requires: "deltas"),
    ]

    public let options: STFTStageOptions
    public let mel: MelStageOptions
    public let decibels: Decibels
    /// The DCT (and lifter) does not depend on the input, so it is built once.
    public let dct: MFCC
    public let deltas: Int, deltaWidth: Int

    public init(_ params: Parameters) throws {
        options = try STFTStageOptions(params)
        let mel = try MelStageOptions(params)
        self.mel = mel
        decibels = try MelStageOptions.decibels(params)
        let nMFCC = try params.int("n_mfcc")
        let dctType = try params.int("dct_type")
        let dctNorm: MFCC.DCTNorm = try params.string("dct_norm") == "none" ? .none : .ortho
        let lifter = Double(try params.float("lifter"))
        dct = try STFTStageOptions.naming(params) {
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

    /// Options left nil take the defaults of `parameters`.
    public init(nFFT: Int? = nil, hopLength: Int? = nil, nMels: Int? = nil, nMFCC: Int? = nil, lifter: Float? = nil,
                deltas: Int? = nil, deltaWidth: Int? = nil) throws {
        let v: [String: Value] = ["n_fft": .given(nFFT), "hop_length": .given(hopLength), "n_mels": .given(nMels),
                                   "n_mfcc": .given(nMFCC), "lifter": .given(lifter), "deltas": .given(deltas),
                                   "delta_width": .given(deltaWidth)]
        try self.init(Self.parameters(v))
    }

    public func outputShape(for shape: SampleShape) throws -> SampleShape {
        try checkKind(shape)
        try mel.check(sampleRate: shape.sampleRate)
        let frames = try options.frames(shape)
        if deltas > 0 { try checkFrames(frames) }
        return SampleShape(kind: .spectrogram, dims: [shape.channels, dct.nMFCC * (1 + deltas), frames])
    }

    /// The filterbank for a sample rate (cached), and whether this call built it.
    public func filterbank(sampleRate: Int) throws -> (bank: MelFilterbank, isNew: Bool) {
        try mel.filterbank(sampleRate: sampleRate, nFFT: options.stft.nFFT)
    }

    public func apply(_ sample: Sample) throws -> Sample {
        try appendingDeltas(try coefficients(sample))
    }

    /// The coefficients alone, `[C, n_mfcc, T]` (what `apply` returns without deltas).
    public func coefficients(_ sample: Sample) throws -> Sample {
        try checkKind(sample.shape)
        return try Sample(spectrogram: STFTStageOptions.perChannel(sample.data, pipeline(sampleRate: sample.sampleRate).compute))
    }

    /// The frame-by-frame computation behind `coefficients` for audio at `sampleRate`.
    public func pipeline(sampleRate: Int) throws -> SpectralPipeline {
        try SpectralPipeline(stft: options.stft, power: options.power, mel: filterbank(sampleRate: sampleRate).bank, decibels: decibels, mfcc: dct)
    }

    /// Coefficients `[C, n, T]` with `deltas` orders of librosa.feature.delta stacked below each
    /// channel's rows: `[C, n·(1 + deltas), T]`.
    public func appendingDeltas(_ coefficients: Sample) throws -> Sample {
        guard deltas > 0 else { return coefficients }
        let c = coefficients.data.shape[0], n = coefficients.data.shape[1], frames = coefficients.data.shape[2]
        try checkFrames(frames)
        var rows = [Float]()
        rows.reserveCapacity(c * n * (1 + deltas) * frames)
        for ch in 0..<c {
            let m = Tensor(unchecked: [n, frames], data: Array(coefficients.data.storage[(ch * n * frames)..<((ch + 1) * n * frames)]))
            rows += m.storage
            for order in 1...deltas { rows += try Delta.compute(m, width: deltaWidth, order: order).storage }
        }
        return try Sample(spectrogram: Tensor(unchecked: [c, n * (1 + deltas), frames], data: rows))
    }

    private func checkFrames(_ frames: Int) throws {
        guard frames >= deltaWidth else {
            throw PerceptError.invalidArgument(field: "delta_width",
                "\(frames) frames are fewer than delta_width=\(deltaWidth) (librosa's 'interp' deltas need a full window)")
        }
    }
}
