import Foundation
import PerceptCore

/// The librosa.stft options the spectral stages share, checked once: `n_fft`, `hop_length`,
/// `win_length`, `window`, `center`, `pad_mode`, `power`.
///
///     let o = try STFTStageOptions(SpectrogramStage.parameters(["n_fft": 512]))
public struct STFTStageOptions: Sendable {
    public let stft: STFT
    public let power: Float

    static let windowNames = Window.allCases.map(\.rawValue)

    /// The specs, in listing order. `defaultHop` nil means librosa.stft's win_length / 4.
    public static func specs(defaultHop: Int?) -> [ParameterSpec] {
        [
            ParameterSpec("n_fft", .int, default: "2048", doc: "FFT size in samples"),
            ParameterSpec("hop_length", .int, default: defaultHop.map { Value.of($0) },
                          doc: defaultHop == nil ? "hop between frames in samples (default win_length / 4)" : "hop between frames in samples"),
            ParameterSpec("win_length", .int, doc: "window length in samples, zero-padded to n_fft (default n_fft)"),
            ParameterSpec("window", .string, default: "hann", doc: "analysis window: \(windowNames.joined(separator: ", ")) (periodic)"),
            ParameterSpec("center", .bool, default: "true",
                          doc: "centre frames by padding n_fft/2 samples at both ends: frames = 1 + samples // hop_length for an even n_fft "
                               + "(uncentred: 1 + (samples - n_fft) // hop_length, as Kaldi's snip_edges)"),
            ParameterSpec("pad_mode", .choice, default: "constant", choices: PadMode.allCases.map(\.rawValue),
                          doc: "padding used when centring", requires: "center"),
            ParameterSpec("power", .float, default: "2", doc: "exponent of the magnitude (1 magnitude, 2 power)"),
        ]
    }

    public init(_ params: Parameters) throws {
        let o = try STFTStageOptions.checked(params)
        power = o.power
        stft = try STFTStageOptions.naming(params) {
            try STFT(nFFT: o.nFFT, hopLength: o.hop, winLength: o.win, window: o.window, center: o.center, padMode: o.pad)
        }
    }

