import PerceptCore

/// `resample`: `librosa.resample(y, orig_sr=sr, target_sr=target_sr, res_type='soxr_hq')` of every
/// channel; audio `[C, n]` at sr → `[C, ⌈n · target_sr / sr⌉]` at target_sr (unchanged when the
/// rates agree).
///
///     let y16k = try ResampleStage(targetSr: 16000).apply(clip44k)
public struct ResampleStage: Transform {
    public static let name = "resample", summary = "change the sample rate as librosa.resample (soxr_hq): (C, ceil(n * target_sr / sr))"
    public static let accepts: [SampleKind] = [.audio]
    public static let parameters = [
        ParameterSpec("target_sr", .int, doc: "sample rate after the stage, in Hz (required)"),
    ]

    public let targetSr: Int

    public init(_ params: Parameters) throws {
        targetSr = try params.int("target_sr", atLeast: 1)
    }

    public init(targetSr: Int) throws {
        try self.init(Self.parameters(["target_sr": .of(targetSr)]))
    }

    public func outputShape(for shape: SampleShape) throws -> SampleShape {
        try checkKind(shape)
        var out = shape
        if shape.sampleRate != targetSr {
            do { out.dims[1] = try Resampler.outputLength(shape.width, from: shape.sampleRate, to: targetSr) } catch let PerceptError.invalidArgument(_, message) {
                throw PerceptError.invalidArgument(field: "\(Self.name).target_sr", message)
            }
        }
        out.sampleRate = targetSr
        return try out.checkedFits(field: "\(Self.name).target_sr")
    }

    public func apply(_ sample: Sample) throws -> Sample {
        let s = try outputShape(for: sample.shape)
        if sample.sampleRate == targetSr { return sample }
        var data = [Float]()
        data.reserveCapacity(s.channels * s.width)
        for c in 0..<s.channels {
            data += try Resampler.resample(sample.data.slice(c).storage, from: sample.sampleRate, to: targetSr)
        }
        return try Sample(audio: Tensor(unchecked: [s.channels, s.width], data: data), sampleRate: targetSr)
    }
}
