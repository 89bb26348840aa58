/// How `STFT` extends the signal at both ends when frames are centred: the `numpy.pad` modes
/// librosa.stft accepts that need no statistics.
///
///     PadMode.reflect.value(at: -2, in: [1, 2, 3, 4])   // 3, as np.pad(..., 'reflect')
public enum PadMode: String, Sendable, CaseIterable {
    /// Zeros (librosa's default, `pad_mode='constant'`).
    case constant
    /// Mirror about the edge sample, not repeating it (`reflect`).
    case reflect
    /// Mirror including the edge sample (`symmetric`).
    case symmetric
    /// Repeat the edge sample (`edge`).
    case edge

    /// The index numpy's pad reads for position `i` (relative to the first sample, may be
    /// negative or past the end) of `n` samples; nil for `constant` outside them. numpy repeats a
    /// reflection as often as the pad needs, which is a periodic extension; a single sample
    /// reflects as `edge`.
    ///
    ///     PadMode.reflect.index(-2, count: 4)   // 2
    @inline(__always)
    public func index(_ i: Int, count n: Int) -> Int? {
        if i >= 0 && i < n { return i }
        switch self {
        case .constant:
            return nil
        case .edge:
            return i < 0 ? 0 : n - 1
        case .reflect:
            if n == 1 { return 0 }
            let period = 2 * (n - 1)
            var j = i % period
            if j < 0 { j += period }
            return j < n ? j : period - j
        case .symmetric:
            let period = 2 * n
            var j = i % period
            if j < 0 { j += period }
            return j < n ? j : period - 1 - j
        }
    }

    /// The value numpy's pad puts at index `i` of `x` (0 outside it for `constant`).
    @inline(__always)
    public func value(at i: Int, in x: UnsafeBufferPointer<Float>) -> Float {
        index(i, count: x.count).map { x[$0] } ?? 0
    }

    public func value(at i: Int, in x: [Float]) -> Float {
        x.withUnsafeBufferPointer { value(at: i, in: $0) }
    }

    /// `x` padded with `left` and `right` samples, as `np.pad(x, (left, right), mode)`.
    public func pad(_ x: UnsafeBufferPointer<Float>, left: Int, right: Int) -> [Float] {
        var out = [Float](repeating: 0, count: left + x.count + right)
        for i in 0..<out.count { out[i] = value(at: i - left, in: x) }
        return out
    }
}
