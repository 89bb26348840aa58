import PerceptCore

/// Delta features as `librosa.feature.delta(data, width=9, order=1, mode='interp')`: a
/// Savitzky–Golay derivative of polynomial order `order` along the last axis (frames).
///
/// With `deriv == polyorder`, as librosa sets it, the derivative is the leading coefficient of a
/// least-squares polynomial fit times `order!`, a fixed linear filter over `width` frames. In
/// scipy's 'interp' mode the first and last `width/2` frames take the derivative of the
/// polynomial fitted to the first / last `width` frames, which for this derivative is the same
/// constant as the filter's value at frame `width/2` (resp. `T − 1 − width/2`).
///
///     let d1 = try Delta.compute(mfcc)              // Δ
///     let d2 = try Delta.compute(mfcc, order: 2)    // ΔΔ
public enum Delta {
    /// - Throws: `invalidArgument` when width is not an odd integer ≥ 3, order is not in
    ///   1..<width, or the last axis is shorter than width (librosa's 'interp' mode needs a full window).
    public static func compute(_ data: Tensor, width: Int = 9, order: Int = 1) throws -> Tensor {
        guard width >= 3, width % 2 == 1 else {
            throw PerceptError.invalidArgument(field: "width", "width=\(width) must be an odd integer >= 3")
        }
        guard order >= 1, order < width else {
            throw PerceptError.invalidArgument(field: "order", "order=\(order) must be a positive integer below width=\(width)")
        }
        guard data.rank >= 1 else { throw PerceptError.invalidArgument(field: "data", "delta needs at least one axis") }
        let t = data.shape[data.rank - 1]
        guard width <= t else {
            throw PerceptError.invalidArgument(field: "width", "when mode='interp', width=\(width) cannot exceed data.shape[axis]=\(t)")
        }
        let coeffs = filter(width: width, order: order)
        let half = width / 2
        let rows = data.count / t
        var out = [Float](repeating: 0, count: data.count)
        data.withUnsafeBufferPointer { x in
            for r in 0..<rows {
                let row = r * t
                var inner = [Float](repeating: 0, count: t)
                for c in half..<(t - half) {
                    var acc = 0.0
                    for j in 0..<width { acc += coeffs[j] * Double(x[row + c - half + j]) }
                    inner[c] = Float(acc)
                }
                for c in 0..<t { out[row + c] = inner[Swift.min(Swift.max(c, half), t - 1 - half)] }
            }
        }
        return Tensor(unchecked: data.shape, data: out)
    }

    /// The filter giving `order!` × the leading least-squares coefficient of a degree-`order`
    /// polynomial fitted to `width` consecutive samples (offsets −width/2 … width/2).
    static func filter(width: Int, order: Int) -> [Double] {
        let half = width / 2
        let points = (0..<width).map { Double($0 - half) }
        // Gram–Schmidt on 1, x, …, x^order: the last vector is the monic orthogonal polynomial q,
        // and the leading coefficient of the fit is <q, y> / <q, q>.
        var basis = [[Double]]()
        for d in 0...order {
            var v = points.map { pow($0, d) }
            for b in basis {
                let proj = zip(v, b).map(*).reduce(0, +) / b.map { $0 * $0 }.reduce(0, +)
                for i in 0..<width { v[i] -= proj * b[i] }
            }
            basis.append(v)
        }
        let q = basis[order]
        let norm = q.map { $0 * $0 }.reduce(0, +)
        let factorial = (1...order).reduce(1.0) { $0 * Double($1) }
        return q.map { factorial * $0 / norm }
    }

    private static func pow(_ x: Double, _ n: Int) -> Double {
        var r = 1.0
        for _ in 0..<n { r *= x }
        return r
    }
}
