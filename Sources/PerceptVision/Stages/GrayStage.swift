import PerceptCore

/// `gray`: one luma plane, as `skimage.color.rgb2gray` with BT.601 weights
/// (0.299 R + 0.587 G + 0.114 B on the float values); alpha is dropped and gray input passes through.
/// Image `[C, H, W]` → image `[1, H, W]`.
///
///     let g = try GrayStage().apply(try Sample(image: rgb))
public struct GrayStage: Transform {
    public static let name = "gray", summary = "BT.601 luma (0.299 R + 0.587 G + 0.114 B), alpha dropped: (1, H, W)"
    public static let accepts: [SampleKind] = [.image]
    public static let parameters: [ParameterSpec] = []
    public static let aliases = ["grayscale", "rgb2gray"]

    public init(_ params: Parameters) throws {}

    public init() {}

    public func outputShape(for shape: SampleShape) throws -> SampleShape {
        try checkKind(shape)
        return SampleShape(kind: .image, dims: [1, shape.dims[1], shape.dims[2]])
    }

    public func apply(_ sample: Sample) throws -> Sample {
        try checkKind(sample.shape)
        // The same conversion PerceptIO applies to a decoded PNG, so files and samples agree.
        return try Sample(image: sample.data.luma())
    }
}
