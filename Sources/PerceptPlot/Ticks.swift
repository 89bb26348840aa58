import Foundation

/// Axis ticks at "nice" values (1, 2 or 5 × 10ᵏ apart), with labels printed to the step's precision.
///
///     let t = Ticks(from: 0, to: 1.01, maxCount: 6)   // 0, 0.2, 0.4, 0.6, 0.8, 1
public struct Ticks: Sendable {
    public let values: [Double]
    public let step: Double

    /// At most `maxCount` ticks inside [lo, hi], as many as a 1-2-5 step allows.
    public init(from lo: Double, to hi: Double, maxCount: Int) {
        guard hi > lo, lo.isFinite, hi.isFinite else { values = [lo]; step = 1; return }
        let raw = (hi - lo) / Double(Swift.max(1, maxCount - 1))
        let p = pow(10, floor(log10(raw)))
        // The smallest 1-2-5 step whose ticks inside [lo, hi] number at most maxCount.
        let count = { (s: Double) in Int((hi / s + 1e-9).rounded(.down) - (lo / s - 1e-9).rounded(.up)) + 1 }
        step = [0.5, 1, 2, 5, 10, 20].map { $0 * p }.first { count($0) <= Swift.max(1, maxCount) } ?? 20 * p
        var v = [Double]()
        var t = (lo / step).rounded(.up) * step
        while t <= hi + step * 1e-9 { v.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
        values = v
    }

    /// Integer ticks only (indices of bands or coefficients): the step is at least 1.
    public init(integersFrom lo: Int, to hi: Int, maxCount: Int) {
        let t = Ticks(from: Double(lo), to: Double(hi), maxCount: maxCount)
        if t.step >= 1 { self = t } else {
            values = (lo...Swift.max(lo, hi)).map(Double.init); step = 1
        }
    }

    /// `value` with as many decimals as the step needs ("0.2", "8000", "-60").
    public func label(_ value: Double) -> String {
        // Steps are 1, 2 or 5 × 10ᵏ, so ⌈−log₁₀ step⌉ decimals show every tick exactly.
        let decimals = step >= 1 ? 0 : Int((-log10(step) - 1e-9).rounded(.up))
        return String(format: "%.\(Swift.min(6, decimals))f", value)
    }
}
