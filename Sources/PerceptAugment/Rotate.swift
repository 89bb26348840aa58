import PerceptCore
import PerceptVision

/// Rotates an image by a random angle about its centre with bilinear sampling
/// (albumentations `Rotate(limit, border_mode, fill)`; positive angles turn counter-clockwise).
///
///     let rotate = try Rotate(limit: (-15, 15), borderMode: .reflect101)
///     rotate: {limit: 15, border_mode: reflect_101}     # the same stage in AUG.yaml
public struct Rotate: AugmentationStage {
    public static let name = "rotate", kind = SampleKind.image, summary = "rotate by a random angle (degrees) about the centre"
    public static let parameters = [
        ParameterSpec("limit", .floatPair, default: [-90, 90], doc: "angle range in degrees; one value v means [−v, v]"),
        ParameterSpec("border_mode", .choice, default: "constant", choices: BorderChoice.names, doc: "how pixels from outside are filled"),
        ParameterSpec("fill", .float, default: 0, doc: "value for constant borders"),
        ParameterSpec("p", .float, default: 0.5, doc: "probability of rotating"),
    ]
    public let p: Float
    let limit: (Float, Float), border: BorderMode, fill: Float

    public init(_ params: Parameters) throws {
        p = try params.probability()
        limit = try params.floatPair("limit", symmetric: true, within: -360...360)
        border = try params.borderMode("border_mode")
        fill = try params.finiteFloat("fill")
    }

    /// Options left nil take the defaults in `parameters`; invalid values throw as in AUG.yaml.
    ///
    ///     let rotate = try Rotate(limit: (-15, 15), borderMode: .reflect101, p: 1)
    public init(limit: (Float, Float)? = nil, borderMode: BorderMode? = nil, fill: Float? = nil, p: Float? = nil) throws {
        try self.init(Self.parameters([
            "limit": .given(limit), "border_mode": .given(borderMode.map(BorderChoice.name)), "fill": .given(fill), "p": .given(p),
        ]))
    }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params { Params(angle: rng.uniform(limit.0, limit.1)) }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        let s = sample.shape
        let m = ImageWarp.inverseMatrix(width: s.width, height: s.height, angle: Double(params.angle), scale: 1, shear: 0, tx: 0, ty: 0)
        sample.data = ImageWarp.affine(sample.data, inverse: m, border: border, fill: fill)
    }

    /// The drawn parameters of one application (logged and replayed as JSON).
    public struct Params: Codable, Sendable, Equatable { public var angle: Float; public init(angle: Float) { self.angle = angle } }
}
