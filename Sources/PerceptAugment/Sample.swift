import PerceptCore

/// What a stage works on: images `[C, H, W]`, audio `[C, frames]`, spectrograms `[C, F, T]`.
public enum SampleKind: String, Sendable, Codable, CaseIterable {
    case image, audio, spectrogram
}

/// One signal travelling through an augmentation chain. Images and spectrograms are always
/// rank 3 (a rank-2 input gets a leading channel axis); audio is `[channels, frames]`.
///
///     var s = try Sample(image: pixels)           // [3, 32, 32] in [0, 1]
public struct Sample: Sendable, Equatable {
    public var kind: SampleKind
    public var data: Tensor
    /// Samples per second for audio; 0 for images and spectrograms.
    public var sampleRate: Int

    /// An image `[C, H, W]` (or `[H, W]`) with values in [0, 1].
    public init(image: Tensor) throws {
        kind = .image; sampleRate = 0
        data = try Sample.rank3(image, "image")
    }

    /// Audio `[channels, frames]` (or `[frames]`) at `sampleRate`.
    public init(audio: Tensor, sampleRate: Int) throws {
        guard sampleRate > 0 else { throw PerceptError.invalidArgument(field: "sample_rate", "must be > 0, got \(sampleRate)") }
        kind = .audio; self.sampleRate = sampleRate
        switch audio.rank {
        case 1: data = try audio.reshaped([1, audio.count])
        case 2: data = audio
        default: throw PerceptError.invalidArgument(field: "audio", "expected [channels, frames] or [frames], got \(audio.shape)")
        }
    }

    /// A spectrogram `[C, F, T]` (or `[F, T]`): frequency on axis −2, time on axis −1.
    public init(spectrogram: Tensor) throws {
        kind = .spectrogram; sampleRate = 0
        data = try Sample.rank3(spectrogram, "spectrogram")
    }

    private static func rank3(_ t: Tensor, _ what: String) throws -> Tensor {
        switch t.rank {
        case 2: return try t.reshaped([1] + t.shape)
        case 3: return t
        default: throw PerceptError.invalidArgument(field: what, "expected [C, H, W] or [H, W], got \(t.shape)")
        }
    }

    /// The shape a stage sees when it draws its parameters.
    public var shape: SampleShape { SampleShape(kind: kind, dims: data.shape, sampleRate: sampleRate) }
}

/// The kind, dimensions and rate of a sample: everything a stage needs to draw its parameters,
/// so a draw can be made (and logged) without the signal itself.
public struct SampleShape: Sendable, Equatable {
    public var kind: SampleKind
    public var dims: [Int]
    public var sampleRate: Int

    public init(kind: SampleKind, dims: [Int], sampleRate: Int = 0) {
        self.kind = kind; self.dims = dims; self.sampleRate = sampleRate
    }

    /// Channels (axis 0).
    public var channels: Int { dims[0] }
    /// Image height / spectrogram frequency bins (axis −2 of rank-3 samples).
    public var height: Int { dims.count == 3 ? dims[1] : 1 }
    /// Image width / spectrogram frames / audio frames (last axis).
    public var width: Int { dims[dims.count - 1] }
}
