import Foundation
import PerceptAudio
import PerceptCore
import PerceptIO

/// What the three audio features share: loading (read → mono → optional soxr resampling),
/// STFT and mel option parsing, error mapping and the `--png` picture.
///
///     let opts = try AudioOptions(params, defaultHop: nil)
///     let (y, sr) = try opts.load("a.wav")
struct AudioOptions: Sendable {
    let stft: STFT
    let power: Float
    /// `--sr`: resample to this rate when the file's differs.
    let targetRate: Int?

    static let windowNames = Window.allCases.map(\.rawValue)
    /// Highest `--sr` accepted (well above any audio format's rate).
    static let maxRate = 1_536_000

    /// STFT and loading options. `defaultHop` nil means librosa.stft's win_length / 4.
    static func stftSpecs(defaultHop: Int?) -> [ParameterSpec] {
        [
            ParameterSpec("n_fft", .int, default: "2048", doc: "FFT size in samples"),
            ParameterSpec("hop_length", .int, default: defaultHop.map(Value.of),
                          doc: defaultHop == nil ? "hop between frames in samples (default win_length / 4)" : "hop between frames in samples"),
            ParameterSpec("win_length", .int, doc: "window length in samples, zero-padded to n_fft (default n_fft)"),
            ParameterSpec("window", .string, default: "hann", doc: "analysis window: \(windowNames.joined(separator: ", ")) (periodic)"),
            ParameterSpec("center", .bool, default: "true",
                          doc: "centre frames by padding n_fft/2 samples at both ends: frames = 1 + samples // hop_length for an even n_fft "
                               + "(uncentred: 1 + (samples - n_fft) // hop_length, as Kaldi's snip_edges)"),
            ParameterSpec("pad_mode", .choice, default: "constant", choices: PadMode.allCases.map(\.rawValue),
                          doc: "padding used when centring"),
            ParameterSpec("power", .float, default: "2", doc: "exponent of the magnitude (1 magnitude, 2 power)"),
            ParameterSpec("sr", .int, doc: "resample to this rate with soxr when the file's rate differs (default: native rate)"),
        ]
    }

