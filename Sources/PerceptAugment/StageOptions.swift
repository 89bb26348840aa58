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

    /// Two finite options forming a range (audiomentations' `min_…` / `max_…`); rejects min > max.
    func range(_ lo: String, _ hi: String) throws -> (Float, Float) {
        let a = try finiteFloat(lo), b = try finiteFloat(hi)
        guard a <= b else { throw invalid(lo, "\(fmt(a)) is greater than \(hi) (\(fmt(b)))") }
        return (a, b)
    }
}

/// Short number formatting for messages (`1.5`, `-3`, `nan`), as `Value` prints numbers.
func fmt(_ v: Float) -> String { Value.of(v).description }

extension RandomStream {
    /// Uniform integer in the closed range [a, b].
    mutating func int(in a: Int, _ b: Int) -> Int { b <= a ? a : a + int(below: b - a + 1) }
}
