import PerceptCore

/// `resize`: `cv2.resize(plane, (w, h), interpolation=...)` of every plane; image or spectrogram
/// `[C, H, W]` → `[C, h, w]` (a spectrogram's frequency bins and frames).
///
///     let small = try ResizeStage(height: 32, width: 32, interpolation: "area").apply(photo)
public struct ResizeStage: Transform {
    public static let name = "resize", summary = "resize every plane as cv2.resize (linear, nearest or area): (C, h, w)"
    public static let accepts: [SampleKind] = [.image, .spectrogram]
    public static let parameters = [
        ParameterSpec("size", .intPair, doc: "output size: N (square) or [height, width] (required)"),
        ParameterSpec("interpolation", .choice, default: "linear", choices: ["linear", "nearest", "area"],
                      doc: "cv2.INTER_LINEAR, INTER_NEAREST or INTER_AREA (area averages when shrinking)"),
    ]

    public let height: Int, width: Int
    public let method: Resize.Method

    public init(_ params: Parameters) throws {
        (height, width) = try params.intPair("size", atLeast: 1)
        switch try params.string("interpolation") {
        case "nearest": method = .nearest
        case "area": method = .area
        default: method = .bilinear
        }
    }

    /// The interpolation left nil takes the default of `parameters` (`linear`).
    public init(height: Int, width: Int, interpolation: String? = nil) throws {
        let v: [String: Value] = ["size": .of(height, width), "interpolation": .given(interpolation)]
        try self.init(Self.parameters(v))
    }

    public func outputShape(for shape: SampleShape) throws -> SampleShape {
        try checkKind(shape)
        var out = shape
        out.dims[1] = height; out.dims[2] = width
        return try out.checkedFits(field: "\(Self.name).size")
    }

    public func apply(_ sample: Sample) throws -> Sample {
        _ = try outputShape(for: sample.shape)
        var out = sample
        out.data = try Resize.resize(sample.data, height: height, width: width, method: method)
        return out
    }
}
