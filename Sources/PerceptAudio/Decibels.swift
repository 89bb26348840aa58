import Foundation
import PerceptCore

/// Conversion to decibels as `librosa.power_to_db` / `amplitude_to_db`:
/// `10·log10(max(amin, S)) − 10·log10(max(amin, ref))`, then, with `topDb`, everything below
/// `max − topDb` raised to that floor.
///
///     var m = melSpectrogram
///     try Decibels.power(ref: .value(1), amin: 1e-10, topDb: 80).apply(&m)
public struct Decibels: Sendable {
    /// The reference level: a fixed value or the array's maximum (librosa's `ref=np.max`).
    public enum Reference: Sendable, Equatable { case value(Float), max }
    public enum Scale: Sendable { case power, amplitude }

    public let scale: Scale
    public let ref: Reference
    public let amin: Float
    public let topDb: Float?

    /// power_to_db: defaults as librosa (ref 1, amin 1e-10, top_db 80).
    public static func power(ref: Reference = .value(1), amin: Float = 1e-10, topDb: Float? = 80) throws -> Decibels {
        try Decibels(scale: .power, ref: ref, amin: amin, topDb: topDb)
    }

    /// amplitude_to_db: defaults as librosa (ref 1, amin 1e-5, top_db 80); squares and calls power_to_db.
    public static func amplitude(ref: Reference = .value(1), amin: Float = 1e-5, topDb: Float? = 80) throws -> Decibels {
        try Decibels(scale: .amplitude, ref: ref, amin: amin, topDb: topDb)
    }

    public init(scale: Scale, ref: Reference, amin: Float, topDb: Float?) throws {
        guard amin > 0 else { throw PerceptError.invalidArgument(field: "amin", "amin=\(amin) must be strictly positive") }
        if let t = topDb, !(t >= 0) { throw PerceptError.invalidArgument(field: "top_db", "top_db=\(t) must be non-negative") }
        self.scale = scale; self.ref = ref; self.amin = amin; self.topDb = topDb
    }

    /// Converts `x` in place. `.max` references use the maximum magnitude of `x`.
    public func apply(_ x: inout Tensor) {
        x.withUnsafeMutableBufferPointer { b in
            guard let p = b.baseAddress else { return }
            let refValue: Float
            switch ref {
            case .value(let v): refValue = abs(v)
            case .max: refValue = b.reduce(0) { Swift.max($0, abs($1)) }
            }
            convert(p, count: b.count, refValue: refValue)
            if let t = topDb { Decibels.clampBelowPeak(p, count: b.count, topDb: t) }
        }
    }

    /// The same conversion as a new tensor.
    public func converted(_ x: Tensor) -> Tensor {
        var y = x
        apply(&y)
        return y
    }

    /// Elementwise part (no top_db) against a fixed reference; used by blocked pipelines, where
    /// it must give the same bits as `apply`.
    @inline(__always)
    func convert(_ p: UnsafeMutablePointer<Float>, count: Int, refValue: Float) {
        let (floor, offset) = constants(refValue: refValue)
        let amplitude = scale == .amplitude
        if floor >= Float.leastNormalMagnitude {
            // Every argument of the log is ≥ floor, a normal number: the vectorisable path.
            // 10·log10(v) = (10 / ln 10) · ln(v); infinities are kept as infinities.
            let c: Float = 4.342944819032518
            for i in 0..<count {
                let a = amplitude ? p[i] * p[i] : p[i]
                let v = Swift.max(floor, a)
                let d = c * FastLog.ln(v) - offset
                p[i] = v.isFinite ? d : v
            }
        } else {
            for i in 0..<count {
                let a = amplitude ? p[i] * p[i] : p[i]
                p[i] = 10 * log10f(Swift.max(floor, a)) - offset
            }
        }
    }

    /// (amin on the power scale, 10·log10(max(amin, ref)) on the power scale).
    private func constants(refValue: Float) -> (Float, Float) {
        switch scale {
        case .power:
            return (amin, 10 * log10f(Swift.max(amin, refValue)))
        case .amplitude:
            let a2 = amin * amin, r2 = refValue * refValue
            return (a2, 10 * log10f(Swift.max(a2, r2)))
        }
    }

    /// True when every reference is known without seeing the whole signal (streaming allowed).
    var isElementwise: Bool { topDb == nil && ref != .max }

    /// The fixed reference value (only meaningful when `ref` is `.value`).
    var fixedReference: Float {
        if case .value(let v) = ref { return abs(v) }
        return 1
    }

    static func clampBelowPeak(_ p: UnsafeMutablePointer<Float>, count: Int, topDb: Float) {
        guard count > 0 else { return }
        // The peak is a maximum (exact, order-independent), so chunks over the workers give the
        // same floor as one pass; large outputs (a long log-mel) are worth splitting.
        let chunk = 1 << 18, parts = (count + chunk - 1) / chunk
        var peaks = [Float](repeating: -.infinity, count: parts)
        let base = UnsafeSendable(p)
        peaks.withUnsafeMutableBufferPointer { pk in
            let out = UnsafeSendable(pk.baseAddress!)
            Parallel.forChunks(count: parts, minChunk: 4) { range in
                for part in range {
                    out.value[part] = peak(base.value + part * chunk, count: Swift.min(chunk, count - part * chunk))
                }
            }
        }
        let floor = (peaks.max() ?? -.infinity) - topDb
        Parallel.forChunks(count: parts, minChunk: 4) { range in
            for part in range {
                let q = base.value + part * chunk
                for j in 0..<Swift.min(chunk, count - part * chunk) { q[j] = Swift.max(q[j], floor) }
            }
        }
    }

    /// The largest of `count` values: eight independent running maxima, so the scan does not wait
    /// on one compare chain.
    private static func peak(_ p: UnsafePointer<Float>, count: Int) -> Float {
        let low = -Float.infinity
        var m0 = low, m1 = low, m2 = low, m3 = low, m4 = low, m5 = low, m6 = low, m7 = low
        var i = 0
        while i + 8 <= count {
            m0 = Swift.max(m0, p[i]); m1 = Swift.max(m1, p[i + 1])
            m2 = Swift.max(m2, p[i + 2]); m3 = Swift.max(m3, p[i + 3])
            m4 = Swift.max(m4, p[i + 4]); m5 = Swift.max(m5, p[i + 5])
            m6 = Swift.max(m6, p[i + 6]); m7 = Swift.max(m7, p[i + 7])
            i += 8
        }
        var top = Swift.max(Swift.max(Swift.max(m0, m1), Swift.max(m2, m3)), Swift.max(Swift.max(m4, m5), Swift.max(m6, m7)))
        while i < count { top = Swift.max(top, p[i]); i += 1 }
        return top
    }
}
