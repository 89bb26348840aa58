import PerceptCore
import PerceptVision

/// `percept extract pyramid`: the Gaussian pyramid as `cv2.pyrDown` applied repeatedly; an .npz with
/// `level_0` (the gray input) … `level_{N-1}`.
///
///     percept extract pyramid photo.png -o p.npz --levels 4 --png levels.png
public struct PyramidFeature: FeatureExtractor {
    public static let name = "pyramid"
    public static let summary = "Gaussian pyramid as repeated cv2.pyrDown: .npz with level_0 (the input) … level_{N-1}"
    public static let inputKind = InputKind.image
    public static let parameters = [
        ParameterSpec("levels", .int, default: "4", doc: "number of levels, the input included (each halves the size, rounding up)"),
    ]

    let params: Parameters
    let levels: Int

    public init(_ params: Parameters) throws {
        self.params = params
        levels = try params.int("levels")
        guard levels >= 1 else { throw params.invalid("levels", "levels=\(levels) must be ≥ 1") }
    }

    public func extract(path: String) throws -> FeatureOutput {
        let gray = try ImageInput.gray(path)
        let (h, w) = (gray.shape[0], gray.shape[1])
        let most = Pyramid.maxLevels(height: h, width: w)
        guard levels <= most else {
            throw params.invalid("levels", "levels=\(levels) is more than a \(h) × \(w) image can halve into (at most \(most))")
        }
        let pyramid = try Pyramid.gaussian(gray, levels: levels)
        return .archive(pyramid.enumerated().map { ("level_\($0.offset)", $0.element) })
    }

    /// The levels left to right, top-aligned, at their own sizes.
    public func picture(of output: FeatureOutput, path: String) throws -> Tensor? {
        guard case let .archive(items) = output else { return nil }
        let planes = items.map { (height: $0.1.shape[0], width: $0.1.shape[1], values: $0.1.storage.map { Swift.min(1, Swift.max(0, $0)) }) }
        return try Picture.row(planes)
    }
}
