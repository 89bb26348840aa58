import PerceptCore

/// `delta`: `librosa.feature.delta(data, width=width, order=order)` along time, per channel:
/// spectrogram `[C, F, T]` → `[C, F, T]` (librosa's 'interp' edges, so T must be ≥ width).
///
///     let d = try DeltaStage(width: 9, order: 2).apply(mfccs)
public struct DeltaStage: Transform {
    public static let name = "delta", summary = "local derivative along time of each channel as librosa.feature.delta (mode 'interp'): the same shape"
    public static let accepts: [SampleKind] = [.spectrogram]
    public static let parameters = [
        ParameterSpec("width", .int, default: "9", doc: "frames in the derivative's window (odd, ≥ 3)"),
        ParameterSpec("order", .int, default: "1", doc: "order of the derivative (below width)"),
    ]

    public let width: Int, order: Int

    public init(_ params: Parameters) throws {
        width = try params.int("width")
        guard width >= 3, width % 2 == 1 else { throw params.invalid("width", "width=\(width) must be an odd integer ≥ 3") }
        order = try params.int("order", atLeast: 1)
        guard order < width else { throw params.invalid("order", "order=\(order) must be below width=\(width)") }
    }

    /// Options left nil take the defaults of `parameters`.
    public init(width: Int? = nil, order: Int? = nil) throws {
        let v: [String: Value] = ["width": .given(width), "order": .given(order)]
        try self.init(Self.parameters(v))
    }

    public func outputShape(for shape: SampleShape) throws -> SampleShape {
        try checkKind(shape)
        guard shape.width >= width else {
            throw PerceptError.invalidArgument(field: Self.name, "\(shape.width) frames are fewer than width=\(width) (librosa's 'interp' deltas need a full window)")
        }
        return shape
    }

    public func apply(_ sample: Sample) throws -> Sample {
        _ = try outputShape(for: sample.shape)
        let c = sample.data.shape[0], plane = Array(sample.data.shape.dropFirst())
        var out = [Float]()
        out.reserveCapacity(sample.data.count)
        for ch in 0..<c { out += try Delta.compute(sample.data.slice(ch), width: width, order: order).storage }
        return try Sample(spectrogram: Tensor(unchecked: [c] + plane, data: out))
    }
}
