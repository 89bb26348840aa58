import PerceptCore

/// Mirrors an image top to bottom (albumentations `VerticalFlip`).
///
///     let flip = try VerticalFlip(p: 0.5)
///     vertical_flip: {p: 0.5}            # the same stage in AUG.yaml
public struct VerticalFlip: AugmentationStage {
    public typealias Params = NoParams
    public static let name = "vertical_flip", kind = SampleKind.image, summary = "mirror the image top to bottom"
    public static let parameters = [ParameterSpec("p", .float, default: 0.5, doc: "probability of flipping")]
    public let p: Float

    public init(_ params: Parameters) throws { p = try params.probability() }

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