    init(_ params: Parameters) throws {
        let nFFT = try params.int("n_fft")
        guard nFFT > 0 else { throw params.invalid("n_fft", "n_fft=\(nFFT) must be > 0") }
        let win = try params.optionalInt("win_length")
        if let w = win, w <= 0 { throw params.invalid("win_length", "win_length=\(w) must be > 0") }
        if let w = win, w > nFFT { throw params.invalid("win_length", "win_length=\(w) must be ≤ n_fft=\(nFFT)") }
        let hop = try params.optionalInt("hop_length")
        if let h = hop, h <= 0 { throw params.invalid("hop_length", "hop_length=\(h) must be a positive integer") }
        let name = try params.string("window")
        guard let window = Window(name: name) else {
            throw params.invalid("window", "unknown window '\(name)'; known: \(AudioOptions.windowNames.joined(separator: ", "))")
        }
        guard let pad = PadMode(rawValue: try params.string("pad_mode")) else {
            throw params.invalid("pad_mode", "unknown pad mode; known: \(PadMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let center = try params.bool("center")
        power = try params.float("power")
        guard power > 0, power.isFinite else { throw params.invalid("power", "power=\(power) must be a positive number") }
        targetRate = try params.optionalInt("sr")
        if let r = targetRate, !(1...AudioOptions.maxRate).contains(r) {
            throw params.invalid("sr", "sr=\(r) must be between 1 and \(AudioOptions.maxRate)")
        }
        stft = try AudioOptions.mapping(params, path: nil) {
            try STFT(nFFT: nFFT, hopLength: hop, winLength: win, window: window, center: center, padMode: pad)
        }
    }

    /// The file as mono samples at the working rate, and that rate.
    func load(_ path: String) throws -> ([Float], Int) {
        let audio = try AudioFile.read(path)
        var y = audio.mono()
        var rate = audio.sampleRate
        if let target = targetRate, target != rate {
            y = try Resampler.resample(y, from: rate, to: target)
            rate = target
        }
        return (y, rate)
    }

    /// Runs `body`, turning the library's parameter errors (named in snake_case, like the
    /// options) into errors naming the option as the user wrote it, and sample errors into
    /// errors about the file.
    static func mapping<T>(_ params: Parameters, path: String?, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let PerceptError.invalidArgument(field, message) {
            if params.specs.contains(where: { $0.name == field }) { throw params.invalid(field, message) }
            if let path { throw PerceptError.badInput(file: path, message) }
            throw PerceptError.invalidArgument(field: field, message)
        }
    }

    /// A picture for `--png`: [1, rows, frames] with low rows at the bottom, scaled to [0, 1]
    /// (dB values are shown over their top 80 dB; linear ones are converted to dB first).
    static func picture(of output: FeatureOutput, alreadyDb: Bool) -> Tensor? {
        guard case let .array(t) = output, t.rank == 2, t.count > 0 else { return nil }
        let rows = t.shape[0], cols = t.shape[1]
        var v = t
        if !alreadyDb { v = (try? Decibels.power(ref: .max, amin: 1e-10, topDb: 80))?.converted(t) ?? t }
        let hi = v.max, lo = alreadyDb ? Swift.max(v.min, hi - 80) : v.min
        let span = hi > lo ? hi - lo : 1
        var img = Tensor(shape: [1, rows, cols])
        for r in 0..<rows {
            for c in 0..<cols { img[0, rows - 1 - r, c] = Swift.min(1, Swift.max(0, (v[r, c] - lo) / span)) }
        }
        return img
    }
}

/// Mel options shared by `melspectrogram` and `mfcc`, with filterbanks cached per sample rate
/// (directory mode computes thousands of files at the same rate).
struct MelOptions: Sendable {
    let nMels: Int
    let fmin: Double
    let fmax: Double?
    let htk: Bool
    let norm: MelFilterbank.Norm
    private let cache = MelCache()

    static let specs: [ParameterSpec] = [
        ParameterSpec("n_mels", .int, default: "128", doc: "number of mel bands"),
        ParameterSpec("fmin", .float, default: "0", doc: "lowest frequency (Hz)"),
        ParameterSpec("fmax", .float, doc: "highest frequency (Hz, default sr/2)"),
        ParameterSpec("htk", .bool, default: "false", doc: "use the HTK mel scale instead of Slaney's"),
        ParameterSpec("mel_norm", .choice, default: "slaney", choices: ["slaney", "none"], doc: "mel filter normalisation"),
    ]

    init(_ params: Parameters) throws {
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

    /// The filterbank for this rate (validated against sr/2; empty filters warn once per rate).
    func filterbank(sampleRate: Int, nFFT: Int, params: Parameters, path: String) throws -> MelFilterbank {
        if let f = fmax, f > Double(sampleRate) / 2 {
            throw params.invalid("fmax", "fmax=\(f) is above the Nyquist frequency sr/2=\(Double(sampleRate) / 2) of \(path)")
        }
        if let bank = cache.get(sampleRate) { return bank }
        let bank = try AudioOptions.mapping(params, path: path) {
            try MelFilterbank(sampleRate: sampleRate, nFFT: nFFT, nMels: nMels, fmin: fmin, fmax: fmax, htk: htk, norm: norm)
        }
        if cache.put(sampleRate, bank), bank.hasEmptyFilters {
            FileHandle.standardError.write(Data("warning: \(MelFilterbank.emptyFilterWarning) (n_mels=\(nMels), sr=\(sampleRate), n_fft=\(nFFT))\n".utf8))
        }
        return bank
    }
}

/// Filterbanks by sample rate, shared by the worker threads of a directory run.
final class MelCache: @unchecked Sendable {
    private let lock = NSLock()
    private var banks: [Int: MelFilterbank] = [:]

    func get(_ rate: Int) -> MelFilterbank? {
        lock.lock(); defer { lock.unlock() }
        return banks[rate]
    }

    /// Stores the bank; true when this call added it (so only the first one warns).
    func put(_ rate: Int, _ bank: MelFilterbank) -> Bool {
        lock.lock(); defer { lock.unlock() }
        if banks[rate] != nil { return false }
        banks[rate] = bank
        return true
    }
}
