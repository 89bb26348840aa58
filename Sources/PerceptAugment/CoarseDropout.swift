import PerceptCore

/// Cutout: fills a random number of random rectangles with a constant (albumentations
/// `CoarseDropout`). Hole sizes are pixels when both bounds are whole numbers ≥ 1, else
/// fractions of the image side.
///
///     let cutout = try CoarseDropout(numHolesRange: (1, 3), holeHeightRange: (4, 8), holeWidthRange: (4, 8))
///     coarse_dropout: {num_holes_range: [1, 3], hole_height_range: [4, 8], hole_width_range: [4, 8]}     # in AUG.yaml
public struct CoarseDropout: AugmentationStage {
    public static let name = "coarse_dropout", kind = SampleKind.image, summary = "cutout: fill random rectangles"
    public static let parameters = [
        ParameterSpec("num_holes_range", .intPair, default: [1, 2], doc: "how many holes"),
        ParameterSpec("hole_height_range", .floatPair, default: [0.1, 0.2], doc: "hole height: pixels, or a fraction of the height"),
        ParameterSpec("hole_width_range", .floatPair, default: [0.1, 0.2], doc: "hole width: pixels, or a fraction of the width"),
        ParameterSpec("fill", .float, default: 0, doc: "value written into the holes"),
        ParameterSpec("p", .float, default: 0.5, doc: "probability of cutting"),
    ]
    public let p: Float
    let holes: (Int, Int), hh: (Float, Float), hw: (Float, Float), fill: Float

    public init(_ params: Parameters) throws {
        p = try params.probability()
        holes = try params.wholePair("num_holes_range")
        guard holes.0 >= 0 else { throw params.invalid("num_holes_range", "must be ≥ 0") }
        guard holes.1 <= StageBounds.maxCount else {
            throw params.invalid("num_holes_range", "\(holes.1) is outside [0, \(StageBounds.maxCount)]")
        }
        hh = try params.floatPair("hole_height_range"); hw = try params.floatPair("hole_width_range")
        for (name, r) in [("hole_height_range", hh), ("hole_width_range", hw)] {
            guard r.0 > 0 else { throw params.invalid(name, "must be > 0, got \(fmt(r.0))") }
            // Pixels up to the largest side; fractions of the side up to the whole side.
            if CoarseDropout.inPixels(r) {
                guard r.1 <= Float(StageBounds.maxSide) else { throw params.invalid(name, "\(fmt(r.1)) pixels is outside [1, \(StageBounds.maxSide)]") }
            } else if r.1 > 1 {
                throw params.invalid(name, "\(fmt(r.1)) is outside (0, 1] (a fraction of the side; give whole numbers ≥ 1 for pixels)")
            }
        }
        fill = try params.finiteFloat("fill")
    }

    /// Options left nil take the defaults in `parameters`; invalid values throw as in AUG.yaml.
    /// Hole sizes are pixels when both bounds are whole numbers ≥ 1, else fractions of the side.
    ///
    ///     let cutout = try CoarseDropout(numHolesRange: (1, 1), holeHeightRange: (0.25, 0.25), holeWidthRange: (0.25, 0.25), p: 1)
    public init(numHolesRange: (Int, Int)? = nil, holeHeightRange: (Float, Float)? = nil, holeWidthRange: (Float, Float)? = nil,
                fill: Float? = nil, p: Float? = nil) throws {
        try self.init(Self.parameters([
            "num_holes_range": .given(numHolesRange), "hole_height_range": .given(holeHeightRange),
            "hole_width_range": .given(holeWidthRange), "fill": .given(fill), "p": .given(p),
        ]))
    }

    /// Whether a hole size range counts pixels (both bounds whole, from 1) rather than fractions.
    static func inPixels(_ r: (Float, Float)) -> Bool { r.0 >= 1 && r.0 == r.0.rounded() && r.1 == r.1.rounded() }

    static func size(_ r: (Float, Float), side: Int, _ rng: inout RandomStream) -> Int {
        if inPixels(r) { return rng.int(in: StageBounds.int(Double(r.0)), StageBounds.int(Double(r.1))) }
        return Swift.max(1, StageBounds.int(Double(rng.uniform(r.0, r.1) * Float(side))))
    }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params {
        let n = rng.int(in: holes.0, holes.1)
        var out = [Rect]()
        for _ in 0..<n {
            let h = Swift.min(shape.height, CoarseDropout.size(hh, side: shape.height, &rng))
            let w = Swift.min(shape.width, CoarseDropout.size(hw, side: shape.width, &rng))
            out.append(Rect(top: rng.int(in: 0, shape.height - h), left: rng.int(in: 0, shape.width - w), height: h, width: w))
        }
        return Params(holes: out)
    }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        let s = sample.shape
        sample.data.withUnsafeMutableBufferPointer { b in
            guard let base = b.baseAddress else { return }
            for r in params.holes { r.fill(base, channels: s.channels, height: s.height, width: s.width, value: fill) }
        }
    }

    /// The drawn parameters of one application (logged and replayed as JSON).
    public struct Params: Codable, Sendable, Equatable { public var holes: [Rect]; public init(holes: [Rect]) { self.holes = holes } }
}
