/// `flatten`: any sample to a vector `[N]` of all its values in row-major order (channel, then
/// row, then column), as `torch.flatten` / `np.ravel`.
///
///     let v = try FlattenStage().apply(mfccs)     // [1, 20, 32] → [640]
public struct FlattenStage: Transform {
    public static let name = "flatten", summary = "every value in row-major order: a vector (N)"
    public static let accepts: [SampleKind] = SampleKind.allCases
    public static let parameters: [ParameterSpec] = []

    public init(_ params: Parameters) throws {}

    public init() {}

    public func outputShape(for shape: SampleShape) throws -> SampleShape {
        try checkKind(shape)
        return SampleShape(kind: .vector, dims: [Tensor.count(of: shape.dims)])
    }

    public func apply(_ sample: Sample) throws -> Sample {
        try checkKind(sample.shape)
        return try Sample(vector: sample.data.reshaped([sample.data.count]))
    }
}
