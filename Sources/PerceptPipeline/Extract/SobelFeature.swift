import PerceptCore
import PerceptVision

/// `percept extract sobel`: the `sobel` stage on the gray image, `cv2.Sobel(img, CV_32F, 1, 0 / 0, 1,
/// ksize=3, borderType=...)`: `xy` (2, H, W) = (gx, gy), `magnitude` (H, W) = √(gx² + gy²),
/// `direction` (H, W) = atan2(gy, gx).
///
///     percept extract sobel photo.png -o g.npy --mode magnitude --png panel.png
public struct SobelFeature: FeatureExtractor {
    public static let name = "sobel", summary = "Sobel derivatives as cv2.Sobel(ksize=3): (2, H, W) gx, gy, or (H, W) magnitude / direction"
    public static let inputKind = InputKind.image
    public static let parameters = SobelStage.parameters

    let stage: SobelStage

    public init(_ params: Parameters) throws {
        stage = try SobelStage(params)
    }

    public func load(path: String) throws -> Sample { try ImageInput.gray(path) }

    public func extract(_ input: Sample, path: String) throws -> FeatureOutput {
        let out = try stage.apply(input)
        // One gray plane in: xy is (2, H, W) as it comes, magnitude and direction lose the channel axis.
        return .array(stage.mode == "xy" ? out.data : ImageInput.plane(out))
    }

    /// The slides' panel: the image, gx, gy and the magnitude side by side, each scaled to [0, 1].
    public func picture(of output: FeatureOutput, input: Sample) throws -> Tensor? {
        try Sobel.panel(ImageInput.plane(input), border: stage.border)
    }
}
