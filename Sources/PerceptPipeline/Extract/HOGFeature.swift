import Foundation
import PerceptCore
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
        } catch let PerceptError.invalidArgument(_, message) {
            throw params.invalid("cells_per_block",
                "a \(br) × \(bc) block is larger than the \(h / cr) × \(w / cc) cell grid of this \(h) × \(w) image. \(message)")
        }
    }

    /// scikit-image's glyph visualisation (`visualize=True`); 0 is black and the 99th percentile of the
    /// drawn pixels white, so a few strong edges do not leave every other glyph invisible.
    public func picture(of output: FeatureOutput, input: Sample) throws -> Tensor? {
        try check(input)
        let vis = try stage.hog.visualization(ImageInput.plane(input))
        let drawn = vis.storage.filter { $0 > 0 }.sorted()
        guard let top = drawn.isEmpty ? nil : drawn[Swift.min(drawn.count - 1, drawn.count * 99 / 100)], top > 0 else {
            return Tensor(shape: [1] + vis.shape)
        }
        return Tensor(unchecked: [1] + vis.shape, data: vis.storage.map { Swift.min(1, $0 / top) })
    }
}
