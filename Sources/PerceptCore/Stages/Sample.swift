/// What a stage works on: images `[C, H, W]`, audio `[C, frames]`, spectrograms `[C, F, T]`,
/// feature vectors `[N]`.
public enum SampleKind: String, Sendable, Codable, CaseIterable {
    case image, audio, spectrogram, vector

    /// The kind as a plural noun, for messages: `images`, `audio`.
    public var plural: String {
        switch self {
        case .image: return "images"
        case .audio: return "audio"
        case .spectrogram: return "spectrograms"
        case .vector: return "vectors"
        }
    }

    /// The kind with its article, for messages: `an image`, `audio`.
    public var withArticle: String {
        switch self {
        case .image: return "an image"
        case .audio: return "audio"
        case .spectrogram: return "a spectrogram"
        case .vector: return "a vector"
        }
    }

    /// The error a stage named `stage` gives for an input of the wrong kind:
    /// `melspectrogram: works on audio, but the input is an image`.
    ///
    ///     throw SampleKind.mismatch(stage: "hog", accepts: [.image], got: .audio)
    public static func mismatch(stage: String, accepts: [SampleKind], got: SampleKind) -> PerceptError {
        let works = accepts.map(\.plural).joined(separator: " or ")
        return PerceptError.invalidArgument(field: stage, "works on \(works), but the input is \(got.withArticle)")
    }
}

/// One signal travelling through a chain of stages. Images and spectrograms are always rank 3
/// (a rank-2 input gets a leading channel axis); audio is `[channels, frames]`; vectors `[N]`.
///
///     var s = try Sample(image: pixels)           // [3, 32, 32] in [0, 1]
public struct Sample: Sendable, Equatable {
    public var kind: SampleKind
    public var data: Tensor
    /// Samples per second for audio; 0 for the other kinds.
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

    /// A feature vector `[N]` (a HOG descriptor, say).
    ///
    ///     let v = try Sample(vector: Tensor(shape: [81]))
    public init(vector: Tensor) throws {
        guard vector.rank == 1 else { throw PerceptError.invalidArgument(field: "vector", "expected [N], got \(vector.shape)") }
        kind = .vector; sampleRate = 0
        data = vector
    }

    /// A sample of any kind (`sampleRate` is used for audio only).
    ///
    ///     let s = try Sample(.spectrogram, data: mel)
    public init(_ kind: SampleKind, data: Tensor, sampleRate: Int = 0) throws {
        switch kind {
        case .image: try self.init(image: data)
        case .audio: try self.init(audio: data, sampleRate: sampleRate)
        case .spectrogram: try self.init(spectrogram: data)
        case .vector: try self.init(vector: data)
        }
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

/// The kind, dimensions and rate of a sample: everything a stage needs to draw its parameters
/// or report its output shape, so a chain can be checked (and a draw logged) without the signal.
public struct SampleShape: Sendable, Equatable {
    public var kind: SampleKind
    public var dims: [Int]
    public var sampleRate: Int

    /// This shape, after checking that a sample of it fits the memory limit (`ResourceLimits`):
    /// for stages whose output size comes from an option, so a `size` of 2⁶³ − 1 is one error
    /// naming `field` rather than an allocation that overflows.
    ///
    ///     return try out.checkedFits(field: "resize.size")
    public func checkedFits(field: String) throws -> SampleShape {
        try ResourceLimits.require(dims, elementSize: MemoryLayout<Float>.size, for: "an output of \(dims.map(String.init).joined(separator: " × "))",
                                   blame: { .invalidArgument(field: field, $0) })
        return self
    }

    public init(kind: SampleKind, dims: [Int], sampleRate: Int = 0) {
        self.kind = kind; self.dims = dims; self.sampleRate = sampleRate
    }

    /// Channels (axis 0; 1 for vectors).
    public var channels: Int { dims.count == 1 ? 1 : dims[0] }
    /// Image height / spectrogram frequency bins (axis −2 of rank-3 samples).
    public var height: Int { dims.count == 3 ? dims[1] : 1 }
    /// Image width / spectrogram frames / audio frames / vector length (last axis).
    public var width: Int { dims[dims.count - 1] }
}
