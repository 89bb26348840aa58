import PerceptCore

/// Mirrors an image left to right (albumentations `HorizontalFlip`).
///
///     let flip = try HorizontalFlip(p: 0.5)
///     horizontal_flip: {p: 0.5}            # the same stage in AUG.yaml
public struct HorizontalFlip: AugmentationStage {
    public struct Params: Codable, Sendable, Equatable { public init() {} }
    public static let name = "horizontal_flip"
    public static let kind = SampleKind.image
    public static let summary = "mirror the image left to right"
    public static let parameters = [ParameterSpec("p", .float, default: 0.5, doc: "probability of flipping")]
    public let p: Float

    public init(_ params: Parameters) throws { p = try params.probability() }

    /// Options left nil take the defaults in `parameters`; invalid values throw as in AUG.yaml.
    ///
    ///     let flip = try HorizontalFlip(p: 1)
    public init(p: Float? = nil) throws { try self.init(Self.parameters(["p": .given(p)])) }

    public func outputShape(for shape: SampleShape) throws -> SampleShape { try checkKind(shape); return shape }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params { Params() }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        let s = sample.shape
        let rows = s.channels * s.height, w = s.width
        sample.data = PixelLoops.rewritten(sample.data) { src, dst, _ in
            for r in 0..<rows {
                let i = src + r * w, o = dst + r * w
                for x in 0..<w { o[x] = i[w - 1 - x] }
            }
        }
    }
}
