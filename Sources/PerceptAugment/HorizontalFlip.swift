import PerceptCore

/// Mirrors an image left to right (albumentations `HorizontalFlip`).
///
///     let flip = try HorizontalFlip(p: 0.5)
///     horizontal_flip: {p: 0.5}            # the same stage in AUG.yaml
public struct HorizontalFlip: AugmentationStage {
    public typealias Params = NoParams
    public static let name = "horizontal_flip", kind = SampleKind.image, summary = "mirror the image left to right"
    public static let parameters = [ParameterSpec("p", .float, default: 0.5, doc: "probability of flipping")]
    public let p: Float

    public init(_ params: Parameters) throws { p = try params.probability() }

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
