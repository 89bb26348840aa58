import PerceptCore

/// Mirrors an image top to bottom (albumentations `VerticalFlip`).
///
///     let flip = try VerticalFlip(p: 0.5)
///     vertical_flip: {p: 0.5}            # the same stage in AUG.yaml
public struct VerticalFlip: AugmentationStage {
    public struct Params: Codable, Sendable, Equatable { public init() {} }
    public static let name = "vertical_flip"
    public static let kind = SampleKind.image
    public static let summary = "mirror the image top to bottom"
    public static let parameters = [ParameterSpec("p", .float, default: 0.5, doc: "probability of flipping")]
    public let p: Float

    public init(_ params: Parameters) throws { p = try params.probability() }

    /// Options left nil take the defaults in `parameters`; invalid values throw as in AUG.yaml.
    ///
    ///     let flip = try VerticalFlip(p: 1)
    public init(p: Float? = nil) throws { try self.init(Self.parameters(["p": .given(p)])) }

    public func outputShape(for shape: SampleShape) throws -> SampleShape { try checkKind(shape); return shape }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params { Params() }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        let s = sample.shape
        let h = s.height, w = s.width
        sample.data = PixelLoops.rewritten(sample.data) { src, dst, _ in
            for c in 0..<s.channels {
                for y in 0..<h {
                    let from: UnsafePointer<Float> = src + (c * h + h - 1 - y) * w
                    (dst + (c * h + y) * w).update(from: from, count: w)
                }
            }
        }
    }
}
