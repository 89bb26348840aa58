import Foundation
import PerceptCore

/// Reads and validates a stage's options, naming the stage and field in every error
/// (`gain.min_gain_db: -3 is greater than max_gain_db (-6)`).
///
///     let o = try StageOptions(GainStage.self, params); let (lo, hi) = try o.range("min_gain_db", "max_gain_db")
struct StageOptions {
    let params: Parameters

    init(_ params: Parameters) { self.params = params }

    func field(_ name: String) -> String { params.field(name) }

    func invalid(_ name: String, _ message: String) -> PerceptError { params.invalid(name, message) }

    /// `p`, which must lie in [0, 1].
    func probability() throws -> Float {
        let p = try float("p")
        guard p >= 0 && p <= 1 else { throw invalid("p", "\(fmt(p)) is outside [0, 1]") }
        return p
    }

    func float(_ name: String) throws -> Float {
        let v = try params.float(name)
        guard v.isFinite else { throw invalid(name, "must be finite, got \(fmt(v))") }
        return v
    }

    func int(_ name: String) throws -> Int { try params.int(name) }

    func optionalInt(_ name: String) throws -> Int? { try params.optionalInt(name) }

    func bool(_ name: String) throws -> Bool { try params.bool(name) }

    func string(_ name: String) throws -> String { try params.string(name) }

    /// A float that must be ≥ `low` (or > when `strict`).
    func float(_ name: String, atLeast low: Float, strict: Bool = false) throws -> Float {
        let v = try float(name)
        if strict ? !(v > low) : !(v >= low) { throw invalid(name, "must be \(strict ? ">" : "≥") \(fmt(low)), got \(fmt(v))") }
        return v
    }

    func int(_ name: String, atLeast low: Int) throws -> Int {
        let v = try int(name)
        guard v >= low else { throw invalid(name, "must be ≥ \(low), got \(v)") }
        return v
    }

    /// Two options forming a range; rejects NaN and min > max.
    func range(_ lo: String, _ hi: String) throws -> (Float, Float) {
        let a = try float(lo), b = try float(hi)
        guard a <= b else { throw invalid(lo, "\(fmt(a)) is greater than \(hi) (\(fmt(b)))") }
        return (a, b)
    }

    /// A pair option (`[a, b]`; one value `v` means `(-v, v)` when `symmetric`, else `(v, v)`).
    func pair(_ name: String, symmetric: Bool = false) throws -> (Float, Float) { try params.floatPair(name, symmetric: symmetric) }

    /// A pair of integers (`[3, 7]`; one value `v` means `(v, v)`).
    func intPair(_ name: String) throws -> (Int, Int) { try params.wholePair(name) }
}

/// Short number formatting for messages (`1.5`, `-3`, `nan`).
func fmt(_ v: Float) -> String {
    if v.isNaN { return "nan" }
    if v == v.rounded() && abs(v) < 1e7 { return String(Int(v)) }
    return String(v)
}

extension RandomStream {
    /// Uniform integer in the closed range [a, b].
    mutating func int(in a: Int, _ b: Int) -> Int { b <= a ? a : a + int(below: b - a + 1) }
}
