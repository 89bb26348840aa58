import Foundation
import PerceptCore

/// Beta(a, b) samples from a `RandomStream` (ratio of two Marsaglia–Tsang gamma draws).
enum BetaDistribution {
    static func sample(_ a: Double, _ b: Double, _ rng: inout RandomStream) -> Double {
        let x = gamma(a, &rng), y = gamma(b, &rng)
        return x + y > 0 ? x / (x + y) : 0.5
    }

    static func gamma(_ alpha: Double, _ rng: inout RandomStream) -> Double {
        if alpha < 1 {
            // Boost: Γ(α) = Γ(α + 1) · U^(1/α).
            let u = Double(rng.uniform()) + 0.5 / 16_777_216.0
            return gamma(alpha + 1, &rng) * Foundation.pow(u, 1 / alpha)
        }
        let d = alpha - 1.0 / 3.0, c = 1 / (9 * d).squareRoot()
        while true {
            let x = Double(rng.normal())
            let v0 = 1 + c * x
            guard v0 > 0 else { continue }
            let v = v0 * v0 * v0
            let u = Double(rng.uniform()) + 0.5 / 16_777_216.0
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if Foundation.log(u) < 0.5 * x * x + d * (1 - v + Foundation.log(v)) { return d * v }
        }
    }
}
