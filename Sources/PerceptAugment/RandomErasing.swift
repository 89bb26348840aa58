import Foundation
import PerceptCore

/// Erases one random rectangle of random area and aspect ratio (torchvision `RandomErasing`,
/// same sampling: 10 tries, no erasing when none fits).
///
///     let erase = try RandomErasing(scale: (0.02, 0.33), ratio: (0.3, 3.3), value: 0, p: 0.5)
///     random_erasing: {p: 0.5, scale: [0.02, 0.33], ratio: [0.3, 3.3], value: 0}     # in AUG.yaml
public struct RandomErasing: AugmentationStage {
    public static let name = "random_erasing", kind = SampleKind.image, summary = "erase a random rectangle"
    public static let parameters = [
        ParameterSpec("scale", .floatPair, default: [0.02, 0.33], doc: "range of the erased area as a fraction of the image"),
        ParameterSpec("ratio", .floatPair, default: [0.3, 3.3], doc: "range of the aspect ratio (height / width)"),
        ParameterSpec("value", .float, default: 0, doc: "value written into the rectangle"),
        ParameterSpec("p", .float, default: 0.5, doc: "probability of erasing"),
    ]
    public let p: Float
    let scale: (Float, Float), ratio: (Float, Float), value: Float

    public init(_ params: Parameters) throws {
        p = try params.probability()
        scale = try params.floatPair("scale"); ratio = try params.floatPair("ratio")
        guard scale.0 >= 0, scale.1 <= 1 else { throw params.invalid("scale", "must lie in [0, 1]") }
        guard ratio.0 > 0 else { throw params.invalid("ratio", "must be > 0, got \(fmt(ratio.0))") }
        for v in [ratio.0, ratio.1] where !StageBounds.ratio.contains(v) {
            throw params.invalid("ratio", "\(fmt(v)) is outside [\(fmt(StageBounds.ratio.lowerBound)), \(fmt(StageBounds.ratio.upperBound))]")
        }
        value = try params.finiteFloat("value")
    }

    /// Options left nil take the defaults in `parameters`; invalid values throw as in AUG.yaml.
    ///
    ///     let erase = try RandomErasing(scale: (0.1, 0.2), value: 0.5, p: 1)
    public init(scale: (Float, Float)? = nil, ratio: (Float, Float)? = nil, value: Float? = nil, p: Float? = nil) throws {
        try self.init(Self.parameters(["scale": .given(scale), "ratio": .given(ratio), "value": .given(value), "p": .given(p)]))
    }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params {
        let h = shape.height, w = shape.width, area = Double(h) * Double(w)
        let lr = (Foundation.log(Double(ratio.0)), Foundation.log(Double(ratio.1)))
        for _ in 0..<10 {
            let target = area * Double(rng.uniform(scale.0, scale.1))
            let aspect = Foundation.exp(lr.0 + (lr.1 - lr.0) * Double(rng.uniform()))
            let eh = StageBounds.int((target * aspect).squareRoot()), ew = StageBounds.int((target / aspect).squareRoot())
            if eh < h && ew < w && eh > 0 && ew > 0 {
                return Params(box: Rect(top: rng.int(in: 0, h - eh), left: rng.int(in: 0, w - ew), height: eh, width: ew))
            }
        }
        return Params(box: nil)
    }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        guard let r = params.box else { return }
        let s = sample.shape
        sample.data.withUnsafeMutableBufferPointer { b in
            if let base = b.baseAddress { r.fill(base, channels: s.channels, height: s.height, width: s.width, value: value) }
        }
    }

    /// The drawn parameters of one application (logged and replayed as JSON).
    public struct Params: Codable, Sendable, Equatable { public var box: Rect?; public init(box: Rect?) { self.box = box } }
}
