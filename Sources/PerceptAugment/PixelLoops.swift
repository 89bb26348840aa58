import PerceptCore

/// Contiguous Float32 loops shared by the pixel and sample stages, eight lanes at a time.
enum PixelLoops {
    typealias V = SIMD8<Float>

    /// dst ← clamp(src·a + b, lo, hi) (no clamping when `clip` is false); dst may equal src.
    @inline(__always)
    static func scaleShift(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int, _ a: Float, _ b: Float,
                           clip: Bool, lo: Float = 0, hi: Float = 1) {
        let va = V(repeating: a), vb = V(repeating: b), vlo = V(repeating: lo), vhi = V(repeating: hi)
        var i = 0
        let s = UnsafeRawPointer(src), d = UnsafeMutableRawPointer(dst)
        while i + 8 <= n {
            var v = s.loadUnaligned(fromByteOffset: i * 4, as: V.self) * va + vb
            if clip { v = v.clamped(lowerBound: vlo, upperBound: vhi) }
            d.storeBytes(of: v, toByteOffset: i * 4, as: V.self)
            i += 8
        }
        while i < n {
            var v = src[i] * a + b
            if clip { v = Swift.min(hi, Swift.max(lo, v)) }
            dst[i] = v
            i += 1
        }
    }

    /// x ← clamp(x·a + b, lo, hi) in place.
    @inline(__always)
    static func scaleShift(_ p: UnsafeMutablePointer<Float>, _ n: Int, _ a: Float, _ b: Float, clip: Bool, lo: Float = 0, hi: Float = 1) {
        scaleShift(UnsafePointer(p), p, n, a, b, clip: clip, lo: lo, hi: hi)
    }

    /// x ← clamp(x, lo, hi).
    @inline(__always)
    static func clip(_ p: UnsafeMutablePointer<Float>, _ n: Int, _ lo: Float = 0, _ hi: Float = 1) {
        scaleShift(p, n, 1, 0, clip: true, lo: lo, hi: hi)
    }

    /// A new tensor of `t`'s shape written by `body(source, destination, count)`: one pass and
    /// one allocation (the output), instead of copy-on-write followed by an in-place pass.
    @inline(__always)
    static func rewritten(_ t: Tensor, _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> Tensor {
        let n = t.count
        guard n > 0 else { return t }
        let data = t.withUnsafeBufferPointer { src in
            [Float](unsafeUninitializedCapacity: n) { buf, count in
                if let s = src.baseAddress, let d = buf.baseAddress { body(s, d, n) }
                count = n
            }
        }
        return Tensor(unchecked: t.shape, data: data)
    }

    /// Σ x² in a fixed order (eight lane accumulators, then lanes in order, in Double), so
    /// the value is the same on every machine.
    @inline(__always)
    static func sumOfSquares(_ p: UnsafePointer<Float>, _ n: Int) -> Double {
        var acc = V(repeating: 0)
        var total = 0.0
        var i = 0
        let raw = UnsafeRawPointer(p)
        // Flush the float lanes into Double every 4096 samples to keep precision.
        while i < n {
            let end = Swift.min(n, i + 4096)
            while i + 8 <= end {
                let v = raw.loadUnaligned(fromByteOffset: i * 4, as: V.self)
                acc += v * v
                i += 8
            }
            while i < end { total += Double(p[i]) * Double(p[i]); i += 1 }
            for l in 0..<8 { total += Double(acc[l]) }
            acc = V(repeating: 0)
        }
        return total
    }

    /// Root mean square of a buffer (0 when empty), in the fixed order of `sumOfSquares`.
    static func rms(_ b: UnsafeBufferPointer<Float>) -> Double {
        guard let base = b.baseAddress, b.count > 0 else { return 0 }
        return (sumOfSquares(base, b.count) / Double(b.count)).squareRoot()
    }
}
