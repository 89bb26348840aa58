import Foundation
import PerceptCore

/// TensorBoard's HistogramProto, built exactly as torch.utils.tensorboard's `add_histogram`
/// with its default `bins="tensorflow"`: numpy's histogram over the fixed exponential edges
/// ±1e-12·1.1^k (up to 1e20) and 0, then trimmed to the span of non-empty buckets plus one empty
/// bucket on the left (TensorBoard keeps only right edges). Values outside ±1e20 and NaN count
/// in `num` but in no bucket, as in numpy.
///
///     let h = try TensorBoardHistogram(values: [0.5, -1, 2])
///     h.bucketLimits.count == h.buckets.count   // true
public struct TensorBoardHistogram: Equatable, Sendable {
    public var min: Double
    public var max: Double
    public var num: Double
    public var sum: Double
    public var sumSquares: Double
    /// Right edge of each bucket.
    public var bucketLimits: [Double]
    /// Count of each bucket (as doubles, like the proto).
    public var buckets: [Double]

    /// torch's `SummaryWriter.default_bins`: computed with the same repeated multiplication by
    /// 1.1 in doubles, so the edges are bit-identical.
    public static let defaultEdges: [Double] = {
        var positive: [Double] = []
        var v = 1e-12
        while v < 1e20 {
            positive.append(v)
            v *= 1.1
        }
        return positive.reversed().map { -$0 } + [0] + positive
    }()

    public init(min: Double, max: Double, num: Double, sum: Double, sumSquares: Double,
                bucketLimits: [Double], buckets: [Double]) {
        self.min = min
        self.max = max
        self.num = num
        self.sum = sum
        self.sumSquares = sumSquares
        self.bucketLimits = bucketLimits
        self.buckets = buckets
    }

    /// Throws when no value lands in a bucket (no values, or all NaN or beyond ±1e20), where
    /// torch raises too.
    public init(values: [Float]) throws {
        try self.init(values: values.withUnsafeBufferPointer { Self.tally($0) })
    }

    public init(values: UnsafeBufferPointer<Float>) throws {
        try self.init(values: Self.tally(values))
    }

    /// Counts per default bucket plus the summary statistics, with no allocation per value.
    private struct Tally {
        var counts: [Int]
        var min = Double.infinity, max = -Double.infinity, sum = 0.0, sumSquares = 0.0
        var num = 0
        var sawNaN = false

        /// Adds a later chunk's tally (chunks merge in order, so the sums do not depend on threads).
        mutating func merge(_ o: Tally) {
            for i in counts.indices { counts[i] += o.counts[i] }
            min = Swift.min(min, o.min); max = Swift.max(max, o.max)
            sum += o.sum; sumSquares += o.sumSquares; num += o.num
            sawNaN = sawNaN || o.sawNaN
        }
    }

    /// Values per chunk tallied on one thread: fixed, so the result is the same for any thread count.
    static let chunk = 1 << 16

    private static func tally(_ values: UnsafeBufferPointer<Float>) -> Tally {
        let chunks = Swift.max(1, (values.count + chunk - 1) / chunk)
        var parts = [Tally](repeating: Tally(counts: []), count: chunks)
        parts.withUnsafeMutableBufferPointer { out in
            Parallel.forEach(count: chunks) { k in
                let lo = k * chunk, hi = Swift.min(values.count, lo + chunk)
                out[k] = tallyChunk(UnsafeBufferPointer(rebasing: values[lo..<hi]))
            }
        }
        var t = parts[0]
        for p in parts.dropFirst() { t.merge(p) }
        if t.sawNaN {
            t.min = .nan
            t.max = .nan
            t.sum = .nan
            t.sumSquares = .nan
        }
        return t
    }

    private static func tallyChunk(_ values: UnsafeBufferPointer<Float>) -> Tally {
        let edges = defaultEdges
        var t = Tally(counts: [Int](repeating: 0, count: edges.count - 1))
        t.num = values.count
        edges.withUnsafeBufferPointer { e in
            t.counts.withUnsafeMutableBufferPointer { counts in
                let last = e.count - 1
                for value in values {
                    let x = Double(value)
                    if x.isNaN {
                        t.sawNaN = true
                        continue
                    }
                    t.min = Swift.min(t.min, x)
                    t.max = Swift.max(t.max, x)
                    t.sum += x
                    t.sumSquares += x * x
                    guard x >= e[0] && x <= e[last] else { continue }
                    counts[bucket(x, e)] += 1
                }
            }
        }
        return t
    }

    /// The bucket of `x` (within the edges) as numpy finds it: bin i holds e[i] <= x < e[i+1], the
    /// last bin also x == e[last]. The edges are ±1e-12 · 1.1^k, so a logarithm lands within a bin
    /// or two and a short walk over the real edges makes it exact — a layer of millions of weights
    /// is tallied every epoch, where a binary search per value took most of the logging time.
    @inline(__always)
    static func bucket(_ x: Double, _ e: UnsafeBufferPointer<Double>) -> Int {
        let last = e.count - 1, zero = last / 2   // e[zero] == 0; e[zero + 1 + k] = b_k, e[zero - 1 - k] = -b_k
        let a = Swift.abs(x)
        var k = a < 1e-12 ? -1 : Int(Foundation.log(a / 1e-12) / logStep)
        k = Swift.min(Swift.max(k, -1), zero - 1)
        var i = x >= 0 ? zero + 1 + k : zero - 2 - k
        i = Swift.min(Swift.max(i, 0), last - 1)
        while i > 0 && e[i] > x { i -= 1 }
        while i < last - 1 && e[i + 1] <= x { i += 1 }
        return i
    }

    private static let logStep = Foundation.log(1.1)

    private init(values t: Tally) throws {
        guard let first = t.counts.firstIndex(where: { $0 > 0 }),
              let last = t.counts.lastIndex(where: { $0 > 0 }) else {
            throw PerceptError.invalidArgument(field: "values", "histogram of \(t.num) values has none within ±1e20 (empty, NaN or infinite)")
        }
        let edges = Self.defaultEdges
        // torch keeps the bucket left of the first non-empty one (or an empty one at the very left).
        let counts = first > 0 ? Array(t.counts[(first - 1)...last]) : [0] + t.counts[0...last]
        self.init(min: t.min, max: t.max, num: Double(t.num), sum: t.sum, sumSquares: t.sumSquares,
                  bucketLimits: Array(edges[first...(last + 1)]), buckets: counts.map(Double.init))
    }

    /// The HistogramProto message bytes (fields 1–7).
    public func encoded() -> [UInt8] {
        var w = ProtobufWriter()
        w.writeDoubleIfNonZero(field: 1, min)
        w.writeDoubleIfNonZero(field: 2, max)
        w.writeDoubleIfNonZero(field: 3, num)
        w.writeDoubleIfNonZero(field: 4, sum)
        w.writeDoubleIfNonZero(field: 5, sumSquares)
        w.writePackedDoubles(field: 6, bucketLimits)
        w.writePackedDoubles(field: 7, buckets)
        return w.bytes
    }
}
