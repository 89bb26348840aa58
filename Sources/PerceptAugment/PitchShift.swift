import Foundation
import PerceptAudio
import PerceptCore

/// Shifts pitch by a random number of semitones keeping the duration (audiomentations
/// `PitchShift`, `librosa.effects.pitch_shift`): stretch by 2^(−s/12) with the phase vocoder,
/// resample back with soxr, trim or pad to the input length.
///
///     let pitch = try PitchShift(minSemitones: -4, maxSemitones: 4)
///     pitch_shift: {min_semitones: -4, max_semitones: 4}     # the same stage in AUG.yaml
public struct PitchShift: AugmentationStage {
    public static let name = "pitch_shift", kind = SampleKind.audio, summary = "pitch change in semitones, same duration"
    public static let parameters = [
        ParameterSpec("min_semitones", .float, default: -4, doc: "lowest shift"),
        ParameterSpec("max_semitones", .float, default: 4, doc: "highest shift"),
        ParameterSpec("p", .float, default: 0.5, doc: "probability of shifting"),
    ]
    public let p: Float
    let range: (Float, Float)

    public init(_ params: Parameters) throws {
        p = try params.probability()
        range = try params.range("min_semitones", "max_semitones")
        guard range.0 >= -36, range.1 <= 36 else {
            throw params.invalid(range.0 < -36 ? "min_semitones" : "max_semitones", "must lie in [−36, 36]")
        }
    }

    /// Options left nil take the defaults in `parameters`; invalid values throw as in AUG.yaml.
    ///
    ///     let pitch = try PitchShift(minSemitones: -2, maxSemitones: 2, p: 1)
    public init(minSemitones: Float? = nil, maxSemitones: Float? = nil, p: Float? = nil) throws {
        try self.init(Self.parameters(["min_semitones": .given(minSemitones), "max_semitones": .given(maxSemitones), "p": .given(p)]))
    }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params { Params(semitones: rng.uniform(range.0, range.1)) }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        // A replayed shift gets the bounds a drawn one has (the stretch rate is 2^(−s/12)).
        guard params.semitones >= -36, params.semitones <= 36 else {
            throw PerceptError.invalidArgument(field: Self.name, "semitones \(fmt(params.semitones)) is outside [−36, 36]")
        }
        let n = sample.shape.width, sr = sample.sampleRate
        let rate = Foundation.pow(2.0, -Double(params.semitones) / 12)
        guard params.semitones != 0 else { return }
        sample.data = try PhaseVocoder.perChannel(sample.data) { y in
            let stretched = try PhaseVocoder.stretch(y, rate: rate)
            // Resample from sr / rate to sr; soxr takes the ratio, so scale both rates by 1000.
            let from = Int((Double(sr) / rate * 1000).rounded()), to = sr * 1000
            return PhaseVocoder.fixLength(try Resampler.resample(stretched, from: from, to: to), n)
        }
    }

    /// The drawn parameters of one application (logged and replayed as JSON).
    public struct Params: Codable, Sendable, Equatable { public var semitones: Float; public init(semitones: Float) { self.semitones = semitones } }
}
