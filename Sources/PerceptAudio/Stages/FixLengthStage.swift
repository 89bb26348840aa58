import PerceptCore

/// `fix_length`: `librosa.util.fix_length(data, size=size)` on the last axis — audio frames or
/// spectrogram frames are cut to `size` or padded with zeros at the end.
///
///     let clip = try FixLengthStage(size: 16000).apply(sample)     // exactly 1 s at 16 kHz
public struct FixLengthStage: Transform {
    public static let name = "fix_length", summary = "cut or zero-pad the last axis to a fixed length, as librosa.util.fix_length"
    public static let accepts: [SampleKind] = [.audio, .spectrogram]
    public static let parameters = [
        ParameterSpec("size", .int, doc: "length of the last axis after the stage (required)"),
    ]

    public let size: Int

    public init(_ params: Parameters) throws {
        size = try params.int("size", atLeast: 1)
    }

    public init(size: Int) throws {
        try self.init(Self.parameters(["size": .of(size)]))
    }

    public func outputShape(for shape: SampleShape) throws -> SampleShape {
        try checkKind(shape)
        var out = shape
        out.dims[out.dims.count - 1] = size
        return try out.checkedFits(field: "\(Self.name).size")
    }

    public func apply(_ sample: Sample) throws -> Sample {
        _ = try outputShape(for: sample.shape)
        let n = sample.data.shape[sample.data.rank - 1], rows = Tensor.count(of: Array(sample.data.shape.dropLast()))
        var out = sample
        if n == size { return out }
        var data = [Float](repeating: 0, count: rows * size)
        let keep = Swift.min(n, size)
        sample.data.withUnsafeBufferPointer { src in
            for r in 0..<rows { for i in 0..<keep { data[r * size + i] = src[r * n + i] } }
        }
        out.data = Tensor(unchecked: Array(sample.data.shape.dropLast()) + [size], data: data)
        return out
    }
}
