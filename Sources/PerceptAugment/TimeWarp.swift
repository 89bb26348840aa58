import PerceptCore

/// SpecAugment time warping: a random frame `center` in [W, T − W) moves to
/// `center + distance` with distance in [−W, W]; the two sides are stretched linearly
/// (linear interpolation along time, as ESPnet's `time_warp` with linear mode).
///
///     let warp = try TimeWarp(window: 5)
///     time_warp: {window: 5}     # the same stage in AUG.yaml
public struct TimeWarp: AugmentationStage {
    public static let name = "time_warp", kind = SampleKind.spectrogram, summary = "SpecAugment time warping"
    public static let parameters = [
        ParameterSpec("window", .int, default: 5, doc: "W: largest move in frames (SpecAugment uses 80 for 100 fps)"),
        ParameterSpec("p", .float, default: 1.0, doc: "probability of warping"),
    ]
    public let p: Float
    let window: Int

    public init(_ params: Parameters) throws {
        p = try params.probability()
        window = try params.int("window", within: 0...StageBounds.maxBand)
    }

    /// Options left nil take the defaults in `parameters`; invalid values throw as in AUG.yaml.
    ///
    ///     let warp = try TimeWarp(window: 80, p: 0.5)
    public init(window: Int? = nil, p: Float? = nil) throws {
        try self.init(Self.parameters(["window": .given(window), "p": .given(p)]))
    }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params {
        let t = shape.width
        guard window > 0, t - window > window else { return Params(center: 0, distance: 0) }
        let c = rng.int(in: window, t - window - 1)
        return Params(center: c, distance: rng.int(in: -window, window))
    }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        let s = sample.shape
        let t = s.width, rows = s.channels * s.height
        // Replayed values may be any Int: the sum is checked before it is trusted.
        let c = params.center, (w, overflow) = c.addingReportingOverflow(params.distance)
        guard !overflow, params.distance != 0, c > 0, c < t, w > 0, w < t else { return }
        // Output frame x reads source position: left part [0, w) ← [0, c), right [w, t) ← [c, t),
        // each resized with pixel-centre (align_corners = false) coordinates.
        var pos = [Float](repeating: 0, count: t)
        for x in 0..<t {
            if x < w {
                pos[x] = (Float(x) + 0.5) * Float(c) / Float(w) - 0.5
                pos[x] = Swift.min(Float(c - 1), Swift.max(0, pos[x]))
            } else {
                pos[x] = Float(c) + (Float(x - w) + 0.5) * Float(t - c) / Float(t - w) - 0.5
                pos[x] = Swift.min(Float(t - 1), Swift.max(Float(c), pos[x]))
            }
        }
        let src = sample.data
        src.withUnsafeBufferPointer { sb in
            sample.data.withUnsafeMutableBufferPointer { db in
                for r in 0..<rows {
                    let base = r * t
                    for x in 0..<t {
                        let q = pos[x]
                        let i = Int(q), a = q - Float(i)
                        let j = Swift.min(t - 1, i + 1)
                        db[base + x] = (1 - a) * sb[base + i] + a * sb[base + j]
                    }
                }
            }
        }
    }

    /// The drawn parameters of one application (logged and replayed as JSON).
    public struct Params: Codable, Sendable, Equatable { public var center: Int; public var distance: Int; public init(center: Int, distance: Int) { self.center = center; self.distance = distance } }
}
