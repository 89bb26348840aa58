import PerceptCore

/// Shifts audio in time by a random amount, rolling samples around or padding with zeros
/// (audiomentations `Shift(min_shift, max_shift, shift_unit, rollover)`, without the fade).
///
///     shift: {min_shift: -0.2, max_shift: 0.2, shift_unit: fraction, rollover: false}
public struct Shift: AugmentationStage {
    /// Shift in samples; positive moves the audio later.
    public struct Params: Codable, Sendable, Equatable { public var samples: Int; public init(samples: Int) { self.samples = samples } }
    public static let name = "shift"
    public static let kind = SampleKind.audio
    public static let summary = "move the audio in time (roll or zero-pad)"
    public static let parameters = [
        ParameterSpec("p", .float, default: "0.5", doc: "probability of shifting"),
        ParameterSpec("min_shift", .float, default: "-0.5", doc: "smallest shift, in shift_unit"),
        ParameterSpec("max_shift", .float, default: "0.5", doc: "largest shift, in shift_unit"),
        ParameterSpec("shift_unit", .choice, default: "fraction", choices: ["fraction", "samples", "seconds"], doc: "unit of the shift range"),
        ParameterSpec("rollover", .bool, default: "true", doc: "samples pushed out re-enter on the other side (else zeros)"),
    ]
    public let p: Float
    let range: (Float, Float), unit: String, rollover: Bool

    public init(_ params: Parameters) throws {
        let o = StageOptions(params)
        p = try o.probability()
        range = try o.range("min_shift", "max_shift")
        unit = try o.string("shift_unit")
        rollover = try o.bool("rollover")
        if unit == "fraction", range.0 < -1 || range.1 > 1 {
            throw o.invalid(range.0 < -1 ? "min_shift" : "max_shift", "must lie in [−1, 1] for shift_unit fraction")
        }
    }

    public func outputShape(for shape: SampleShape) throws -> SampleShape { try checkKind(shape); return shape }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params {
        let v = rng.uniform(range.0, range.1)
        let n: Float
        switch unit {
        case "samples": n = v
        case "seconds": n = v * Float(shape.sampleRate)
        default: n = v * Float(shape.width)
        }
        return Params(samples: Int(n.rounded()))
    }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        let s = sample.shape
        let n = s.width
        guard n > 0, params.samples != 0 else { return }
        var k = params.samples
        if rollover { k = ((k % n) + n) % n } else if abs(k) >= n {
            sample.data.withUnsafeMutableBufferPointer { b in b.update(repeating: 0) }
            return
        }
        let shift = k
        sample.data = PixelLoops.rewritten(sample.data) { src, dst, _ in
            for c in 0..<s.channels {
                let i = src + c * n, o = dst + c * n
                if rollover {
                    (o + shift).update(from: i, count: n - shift)
                    o.update(from: i + (n - shift), count: shift)
                } else if shift > 0 {
                    (o + shift).update(from: i, count: n - shift)
                    o.update(repeating: 0, count: shift)
                } else {
                    o.update(from: i - shift, count: n + shift)
                    (o + n + shift).update(repeating: 0, count: -shift)
                }
            }
        }
    }
}
