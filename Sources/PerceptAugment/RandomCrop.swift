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
        let sides = 1...StageBounds.maxSide
        height = try params.optionalInt("height", within: sides); width = try params.optionalInt("width", within: sides)
        if let height, let width { try StageBounds.checkOutput([height, width], params, field: "height") }
        padding = try params.int("padding", within: 0...StageBounds.maxSide)
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

    /// Padding per side along each axis, the window size, and the padded image's size.
    struct Geometry { var padY: Int, padX: Int, h: Int, w: Int, paddedH: Int, paddedW: Int }

    /// The geometry for an image of `s`, in overflow-checked arithmetic; throws (naming the
    /// field) when the window does not fit the padded image or the output is beyond the bounds.
    func geometry(_ s: SampleShape) throws -> Geometry {
        let h = height ?? s.height, w = width ?? s.width
        func padded(_ side: Int, _ pad: Int) throws -> Int {
            let (twice, o1) = pad.multipliedReportingOverflow(by: 2)
            let (sum, o2) = side.addingReportingOverflow(twice)
            guard !o1, !o2 else { throw params.invalid("padding", "\(pad) pixels on a side of \(side) overflow") }
            return sum
        }
        var py = padding, px = padding
        if padIfNeeded {
            py += Swift.max(0, h - (try padded(s.height, padding)))
            px += Swift.max(0, w - (try padded(s.width, padding)))
        }
        let g = Geometry(padY: py, padX: px, h: h, w: w, paddedH: try padded(s.height, py), paddedW: try padded(s.width, px))
        if g.h > g.paddedH {
            throw params.invalid("height", "\(g.h) is larger than the image height \(s.height) plus padding \(2 * g.padY) (raise padding or set pad_if_needed)")
        }
        if g.w > g.paddedW {
            throw params.invalid("width", "\(g.w) is larger than the image width \(s.width) plus padding \(2 * g.padX) (raise padding or set pad_if_needed)")
        }
        // Without a size option the window is the input's size: nothing grows.
        if height != nil || width != nil { try StageBounds.checkOutput([s.channels, g.h, g.w], params, field: height != nil ? "height" : "width") }
        return g
    }

    public func outputShape(for shape: SampleShape) throws -> SampleShape {
        try checkKind(shape)
        let g = try geometry(shape)
        var out = shape
        out.dims = [shape.channels, g.h, g.w]
        return out
    }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params {
        // A shape the geometry rejects draws nothing; `apply` then reports it.
        guard let g = try? geometry(shape) else { return Params(top: 0, left: 0) }
        return Params(top: rng.int(in: 0, g.paddedH - g.h), left: rng.int(in: 0, g.paddedW - g.w))
    }

    /// Without the random draw the window is centred, so the output size never depends on `p`.
    public func skip(_ sample: inout Sample) throws {
        let s = sample.shape, g = try geometry(s)
        guard g.h != s.height || g.w != s.width || g.padY > 0 || g.padX > 0 else { return }
        try apply(Params(top: (g.paddedH - g.h) / 2, left: (g.paddedW - g.w) / 2), to: &sample)
    }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        let g = try geometry(sample.shape)
        // Replayed parameters are checked like drawn ones would be: the window lies in the padded image.
        guard (0...(g.paddedH - g.h)).contains(params.top), (0...(g.paddedW - g.w)).contains(params.left) else {
            throw PerceptError.invalidArgument(field: Self.name, "window at \(params) does not fit the \(g.paddedH)×\(g.paddedW) padded image")
        }
        sample.data = ImageWindow.cut(sample.data, top: params.top - g.padY, left: params.left - g.padX,
                                      height: g.h, width: g.w, border: border, fill: fill)
    }

    /// The drawn parameters of one application (logged and replayed as JSON).
    public struct Params: Codable, Sendable, Equatable { public var top: Int; public var left: Int; public init(top: Int, left: Int) { self.top = top; self.left = left } }
}
