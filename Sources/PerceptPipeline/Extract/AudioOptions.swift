import Foundation
import PerceptAudio
import PerceptCore
import PerceptIO

/// What the three audio features share beyond their stage: loading (read → mono → optional soxr
/// resampling to `--sr`), and error mapping (the `--png` figures are in AudioPicture.swift).
///
///     let opts = try AudioOptions(params)
///     let sample = try opts.load("a.wav")
struct AudioOptions: Sendable {
    /// `--sr`: resample to this rate when the file's differs.
    let targetRate: Int?
    private let params: Parameters

    /// Highest `--sr` accepted (well above any audio format's rate).
    static let maxRate = 1_536_000

    static let rateSpec = ParameterSpec("sr", .int, doc: "resample to this rate with soxr when the file's rate differs (default: native rate)")

    /// A stage's specs with `sr` after the STFT options (where `percept extract --help` lists it).
    static func specs(_ stage: [ParameterSpec]) -> [ParameterSpec] {
        let at = (stage.firstIndex { $0.name == "power" } ?? stage.count - 1) + 1
        return Array(stage[..<at]) + [rateSpec] + Array(stage[at...])
    }

    init(_ params: Parameters) throws {
        self.params = params
        targetRate = try params.optionalInt("sr")
        if let r = targetRate, !(1...AudioOptions.maxRate).contains(r) {
            throw params.invalid("sr", "sr=\(r) must be between 1 and \(AudioOptions.maxRate)")
        }
    }

    /// The file as mono audio `[1, frames]` at the working rate.
    func load(_ path: String) throws -> Sample {
        let audio = try AudioFile.read(path)
        var y = audio.mono()
        var rate = audio.sampleRate
        if let target = targetRate, target != rate {
            do { y = try Resampler.resample(y, from: rate, to: target) } catch let PerceptError.invalidArgument(_, message) {
                throw params.invalid("sr", "\(path): \(message)")
            }
            rate = target
        }
        return try Sample(audio: Tensor(unchecked: [1, y.count], data: y), sampleRate: rate)
    }

    /// Frames below which a file is read whole: reading in parts pays on long files only.
    static let minPartwiseFrames = 1 << 18

    /// The [rows, frames] output of the pipeline `make(sampleRate)` for a long file computed in
    /// parts without holding its samples, or nil when the file is to be loaded whole instead
    /// (resampled by `--sr`, compressed, short, or anything odd about it, which `load` reports).
    func partwise(_ path: String, _ make: (Int) throws -> SpectralPipeline) throws -> Tensor? {
        guard let parts = AudioParts(path: path), parts.frames >= AudioOptions.minPartwiseFrames,
              targetRate == nil || targetRate == parts.sampleRate else { return nil }
        let pipeline = try make(parts.sampleRate)
        return try AudioOptions.mapping(params, path: path) { try pipeline.compute(length: parts.frames, reader: { parts.reader() }) }
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

    /// The mel filterbank of a stage for the input's rate, checked against sr/2 with an error
    /// naming the file; empty filters warn once per rate.
    static func filterbank(_ params: Parameters, _ mel: MelStageOptions, nFFT: Int, sampleRate: Int, path: String) throws {
        if let f = mel.fmax, f > Double(sampleRate) / 2 {
            throw params.invalid("fmax", "fmax=\(f) is above the Nyquist frequency sr/2=\(Double(sampleRate) / 2) of the file")
        }
        let (bank, isNew) = try mapping(params, path: path) { try mel.filterbank(sampleRate: sampleRate, nFFT: nFFT) }
        if isNew, bank.hasEmptyFilters {
            FileHandle.standardError.write(Data("warning: \(MelFilterbank.emptyFilterWarning) (n_mels=\(mel.nMels), sr=\(sampleRate), n_fft=\(nFFT))\n".utf8))
        }
    }

    /// The single channel of a stage's `[1, rows, frames]` output as `[rows, frames]`.
    static func plane(_ s: Sample) -> Tensor { Tensor(unchecked: Array(s.data.shape.dropFirst()), data: s.data.storage) }
}

extension AudioPartReader: SignalReader {}
