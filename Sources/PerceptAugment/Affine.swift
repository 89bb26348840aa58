import PerceptCore
import PerceptVision

/// Scales, shears, rotates and translates an image about its centre with bilinear sampling
/// (albumentations `Affine(scale, translate_percent, rotate, shear)`).
///
///     let affine = try Affine(scale: (0.9, 1.1), translatePercent: (-0.1, 0.1), rotate: (-15, 15), shear: (-8, 8))
///     affine: {scale: [0.9, 1.1], translate_percent: [-0.1, 0.1], rotate: [-15, 15], shear: [-8, 8]}     # in AUG.yaml
public struct Affine: AugmentationStage {
    public static let name = "affine", kind = SampleKind.image, summary = "random scale, translation, rotation and shear"
    public static let parameters = [
        ParameterSpec("scale", .floatPair, default: [1, 1], doc: "zoom factor range"),
        ParameterSpec("translate_percent", .floatPair, default: [0, 0], doc: "shift range as a fraction of width / height, drawn per axis; v means [−v, v]"),
        ParameterSpec("rotate", .floatPair, default: [0, 0], doc: "angle range in degrees (counter-clockwise); v means [−v, v]"),
        ParameterSpec("shear", .floatPair, default: [0, 0], doc: "x-shear range in degrees; v means [−v, v]"),
        ParameterSpec("border_mode", .choice, default: "constant", choices: BorderChoice.names, doc: "how pixels from outside are filled"),
        ParameterSpec("fill", .float, default: 0, doc: "value for constant borders"),
        ParameterSpec("p", .float, default: 0.5, doc: "probability of transforming"),
    ]
    public let p: Float
    let scale: (Float, Float), translate: (Float, Float), rotate: (Float, Float), shear: (Float, Float)
    let border: BorderMode, fill: Float

    public init(_ params: Parameters) throws {
        p = try params.probability()
        let zoom = try params.floatPair("scale")
        guard zoom.0 > 0 else { throw params.invalid("scale", "must be > 0, got \(fmt(zoom.0))") }
        // Zooms beyond 100× either way show one pixel or only the border; shifts beyond the side only the border.
        scale = try params.floatPair("scale", within: 0.01...100)
        translate = try params.floatPair("translate_percent", symmetric: true, within: -1...1)
        rotate = try params.floatPair("rotate", symmetric: true, within: -360...360)
        shear = try params.floatPair("shear", symmetric: true)
        guard shear.0 > -89, shear.1 < 89 else { throw params.invalid("shear", "must lie in (−89, 89) degrees") }
        border = try params.borderMode("border_mode")
        fill = try params.finiteFloat("fill")
    }

    /// Options left nil take the defaults in `parameters` (the identity); invalid values throw
    /// as in AUG.yaml.
    ///
    ///     let affine = try Affine(scale: (0.9, 1.1), rotate: (-15, 15), borderMode: .reflect101)
    public init(scale: (Float, Float)? = nil, translatePercent: (Float, Float)? = nil, rotate: (Float, Float)? = nil,
                shear: (Float, Float)? = nil, borderMode: BorderMode? = nil, fill: Float? = nil, p: Float? = nil) throws {
        try self.init(Self.parameters([
            "scale": .given(scale), "translate_percent": .given(translatePercent), "rotate": .given(rotate),
            "shear": .given(shear), "border_mode": .given(borderMode.map(BorderChoice.name)), "fill": .given(fill), "p": .given(p),
        ]))
    }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params {
        Params(scale: rng.uniform(scale.0, scale.1), translateX: rng.uniform(translate.0, translate.1),
               translateY: rng.uniform(translate.0, translate.1), rotate: rng.uniform(rotate.0, rotate.1),
               shear: rng.uniform(shear.0, shear.1))
    }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        let s = sample.shape
        let m = ImageWarp.inverseMatrix(width: s.width, height: s.height, angle: Double(params.rotate), scale: Double(params.scale),
                                        shear: Double(params.shear), tx: Double(params.translateX) * Double(s.width),
                                        ty: Double(params.translateY) * Double(s.height))
        sample.data = ImageWarp.affine(sample.data, inverse: m, border: border, fill: fill)
    }

    /// The drawn parameters of one application (logged and replayed as JSON).
    public struct Params: Codable, Sendable, Equatable {
        public var scale: Float; public var translateX: Float; public var translateY: Float
        public var rotate: Float; public var shear: Float
        public init(scale: Float, translateX: Float, translateY: Float, rotate: Float, shear: Float) { self.scale = scale; self.translateX = translateX; self.translateY = translateY; self.rotate = rotate; self.shear = shear }
    }
}
