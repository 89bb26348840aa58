import PerceptCore

/// Shifts audio in time by a random amount, rolling samples around or padding with zeros
/// (audiomentations `Shift(min_shift, max_shift, shift_unit, rollover)`, without the fade).
///
///     let shift = try Shift(minShift: -0.2, maxShift: 0.2, shiftUnit: .fraction, rollover: false)
///     shift: {min_shift: -0.2, max_shift: 0.2, shift_unit: fraction, rollover: false}     # in AUG.yaml
public struct Shift: AugmentationStage {
    /// What `min_shift` / `max_shift` count (audiomentations' `shift_unit`).
    public enum Unit: String, Sendable, CaseIterable, OptionValue {
        /// A fraction of the clip's length, in [−1, 1].
        case fraction
        case samples
        case seconds
    }

    /// Shift in samples; positive moves the audio later.
    public static let name = "shift", kind = SampleKind.audio, summary = "move the audio in time (roll or zero-pad)"
    public static let parameters = [
        ParameterSpec("min_shift", .float, default: -0.5, doc: "smallest shift, in shift_unit"),
        ParameterSpec("max_shift", .float, default: 0.5, doc: "largest shift, in shift_unit"),
        ParameterSpec("shift_unit", .choice, default: "fraction", choices: Unit.allCases.map(\.rawValue), doc: "unit of the shift range"),
        ParameterSpec("rollover", .bool, default: true, doc: "samples pushed out re-enter on the other side (else zeros)"),
        ParameterSpec("p", .float, default: 0.5, doc: "probability of shifting"),
    ]
    public let p: Float
    let range: (Float, Float), unit: Unit, rollover: Bool

    public init(_ params: Parameters) throws {
        p = try params.probability()
        range = try params.range("min_shift", "max_shift")
        unit = try params.choice("shift_unit", as: Unit.self)
        rollover = try params.bool("rollover")
        // Beyond the clip a shift only wraps or zeroes; the bounds keep draws exact enough and convertible.
        let limit: Float = unit == .fraction ? 1 : unit == .samples ? Shift.maxSamples : Shift.maxSeconds
        if range.0 < -limit || range.1 > limit {
            throw params.invalid(range.0 < -limit ? "min_shift" : "max_shift", "must lie in [−\(fmt(limit)), \(fmt(limit))] for shift_unit \(unit.rawValue)")
        }
    }

    /// Options left nil take the defaults in `parameters`; invalid values throw as in AUG.yaml.
    ///
    ///     let shift = try Shift(minShift: -1600, maxShift: 1600, shiftUnit: .samples, p: 1)
    public init(minShift: Float? = nil, maxShift: Float? = nil, shiftUnit: Unit? = nil, rollover: Bool? = nil, p: Float? = nil) throws {
        try self.init(Self.parameters([
            "min_shift": .given(minShift), "max_shift": .given(maxShift), "shift_unit": .given(shiftUnit),
            "rollover": .given(rollover), "p": .given(p),
        ]))
    }

    /// Largest |shift| in samples (about 5.8 hours at 48 kHz) and in seconds (about a day).
    static let maxSamples: Float = 1e9, maxSeconds: Float = 1e5

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params {
        let v = rng.uniform(range.0, range.1)
        let n: Float
        switch unit {
        case .samples: n = v
        case .seconds: n = v * Float(shape.sampleRate)
        case .fraction: n = v * Float(shape.width)
        }
        return Params(samples: StageBounds.int(Double(n)))
    }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        let s = sample.shape
        let n = s.width
        guard n > 0, params.samples != 0 else { return }
        var k = params.samples
        // `k % n` first: a replayed shift may be any Int, and abs(Int.min) traps.
        if rollover { k = ((k % n) + n) % n } else if k <= -n || k >= n {
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

    /// The drawn parameters of one application (logged and replayed as JSON).
    public struct Params: Codable, Sendable, Equatable { public var samples: Int; public init(samples: Int) { self.samples = samples } }
}
