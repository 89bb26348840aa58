import Foundation
import PerceptCore
import PerceptVision

/// `percept extract hog`: `skimage.feature.hog(img, ..., feature_vector=True)` of the gray image, a 1-D vector.
///
///     percept extract hog digit.png -o h.npy --pixels-per-cell 7 --cells-per-block 2 --png glyphs.png
public struct HOGFeature: FeatureExtractor {
    public static let name = "hog"
    public static let summary = "histograms of oriented gradients as skimage.feature.hog(feature_vector=True): 1-D vector"
    public static let inputKind = InputKind.image
    public static let parameters = [
        ParameterSpec("orientations", .int, default: "9", doc: "number of orientation bins over 0–180°"),
        ParameterSpec("pixels_per_cell", .intPair, default: "8", doc: "cell size in pixels: N (square) or ROWS,COLS"),
        ParameterSpec("cells_per_block", .intPair, default: "3", doc: "block size in cells: N (square) or ROWS,COLS"),
        ParameterSpec("block_norm", .choice, default: "L2-Hys", choices: HOG.BlockNorm.allCases.map(\.rawValue),
                      doc: "block normalisation"),
        ParameterSpec("transform_sqrt", .bool, default: "false", doc: "square root of the image before the gradient"),
    ]

    let params: Parameters
    let hog: HOG

    public init(_ params: Parameters) throws {
        self.params = params
        let n = try params.int("orientations")
        guard n >= 1 else { throw params.invalid("orientations", "orientations=\(n) must be ≥ 1") }
        let cell = try params.intPair("pixels_per_cell", atLeast: 1)
        let block = try params.intPair("cells_per_block", atLeast: 1)
        guard let norm = HOG.BlockNorm(rawValue: try params.string("block_norm")) else {
            throw params.invalid("block_norm", "unknown block norm")
        }
        hog = try HOG(orientations: n, pixelsPerCell: cell, cellsPerBlock: block, blockNorm: norm,
                      transformSqrt: try params.bool("transform_sqrt"))
    }

    public func extract(path: String) throws -> FeatureOutput {
        let gray = try ImageInput.gray(path)
        try check(gray)
        return .array(try hog.features(gray))
    }

    /// Options that do not fit this image, named as the user wrote them (with scikit-image's sentence).
    func check(_ gray: Tensor) throws {
        let (h, w) = (gray.shape[0], gray.shape[1])
        let (cr, cc) = hog.pixelsPerCell, (br, bc) = hog.cellsPerBlock
        guard cr <= h, cc <= w else {
            throw params.invalid("pixels_per_cell", "a \(cr) × \(cc) cell is larger than the \(h) × \(w) image")
        }
        do {
            _ = try hog.geometry(height: h, width: w)
        } catch let PerceptError.invalidArgument(_, message) {
            throw params.invalid("cells_per_block",
                "a \(br) × \(bc) block is larger than the \(h / cr) × \(w / cc) cell grid of this \(h) × \(w) image. \(message)")
        }
    }

    /// scikit-image's glyph visualisation (`visualize=True`); 0 is black and the 99th percentile of the
    /// drawn pixels white, so a few strong edges do not leave every other glyph invisible.
    public func picture(of output: FeatureOutput, path: String) throws -> Tensor? {
        let gray = try ImageInput.gray(path)
        try check(gray)
        let vis = try hog.visualization(gray)
        let drawn = vis.storage.filter { $0 > 0 }.sorted()
        guard let top = drawn.isEmpty ? nil : drawn[Swift.min(drawn.count - 1, drawn.count * 99 / 100)], top > 0 else {
            return Tensor(shape: [1] + vis.shape)
        }
        return Tensor(unchecked: [1] + vis.shape, data: vis.storage.map { Swift.min(1, $0 / top) })
    }
}
