import Foundation
import PerceptCore
import PerceptPlot
import PerceptVision

/// `percept extract hog`: the `hog` stage on the gray image, `skimage.feature.hog(img, ...,
/// feature_vector=True)`, a 1-D vector.
///
///     percept extract hog digit.png -o h.npy --pixels-per-cell 7 --cells-per-block 2 --png glyphs.png
public struct HOGFeature: FeatureExtractor {
    public static let name = "hog", summary = "histograms of oriented gradients as skimage.feature.hog(feature_vector=True): 1-D vector"
    public static let inputKind = InputKind.image
    public static let parameters = HOGStage.parameters

    let params: Parameters
    let stage: HOGStage

    public init(_ params: Parameters) throws {
        self.params = params
        stage = try HOGStage(params)
    }

    public func load(path: String) throws -> Sample { try ImageInput.gray(path) }

    public func extract(_ input: Sample, path: String) throws -> FeatureOutput {
        try check(input)
        return .array(try stage.apply(input).data)
    }

    /// Options that do not fit this image, named as the user wrote them (with scikit-image's sentence).
    func check(_ gray: Sample) throws {
        let (h, w) = (gray.shape.height, gray.shape.width)
        let (cr, cc) = stage.hog.pixelsPerCell, (br, bc) = stage.hog.cellsPerBlock
        guard cr <= h, cc <= w else {
            throw params.invalid("pixels_per_cell", "a \(cr) × \(cc) cell is larger than the \(h) × \(w) image")
        }
        do {
            _ = try stage.hog.geometry(height: h, width: w)
        } catch let PerceptError.invalidArgument(field, message) where field == "image" {
            throw params.invalid("cells_per_block",
                "a \(br) × \(bc) block is larger than the \(h / cr) × \(w / cc) cell grid of this \(h) × \(w) image. \(message)")
        } catch let PerceptError.invalidArgument(field, message) {
            throw params.invalid(field, message)
        }
        guard stage.levels > 1 else { return }
        do {
            _ = try stage.outputShape(for: gray.shape)
        } catch let PerceptError.invalidArgument(_, message) {
            throw params.invalid("levels", message)   // `--levels` on the command line
        }
    }

    /// The input beside scikit-image's glyph picture (`visualize=True`) drawn on a grid of cells at
    /// least 24 pixels wide — as large as the enlarged input's cells — so the orientations can be seen
    /// even on an 8 × 8 digit (smaller only when there are more than 85 cells across).
    public func picture(of output: FeatureOutput, input: Sample) throws -> Tensor? {
        try check(input)
        let gray = ImageInput.plane(input)
        let hist = try stage.hog.cellHistograms(gray)
        let (cr, cc) = stage.hog.pixelsPerCell
        let shown = PanelGrid.scale(forHeight: gray.shape[0])
        // At most about 2048 pixels across, however many cells (8-pixel cells at the least).
        let most = 2048 / Swift.max(hist.shape[0], hist.shape[1])
        let glyphs = try OrientationGlyphs.render(hist, cellSize: Swift.max(8, Swift.min(Swift.max(24, Swift.max(cr, cc) * shown), most)))
        return try PanelGrid.render([
            Tile(PictureTiles.clipped(gray), caption: "input \(gray.shape[0]) × \(gray.shape[1])"),
            Tile(glyphs, caption: "HoG: \(hist.shape[0]) × \(hist.shape[1]) cells of \(cr) × \(cc) px, \(stage.hog.orientations) orientations"),
        ], columns: 2)
    }
}
