import PerceptCore
import PerceptVision

/// Pads an image, then cuts a window of `height` × `width` at a random place (torchvision
/// `RandomCrop(size, padding, pad_if_needed, fill, padding_mode)`); without a size the window
/// is the image size, the classic "pad 4 and crop back" augmentation.
///
///     let crop = try RandomCrop(padding: 4, paddingMode: .reflect)
///     random_crop: {padding: 4, padding_mode: reflect}     # the same stage in AUG.yaml
public struct RandomCrop: AugmentationStage {
    /// Top-left corner of the window in padded coordinates.
    public static let name = "random_crop", kind = SampleKind.image, summary = "pad, then crop a random window"
    public static let parameters = [
        ParameterSpec("height", .int, doc: "window height (default: the image height)"),
        ParameterSpec("width", .int, doc: "window width (default: the image width)"),
        ParameterSpec("padding", .int, default: 0, doc: "pixels added on every side first"),
        ParameterSpec("pad_if_needed", .bool, default: false, doc: "pad more when the window is larger than the padded image"),
        ParameterSpec("padding_mode", .choice, default: "constant", choices: PaddingMode.allCases.map(\.rawValue), doc: "how padding is filled"),
        ParameterSpec("fill", .float, default: 0, doc: "value of constant padding"),
        ParameterSpec("p", .float, default: 1.0, doc: "probability of cropping"),
    ]
    public let p: Float
    let height: Int?, width: Int?, padding: Int, padIfNeeded: Bool, border: BorderMode, fill: Float
    /// Kept for the errors `outputShape` raises once the image size is known.
    let params: Parameters

    public init(_ params: Parameters) throws {
        self.params = params
        p = try params.probability()
        height = try params.optionalInt("height", atLeast: 1); width = try params.optionalInt("width", atLeast: 1)
        padding = try params.int("padding", atLeast: 0)
        padIfNeeded = try params.bool("pad_if_needed")
        border = try params.choice("padding_mode", as: PaddingMode.self).border
        fill = try params.finiteFloat("fill")
    }

    /// Options left nil take the defaults in `parameters` (no size: the image's own);
    /// invalid values throw as in AUG.yaml.
    ///
    ///     let crop = try RandomCrop(height: 24, width: 24, padding: 4, paddingMode: .reflect)
    public init(height: Int? = nil, width: Int? = nil, padding: Int? = nil, padIfNeeded: Bool? = nil,
                paddingMode: PaddingMode? = nil, fill: Float? = nil, p: Float? = nil) throws {
        try self.init(Self.parameters([
            "height": .given(height), "width": .given(width), "padding": .given(padding), "pad_if_needed": .given(padIfNeeded),
            "padding_mode": .given(paddingMode), "fill": .given(fill), "p": .given(p),
        ]))
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
            throw params.invalid("height", "\(g.h) is larger than the image height \(shape.height) plus padding \(2 * g.padY) (raise padding or set pad_if_needed)")
        }
        if g.w > shape.width + 2 * g.padX {
            throw params.invalid("width", "\(g.w) is larger than the image width \(shape.width) plus padding \(2 * g.padX) (raise padding or set pad_if_needed)")
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

    /// The drawn parameters of one application (logged and replayed as JSON).
    public struct Params: Codable, Sendable, Equatable { public var top: Int; public var left: Int; public init(top: Int, left: Int) { self.top = top; self.left = left } }
}
