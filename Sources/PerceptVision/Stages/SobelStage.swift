import PerceptCore

/// `sobel`: `cv2.Sobel(img, CV_32F, 1, 0 / 0, 1, ksize=3, borderType=...)` of every plane.
/// Image `[C, H, W]` → `xy`: `[2C, H, W]` (the C gx planes, then the C gy planes);
/// `magnitude` √(gx² + gy²) or `direction` atan2(gy, gx): `[C, H, W]`.
///
///     let edges = try SobelStage(mode: "magnitude").apply(gray)
public struct SobelStage: Transform {
    public static let name = "sobel", summary = "Sobel derivatives of every plane as cv2.Sobel(ksize=3): (2C, H, W) gx then gy, or (C, H, W) magnitude / direction"
    public static let accepts: [SampleKind] = [.image]
    public static let parameters = [
        ParameterSpec("border", .choice, default: "reflect101", choices: BorderMode.allCases.map(\.rawValue),
                      doc: "how pixels outside the image are read (OpenCV border types)"),
        ParameterSpec("mode", .choice, default: "xy", choices: ["xy", "magnitude", "direction"],
                      doc: "xy: (gx, gy); magnitude: sqrt(gx² + gy²); direction: atan2(gy, gx) in radians"),
    ]

    public let border: BorderMode
    /// `xy`, `magnitude` or `direction`.
    public let mode: String

    public init(_ params: Parameters) throws {
        let name = try params.string("border")
        guard let b = BorderMode(name: name) else { throw params.invalid("border", "unknown border '\(name)'") }
        border = b
        mode = try params.string("mode")
    }

    /// Options left nil take the defaults of `parameters`.
    public init(border: String? = nil, mode: String? = nil) throws {
        let v: [String: Value] = ["border": .given(border), "mode": .given(mode)]
        try self.init(Self.parameters(v.compactMapValues { $0 }))
    }

    public func outputShape(for shape: SampleShape) throws -> SampleShape {
        try checkKind(shape)
        var out = shape
        if mode == "xy" { out.dims[0] *= 2 }
        return out
    }

    public func apply(_ sample: Sample) throws -> Sample {
        try checkKind(sample.shape)
        if mode == "magnitude" { return try Sample(image: Sobel.magnitude(of: sample.data, border: border)) }
        let g = try Sobel.gradients(sample.data, border: border)
        switch mode {
        case "direction": return try Sample(image: Sobel.direction(gx: g.gx, gy: g.gy))
        default:
            var s = sample.data.shape
            s[0] *= 2
            return try Sample(image: Tensor(unchecked: s, data: g.gx.storage + g.gy.storage))
        }
    }
}
