import PerceptCore

/// The checks stages need beyond what `Parameters` parses: a probability in [0, 1], finite
/// numbers, and two options forming a range. Errors name the stage and field like every other
/// option error (`gain.min_gain_db: 6 is greater than max_gain_db (-6)`).
///
///     let (lo, hi) = try params.range("min_gain_db", "max_gain_db")
extension Parameters {
    /// `p`, which must lie in [0, 1].
    func probability() throws -> Float {
        let p = try float("p")
        guard p >= 0 && p <= 1 else { throw invalid("p", "\(fmt(p)) is outside [0, 1]") }
        return p
    }

    /// A number that must be finite (`float` already rejects NaN, but lets `inf` through).
    func finiteFloat(_ name: String) throws -> Float {
        let v = try float(name)
        guard v.isFinite else { throw invalid(name, "must be finite, got \(fmt(v))") }
        return v
    }

    /// A finite number that must be ≥ `low` (or > when `strict`).
    func finiteFloat(_ name: String, atLeast low: Float, strict: Bool = false) throws -> Float {
        let v = try finiteFloat(name)
        if strict ? !(v > low) : !(v >= low) { throw invalid(name, "must be \(strict ? ">" : "≥") \(fmt(low)), got \(fmt(v))") }
        return v
    }

    /// A choice option as its Swift enum (the spec lists the enum's raw values as its choices).
    func choice<E: RawRepresentable & CaseIterable>(_ name: String, as type: E.Type) throws -> E where E.RawValue == String {
        let text = try string(name)
        guard let e = E(rawValue: text) else {
            throw invalid(name, "'\(text)' is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return e
    }

    /// Two finite options forming a range (audiomentations' `min_…` / `max_…`); rejects min > max,
    /// and either end outside `bounds` when given.
    func range(_ lo: String, _ hi: String, within bounds: ClosedRange<Float>? = nil) throws -> (Float, Float) {
        let a = try finiteFloat(lo), b = try finiteFloat(hi)
        guard a <= b else { throw invalid(lo, "\(fmt(a)) is greater than \(hi) (\(fmt(b)))") }
        if let bounds {
            for (name, v) in [(lo, a), (hi, b)] where !bounds.contains(v) { throw outside(name, v, bounds) }
        }
        return (a, b)
    }

    /// A finite number in `bounds` (a documented bound, docs/augment.md "Bounds").
    func finiteFloat(_ name: String, within bounds: ClosedRange<Float>) throws -> Float {
        let v = try finiteFloat(name)
        guard bounds.contains(v) else { throw outside(name, v, bounds) }
        return v
    }

    /// `floatPair` (finite, min ≤ max) with both ends in `bounds`.
    func floatPair(_ name: String, symmetric: Bool = false, within bounds: ClosedRange<Float>) throws -> (Float, Float) {
        let r = try floatPair(name, symmetric: symmetric)
        for v in [r.0, r.1] where !bounds.contains(v) { throw outside(name, v, bounds) }
        return r
    }

    /// An integer in `bounds`; below the lower bound the message is `Parameters.int`'s own.
    func int(_ name: String, within bounds: ClosedRange<Int>) throws -> Int {
        let v = try int(name, atLeast: bounds.lowerBound)
        guard v <= bounds.upperBound else { throw outside(name, v, bounds) }
        return v
    }

    /// An optional integer in `bounds` (nil when neither given nor defaulted).
    func optionalInt(_ name: String, within bounds: ClosedRange<Int>) throws -> Int? {
        guard let v = try optionalInt(name, atLeast: bounds.lowerBound) else { return nil }
        guard v <= bounds.upperBound else { throw outside(name, v, bounds) }
        return v
    }

    /// `wholePair` with both ends in `bounds`.
    func wholePair(_ name: String, within bounds: ClosedRange<Int>) throws -> (Int, Int) {
        let r = try wholePair(name)
        for v in [r.0, r.1] where !bounds.contains(v) { throw outside(name, v, bounds) }
        return r
    }

    private func outside(_ name: String, _ v: Float, _ b: ClosedRange<Float>) -> PerceptError {
        invalid(name, "\(fmt(v)) is outside [\(fmt(b.lowerBound)), \(fmt(b.upperBound))]")
    }

    private func outside(_ name: String, _ v: Int, _ b: ClosedRange<Int>) -> PerceptError {
        invalid(name, "\(v) is outside [\(b.lowerBound), \(b.upperBound)]")
    }
}

/// Short number formatting for messages (`1.5`, `-3`, `nan`), as `Value` prints numbers.
func fmt(_ v: Float) -> String { Value.of(v).description }

extension RandomStream {
    /// Uniform integer in the closed range [a, b] (a when b ≤ a). Stage bounds keep b − a small;
    /// a span that does not fit an Int is drawn as [a, a + Int.max − 1] rather than trapping.
    mutating func int(in a: Int, _ b: Int) -> Int {
        guard b > a else { return a }
        let (span, o1) = b.subtractingReportingOverflow(a)
        let (count, o2) = span.addingReportingOverflow(1)
        return a + int(below: o1 || o2 ? Int.max : count)
    }
}
