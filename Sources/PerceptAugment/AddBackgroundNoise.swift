import Foundation
import PerceptCore

/// Mixes in a random stretch of a random file from a folder of noises at a random SNR
/// (audiomentations `AddBackgroundNoise(sounds_path, min_snr_db, max_snr_db)`, relative
/// RMS; over the signal's active part only with `signal_power: active`, see `SignalPower`).
/// Noise shorter than the input is looped; its rate is converted to the input's.
///
///     let noise = try AddBackgroundNoise(soundsPath: "noises/", minSnrDb: 3, maxSnrDb: 30)
///     add_background_noise: {sounds_path: noises/, min_snr_db: 3, max_snr_db: 30}     # in AUG.yaml
public struct AddBackgroundNoise: AugmentationStage {
    public static let name = "add_background_noise", kind = SampleKind.audio, summary = "mix in noise from a folder at a random SNR (dB)"
    public static let parameters = [
        ParameterSpec("sounds_path", .path, doc: "folder of noise files (wav, flac, ogg, mp3, aiff), searched recursively (required)"),
        ParameterSpec("min_snr_db", .float, default: 3, doc: "lowest SNR in dB"),
        ParameterSpec("max_snr_db", .float, default: 30, doc: "highest SNR in dB"),
        ParameterSpec("p", .float, default: 0.5, doc: "probability of adding noise"),
    ] + SignalPower.specs
    public let p: Float
    let range: (Float, Float)
    let bank: NoiseBank
    public let signalPower: SignalPower

    public init(_ params: Parameters) throws {
        p = try params.probability()
        range = try params.range("min_snr_db", "max_snr_db", within: StageBounds.decibels)
        signalPower = try SignalPower.option(params)
        let folder = try params.string("sounds_path"); guard !folder.isEmpty else { throw params.invalid("sounds_path", "is required") }
        bank = try NoiseBank(folder: folder, field: params.field("sounds_path"))
    }

    /// The noise folder is required (its files are loaded here); options left nil take the
    /// defaults in `parameters`; invalid values throw as in AUG.yaml.
    ///
    ///     let noise = try AddBackgroundNoise(soundsPath: "noises/", minSnrDb: 10, p: 1)
    public init(soundsPath: String, minSnrDb: Float? = nil, maxSnrDb: Float? = nil, p: Float? = nil,
                signalPower: SignalPower? = nil) throws {
        let v: [String: Value] = ["sounds_path": .of(soundsPath), "min_snr_db": .given(minSnrDb), "max_snr_db": .given(maxSnrDb), "p": .given(p)]
        try self.init(Self.parameters(v.merging(SignalPower.values(signalPower)) { a, _ in a }))
    }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params {
        let i = rng.int(below: bank.names.count)
        let start = rng.uniform()
        return Params(file: bank.names[i], fileIndex: i, start: start, snrDb: rng.uniform(range.0, range.1))
    }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        guard params.fileIndex >= 0, params.fileIndex < bank.names.count else {
            throw PerceptError.invalidArgument(field: Self.name, "file index \(params.fileIndex) is outside the \(bank.names.count) noise files")
        }
        guard params.start >= 0, params.start <= 1 else {
            throw PerceptError.invalidArgument(field: Self.name, "start \(fmt(params.start)) is outside [0, 1]")
        }
        let noise = try bank.samples(params.fileIndex, rate: sample.sampleRate)
        let s = sample.shape, n = s.width
        guard !noise.isEmpty, n > 0 else { return }
        var segment = [Float](repeating: 0, count: n)
        var j = Swift.min(noise.count - 1, Int(params.start * Float(noise.count)))
        for i in 0..<n {
            segment[i] = noise[j]
            j += 1
            if j == noise.count { j = 0 }
        }
        let noiseRMS = segment.withUnsafeBufferPointer { PixelLoops.rms($0) }
        let signalRMS = signalPower.rms(of: sample)
        guard noiseRMS > 0, signalRMS > 0 else { return }
        let gain = Float(signalRMS / Foundation.pow(10.0, Double(params.snrDb) / 20) / noiseRMS)
        sample.data.withUnsafeMutableBufferPointer { b in
            for c in 0..<s.channels { for i in 0..<n { b[c * n + i] += gain * segment[i] } }
        }
    }

    /// The drawn parameters of one application (logged and replayed as JSON).
    public struct Params: Codable, Sendable, Equatable {
        public var file: String; public var fileIndex: Int; public var start: Float; public var snrDb: Float
        public init(file: String, fileIndex: Int, start: Float, snrDb: Float) { self.file = file; self.fileIndex = fileIndex; self.start = start; self.snrDb = snrDb }
    }
}
