import PerceptCore

/// `pyramid_level`: level `level` of the Gaussian pyramid, `cv2.pyrDown` applied `level` times
/// to every plane; image `[C, H, W]` → `[C, ⌈H/2ˡ⌉, ⌈W/2ˡ⌉]` (halving, rounding up, at each step).
///
///     let quarter = try PyramidLevelStage(level: 2).apply(photo)
public struct PyramidLevelStage: Transform {
    public static let name = "pyramid_level", summary = "one Gaussian pyramid level, cv2.pyrDown applied `level` times: (C, ⌈H/2^level⌉, ⌈W/2^level⌉)"
    public static let accepts: [SampleKind] = [.image]
    public static let aliases = ["pyr_down"]
    public static let parameters = [
        ParameterSpec("level", .int, default: "1", doc: "times to halve the image (0 passes it through)"),
    ]

    public let level: Int

    public init(_ params: Parameters) throws {
        level = try params.int("level", atLeast: 0)
    }

    /// A nil level takes the default of `parameters`.
    public init(level: Int? = nil) throws {
        try self.init(Self.parameters(level.map { ["level": .of($0)] } ?? [:]))
    }

    public func outputShape(for shape: SampleShape) throws -> SampleShape {
        try checkKind(shape)
        let (h, w) = (shape.height, shape.width)
        let most = Pyramid.maxLevels(height: h, width: w) - 1
        guard level <= most else {
            throw PerceptError.invalidArgument(field: "\(Self.name).level", "level=\(level) is more than a \(h) × \(w) image can halve into (at most \(most))")
        }
        var out = shape
        for _ in 0..<level { out.dims[1] = (out.dims[1] + 1) / 2; out.dims[2] = (out.dims[2] + 1) / 2 }
        return out
    }

    public func apply(_ sample: Sample) throws -> Sample {
        _ = try outputShape(for: sample.shape)
        var t = sample.data
        for _ in 0..<level { t = try Pyramid.down(t) }
        return try Sample(image: t)
    }
}
