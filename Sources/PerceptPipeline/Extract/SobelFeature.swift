import PerceptCore
import PerceptPlot
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

    /// Labelled panels that follow `--mode`: xy → the image, gx and gy (0 at mid gray); magnitude →
    /// one panel; direction → one panel in a cyclic colour map (−π and π meet).
    public func picture(of output: FeatureOutput, input: Sample) throws -> Tensor? {
        guard case let .array(t) = output else { return nil }
        let (h, w) = PictureTiles.size(t), n = h * w
        switch stage.mode {
        case "xy":
            let gx = Tensor(unchecked: [h, w], data: Array(t.storage[0..<n])), gy = Tensor(unchecked: [h, w], data: Array(t.storage[n..<(2 * n)]))
            return try PanelGrid.render([
                Tile(PictureTiles.clipped(ImageInput.plane(input)), caption: "image"),
                Tile(PictureTiles.signed(gx), caption: "gx (Sobel kernel)"),
                Tile(PictureTiles.signed(gy), caption: "gy (transposed kernel)"),
            ], columns: 3, title: "Sobel derivatives: mid gray = 0, light = rising, dark = falling")
        case "magnitude":
            return try PanelGrid.render([Tile(PictureTiles.unit(t), caption: "gradient magnitude √(gx² + gy²), black = 0")],
                                        columns: 1)
        default:
            let tile = Colormap.twilight.image(t.storage, rows: h, cols: w, lo: -Float.pi, hi: Float.pi)
            return try PanelGrid.render([Tile(tile, caption: "gradient direction atan2(gy, gx), −π … π",
                                              notes: ["cyclic colours: −π and π look the same; 0 (rightward gradient) is darkest"])],
                                        columns: 1)
        }
    }
}
