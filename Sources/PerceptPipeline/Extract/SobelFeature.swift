import PerceptCore
import PerceptVision

/// `percept extract sobel`: `cv2.Sobel(img, CV_32F, 1, 0 / 0, 1, ksize=3, borderType=...)` of the gray
/// image: `xy` (2, H, W) = (gx, gy), `magnitude` (H, W) = √(gx² + gy²), `direction` (H, W) = atan2(gy, gx).
///
///     percept extract sobel photo.png -o g.npy --mode magnitude --png panel.png
public struct SobelFeature: FeatureExtractor {
    public static let name = "sobel"
    public static let summary = "Sobel derivatives as cv2.Sobel(ksize=3): (2, H, W) gx, gy, or (H, W) magnitude / direction"
    public static let inputKind = InputKind.image
    public static let parameters = [
        ParameterSpec("border", .choice, default: "reflect101", choices: BorderMode.allCases.map(\.rawValue),
                      doc: "how pixels outside the image are read (OpenCV border types)"),
        ParameterSpec("mode", .choice, default: "xy", choices: ["xy", "magnitude", "direction"],
                      doc: "xy: (gx, gy); magnitude: sqrt(gx² + gy²); direction: atan2(gy, gx) in radians"),
    ]

    let border: BorderMode
    let mode: String

    public init(_ params: Parameters) throws {
        let name = try params.string("border")
        guard let b = BorderMode(name: name) else { throw params.invalid("border", "unknown border '\(name)'") }
        border = b
        mode = try params.string("mode")
    }

    public func extract(path: String) throws -> FeatureOutput {
        let gray = try ImageInput.gray(path)
        let g = try Sobel.gradients(gray, border: border, magnitude: mode == "magnitude")
        switch mode {
        case "magnitude": return .array(try g.magnitude ?? Sobel.magnitude(gx: g.gx, gy: g.gy))
        case "direction": return .array(try Sobel.direction(gx: g.gx, gy: g.gy))
        default: return .array(try Tensor.stack([g.gx, g.gy]))
        }
    }

    /// The slides' panel: the image, gx, gy and the magnitude side by side, each scaled to [0, 1].
    public func picture(of output: FeatureOutput, path: String) throws -> Tensor? {
        try Sobel.panel(try ImageInput.gray(path), border: border)
    }
}