    /// The options checked one by one, in listing order, before an STFT is built from them
    /// (a caller with options listed after `power`, such as the CLI's `sr`, checks them next).
    public static func checked(_ params: Parameters) throws
        -> (nFFT: Int, hop: Int?, win: Int?, window: Window, center: Bool, pad: PadMode, power: Float) {
        let nFFT = try params.int("n_fft")
        guard nFFT > 0 else { throw params.invalid("n_fft", "n_fft=\(nFFT) must be > 0") }
        let win = try params.optionalInt("win_length")
        if let w = win, w <= 0 { throw params.invalid("win_length", "win_length=\(w) must be > 0") }
        if let w = win, w > nFFT { throw params.invalid("win_length", "win_length=\(w) must be ≤ n_fft=\(nFFT)") }
        let hop = try params.optionalInt("hop_length")
        if let h = hop, h <= 0 { throw params.invalid("hop_length", "hop_length=\(h) must be a positive integer") }
        let name = try params.string("window")
        guard let window = Window(name: name) else {
            throw params.invalid("window", "unknown window '\(name)'; known: \(STFTStageOptions.windowNames.joined(separator: ", "))")
        }
        guard let pad = PadMode(rawValue: try params.string("pad_mode")) else {
            throw params.invalid("pad_mode", "unknown pad mode; known: \(PadMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let center = try params.bool("center")
        let power = try params.float("power")
        guard power > 0, power.isFinite else { throw params.invalid("power", "power=\(power) must be a positive number") }
        return (nFFT, hop, win, window, center, pad, power)
    }

    /// Runs `body`, turning the library's errors about a parameter (named in snake_case, like the
    /// specs) into errors naming the option as the user wrote it (`--n-fft`, `stages[2].n_fft`).
    static func naming<T>(_ params: Parameters, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let PerceptError.invalidArgument(field, message) where params.specs.contains(where: { $0.name == field }) {
            throw params.invalid(field, message)
        }
    }

    /// The `[C, F, T]` output of a per-channel spectral computation over `[C, frames]` audio:
    /// channel c's `[F, T]` result is plane c.
    static func perChannel(_ audio: Tensor, _ compute: ([Float]) throws -> Tensor) throws -> Tensor {
        let c = audio.shape[0], n = audio.shape[1]
        if c == 1 {
            let t = try compute(audio.storage)
            return Tensor(unchecked: [1] + t.shape, data: t.storage)
        }
        var planes = [Tensor]()
        for ch in 0..<c { planes.append(try compute(Array(audio.storage[(ch * n)..<((ch + 1) * n)]))) }
        return try Tensor.stack(planes)
    }

    /// Frames of the output for an audio input shape (librosa.stft's count; too-short input throws).
    func frames(_ shape: SampleShape) throws -> Int { try stft.frameCount(signalLength: shape.width) }
}

/// The librosa.filters.mel options the mel stages share, and their filterbanks cached by sample
/// rate (a folder of files at one rate builds one bank).
///
///     let bank = try MelStageOptions(params).filterbank(sampleRate: 16000, nFFT: 512).bank
public struct MelStageOptions: Sendable {
    public let nMels: Int
    public let fmin: Double
    public let fmax: Double?
    public let htk: Bool
    public let norm: MelFilterbank.Norm
    private let cache = MelCache()

    public static let specs: [ParameterSpec] = [
        ParameterSpec("n_mels", .int, default: "128", doc: "number of mel bands"),
        ParameterSpec("fmin", .float, default: "0", doc: "lowest frequency (Hz)"),
        ParameterSpec("fmax", .float, doc: "highest frequency (Hz, default sr/2)"),
        ParameterSpec("htk", .bool, default: "false", doc: "use the HTK mel scale instead of Slaney's"),
        ParameterSpec("mel_norm", .choice, default: "slaney", choices: ["slaney", "none"], doc: "mel filter normalisation"),
    ]

    public init(_ params: Parameters) throws {
        nMels = try params.int("n_mels")
        guard (1...MelFilterbank.maxMels).contains(nMels) else {
            throw params.invalid("n_mels", "n_mels=\(nMels) must be between 1 and \(MelFilterbank.maxMels)")
        }
        fmin = Double(try params.float("fmin"))
        guard fmin >= 0 else { throw params.invalid("fmin", "fmin=\(fmin) must be ≥ 0") }
        fmax = try params.optionalFloat("fmax").map(Double.init)
        if let f = fmax {
            guard f > 0 else { throw params.invalid("fmax", "fmax=\(f) must be > 0") }
            guard fmin < f else { throw params.invalid("fmin", "fmin=\(fmin) must be below fmax=\(f)") }
        }
        htk = try params.bool("htk")
        norm = try params.string("mel_norm") == "none" ? .none : .slaney
    }

    /// The filterbank for this rate, and whether this call built it (so a caller warns once
    /// about empty filters). An `fmax` above sr/2 is an error naming `fmax`.
    public func filterbank(sampleRate: Int, nFFT: Int) throws -> (bank: MelFilterbank, isNew: Bool) {
        try check(sampleRate: sampleRate)
        if let bank = cache.get(sampleRate) { return (bank, false) }
        let bank = try MelFilterbank(sampleRate: sampleRate, nFFT: nFFT, nMels: nMels, fmin: fmin, fmax: fmax, htk: htk, norm: norm)
        return (bank, cache.put(sampleRate, bank))
    }

    /// Rejects an `fmax` above the Nyquist frequency of `sampleRate` (before anything runs).
    public func check(sampleRate: Int) throws {
        if let f = fmax, f > Double(sampleRate) / 2 {
            throw PerceptError.invalidArgument(field: "fmax", "fmax=\(f) is above the Nyquist frequency sr/2=\(Double(sampleRate) / 2)")
        }
    }

    /// power_to_db with ref 1, amin 1e-10 and the `top_db` option ("none" disables the floor).
    public static func decibels(_ params: Parameters) throws -> Decibels {
        var top: Float? = 80
        if try params.string("top_db").lowercased() == "none" { top = nil } else { top = try params.float("top_db") }
        if let t = top, !(t >= 0) || !t.isFinite { throw params.invalid("top_db", "top_db=\(t) must be a non-negative number") }
        return try Decibels.power(ref: .value(1), amin: 1e-10, topDb: top)
    }
}

/// Filterbanks by sample rate, shared by the threads of a folder run.
final class MelCache: @unchecked Sendable {
    private let lock = NSLock()
    private var banks: [Int: MelFilterbank] = [:]

    func get(_ rate: Int) -> MelFilterbank? {
        lock.lock(); defer { lock.unlock() }
        return banks[rate]
    }

    /// Stores the bank; true when this call added it.
    func put(_ rate: Int, _ bank: MelFilterbank) -> Bool {
        lock.lock(); defer { lock.unlock() }
        if banks[rate] != nil { return false }
        banks[rate] = bank
        return true
    }
}
