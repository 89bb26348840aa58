import PerceptCore
import PerceptVision

/// Pads an image, then cuts a window of `height` × `width` at a random place (torchvision
/// `RandomCrop(size, padding, pad_if_needed, fill, padding_mode)`); without a size the window
/// is the image size, the classic "pad 4 and crop back" augmentation.
///
///     random_crop: {padding: 4, padding_mode: reflect}
public struct RandomCrop: AugmentationStage {
    /// Top-left corner of the window in padded coordinates.
    public struct Params: Codable, Sendable, Equatable { public var top: Int; public var left: Int; public init(top: Int, left: Int) { self.top = top; self.left = left } }
    public static let name = "random_crop"
    public static let kind = SampleKind.image
    public static let summary = "pad, then crop a random window"
    public static let parameters = [
        ParameterSpec("p", .float, default: "1.0", doc: "probability of cropping"),
        ParameterSpec("height", .int, doc: "window height (default: the image height)"),
        ParameterSpec("width", .int, doc: "window width (default: the image width)"),
        ParameterSpec("padding", .int, default: "0", doc: "pixels added on every side first"),
        ParameterSpec("pad_if_needed", .bool, default: "false", doc: "pad more when the window is larger than the padded image"),
        ParameterSpec("padding_mode", .choice, default: "constant", choices: BorderChoice.paddingModes, doc: "how padding is filled"),
        ParameterSpec("fill", .float, default: "0", doc: "value of constant padding"),
    ]
    public let p: Float
    let height: Int?, width: Int?, padding: Int, padIfNeeded: Bool, border: BorderMode, fill: Float
    let options: StageOptions

    public init(_ params: Parameters) throws {
        let o = StageOptions(params)
        options = o
        p = try o.probability()
        height = try o.optionalInt("height"); width = try o.optionalInt("width")
        if let h = height, h < 1 { throw o.invalid("height", "must be ≥ 1, got \(h)") }
        if let w = width, w < 1 { throw o.invalid("width", "must be ≥ 1, got \(w)") }
        padding = try o.int("padding", atLeast: 0)
        padIfNeeded = try o.bool("pad_if_needed")
        border = BorderChoice.mode(try o.string("padding_mode"))
        fill = try o.float("fill")
    }

    /// Padding per side along each axis, and the window size, for an image of h × w.
    func geometry(_ s: SampleShape) -> (padY: Int, padX: Int, h: Int, w: Int) {
        let h = height ?? s.height, w = width ?? s.width
        var py = padding, px = padding
        if padIfNeeded {
            py += Swift.max(0, h - (s.height + 2 * padding))
            px += Swift.max(0, w - (s.width + 2 * padding))
        }
        return (py, px, h, w)
    }

    public func outputShape(for shape: SampleShape) throws -> SampleShape {
        try checkKind(shape)
        let g = geometry(shape)
        if g.h > shape.height + 2 * g.padY {
            throw options.invalid("height", "\(g.h) is larger than the image height \(shape.height) plus padding \(2 * g.padY) (raise padding or set pad_if_needed)")
        }
        if g.w > shape.width + 2 * g.padX {
            throw options.invalid("width", "\(g.w) is larger than the image width \(shape.width) plus padding \(2 * g.padX) (raise padding or set pad_if_needed)")
        }
        var out = shape
        out.dims = [shape.channels, g.h, g.w]
        return out
    }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params {
        let g = geometry(shape)
        let top = rng.int(in: 0, shape.height + 2 * g.padY - g.h)
        let left = rng.int(in: 0, shape.width + 2 * g.padX - g.w)
        return Params(top: top, left: left)
    }

    /// Without the random draw the window is centred, so the output size never depends on `p`.
    public func skip(_ sample: inout Sample) throws {
        let s = sample.shape, g = geometry(s)
        guard g.h != s.height || g.w != s.width || g.padY > 0 || g.padX > 0 else { return }
        try apply(Params(top: (s.height + 2 * g.padY - g.h) / 2, left: (s.width + 2 * g.padX - g.w) / 2), to: &sample)
    }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        let s = sample.shape, g = geometry(s)
        if g.h > s.height + 2 * g.padY || g.w > s.width + 2 * g.padX { _ = try outputShape(for: s) }
        sample.data = ImageWindow.cut(sample.data, top: params.top - g.padY, left: params.left - g.padX,
                                      height: g.h, width: g.w, border: border, fill: fill)
    }
}
