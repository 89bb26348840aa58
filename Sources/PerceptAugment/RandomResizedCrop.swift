import Foundation
import PerceptCore
import PerceptVision

/// Crops a random region of random area and aspect ratio, then resizes it to `height` ×
/// `width` bilinearly (torchvision `RandomResizedCrop`, same sampling: 10 tries, then a
/// centre crop clamped to the ratio range).
///
///     let crop = try RandomResizedCrop(height: 224, width: 224, scale: (0.08, 1.0))
///     random_resized_crop: {height: 224, width: 224, scale: [0.08, 1.0]}     # the same stage in AUG.yaml
public struct RandomResizedCrop: AugmentationStage {
    /// The source region, in pixels.
    public static let name = "random_resized_crop", kind = SampleKind.image, summary = "crop a random area and aspect ratio, resize to a fixed size"
    public static let parameters = [
        ParameterSpec("height", .int, doc: "output height (required)"),
        ParameterSpec("width", .int, doc: "output width (required)"),
        ParameterSpec("scale", .floatPair, default: [0.08, 1.0], doc: "range of the region's area as a fraction of the image"),
        ParameterSpec("ratio", .floatPair, default: [0.75, 1.3333333], doc: "range of the region's aspect ratio (width / height)"),
        ParameterSpec("p", .float, default: 1.0, doc: "probability of cropping (else the image is only resized)"),
    ]
    public let p: Float
    let height: Int, width: Int, scale: (Float, Float), ratio: (Float, Float)
    /// Kept for the errors `outputShape` raises once the channel count is known.
    let params: Parameters

    public init(_ params: Parameters) throws {
        self.params = params
        p = try params.probability()
        height = try params.int("height", within: 1...StageBounds.maxSide)
        width = try params.int("width", within: 1...StageBounds.maxSide)
        try StageBounds.checkOutput([height, width], params, field: "height")
        scale = try params.floatPair("scale")
        guard scale.0 > 0, scale.1 <= 1 else { throw params.invalid("scale", "must lie in (0, 1], got \(fmt(scale.0)),\(fmt(scale.1))") }
        ratio = try params.floatPair("ratio", within: StageBounds.ratio)
    }

    /// The output size is required; options left nil take the defaults in `parameters`;
    /// invalid values throw as in AUG.yaml.
    ///
    ///     let crop = try RandomResizedCrop(height: 224, width: 224, scale: (0.08, 1.0), ratio: (0.75, 4.0 / 3))
    public init(height: Int, width: Int, scale: (Float, Float)? = nil, ratio: (Float, Float)? = nil, p: Float? = nil) throws {
        try self.init(Self.parameters([
            "height": .of(height), "width": .of(width), "scale": .given(scale), "ratio": .given(ratio), "p": .given(p),
        ]))
    }

    public func outputShape(for shape: SampleShape) throws -> SampleShape {
        try checkKind(shape)
        try StageBounds.checkOutput([shape.channels, height, width], params, field: "height")
        var out = shape
        out.dims = [shape.channels, height, width]
        return out
    }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params {
        let h = shape.height, w = shape.width
        let area = Double(h) * Double(w)
        let logR = (Foundation.log(Double(ratio.0)), Foundation.log(Double(ratio.1)))
        for _ in 0..<10 {
            let target = area * Double(rng.uniform(scale.0, scale.1))
            let aspect = Foundation.exp(logR.0 + (logR.1 - logR.0) * Double(rng.uniform()))
            let cw = StageBounds.int((target * aspect).squareRoot())
            let ch = StageBounds.int((target / aspect).squareRoot())
            if cw > 0 && cw <= w && ch > 0 && ch <= h {
                return Params(top: rng.int(in: 0, h - ch), left: rng.int(in: 0, w - cw), height: ch, width: cw)
            }
        }
        // Fallback: the whole image, trimmed to the ratio range.
        let inRatio = Double(w) / Double(h)
        var cw = w, ch = h
        if inRatio < Double(ratio.0) {
            ch = StageBounds.int(Double(w) / Double(ratio.0))
        } else if inRatio > Double(ratio.1) {
            cw = StageBounds.int(Double(h) * Double(ratio.1))
        }
        ch = Swift.max(1, Swift.min(h, ch)); cw = Swift.max(1, Swift.min(w, cw))
        return Params(top: (h - ch) / 2, left: (w - cw) / 2, height: ch, width: cw)
    }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        let s = sample.shape
        // Subtractions, not sums: replayed values may be anything an Int holds.
        guard params.top >= 0, params.left >= 0, params.height >= 1, params.width >= 1,
              params.height <= s.height - params.top, params.width <= s.width - params.left else {
            throw PerceptError.invalidArgument(field: Self.name, "region \(params) does not fit a \(s.height)×\(s.width) image")
        }
        let region = ImageWindow.cut(sample.data, top: params.top, left: params.left, height: params.height,
                                     width: params.width, border: .constant, fill: 0)
        sample.data = try Resize.resize(region, height: height, width: width, method: .bilinear)
    }

    /// Without the crop the whole image is still resized, so the output size never depends on `p`.
    public func skip(_ sample: inout Sample) throws {
        sample.data = try Resize.resize(sample.data, height: height, width: width, method: .bilinear)
    }

    /// The drawn parameters of one application (logged and replayed as JSON).
    public struct Params: Codable, Sendable, Equatable {
        public var top: Int; public var left: Int; public var height: Int; public var width: Int
        public init(top: Int, left: Int, height: Int, width: Int) { self.top = top; self.left = left; self.height = height; self.width = width }
    }
}
