import PerceptCore
import PerceptPlot
import PerceptVision

/// `percept extract pyramid`: the Gaussian pyramid of the gray image, the `pyramid_level` stage
/// (`cv2.pyrDown`) chained level after level; an .npz with `level_0` (the gray input) … `level_{N-1}`.
///
///     percept extract pyramid photo.png -o p.npz --levels 4 --png levels.png
public struct PyramidFeature: FeatureExtractor {
    public static let name = "pyramid", summary = "Gaussian pyramid as repeated cv2.pyrDown: .npz with level_0 (the input) … level_{N-1}"
    public static let inputKind = InputKind.image
    public static let parameters = [
        ParameterSpec("levels", .int, default: "4", doc: "number of levels, the input included (each halves the size, rounding up)"),
    ]

    let params: Parameters
    let levels: Int
    let down: PyramidLevelStage

    public init(_ params: Parameters) throws {
        self.params = params
        levels = try params.int("levels")
        guard levels >= 1 else { throw params.invalid("levels", "levels=\(levels) must be ≥ 1") }
        down = try PyramidLevelStage(level: 1)
    }

    public func load(path: String) throws -> Sample { try ImageInput.gray(path) }

    public func extract(_ input: Sample, path: String) throws -> FeatureOutput {
        let (h, w) = (input.shape.height, input.shape.width)
        let most = Pyramid.maxLevels(height: h, width: w)
        guard levels <= most else {
            throw params.invalid("levels", "levels=\(levels) is more than a \(h) × \(w) image can halve into (at most \(most))")
        }
        var level = input
        var items = [("level_0", ImageInput.plane(level))]
        for i in 1..<levels {
            level = try down.apply(level)
            items.append(("level_\(i)", ImageInput.plane(level)))
        }
        return .archive(items)
    }

    /// The levels left to right, each labelled with its size; small ones enlarged (nearest neighbour).
    public func picture(of output: FeatureOutput, input: Sample) throws -> Tensor? {
        guard case let .archive(items) = output else { return nil }
        let tiles = items.enumerated().map { i, item in
            Tile(PictureTiles.clipped(item.1), caption: "level \(i): \(item.1.shape[0]) × \(item.1.shape[1])")
        }
        return try PanelGrid.render(tiles, columns: tiles.count, title: "Gaussian pyramid (cv2.pyrDown), \(tiles.count) levels")
    }
}
