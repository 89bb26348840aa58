import RealModule

/// A counter-based random stream (Philox-4x32-10), seeded and splittable.
///
/// The stream for "sample i of epoch e under seed s" is `RandomStream(seed: s).split(e).split(i)`:
/// it depends only on those numbers, never on thread count or on what other streams drew,
/// which makes augmentation and shuffling reproducible across runs and machines.
///
///     var rng = RandomStream(seed: 42).split(epoch).split(sampleIndex); let u = rng.uniform()
public struct RandomStream: RandomNumberGenerator, Sendable, Equatable {
    /// The Philox key (derived from the seed and the split path).
    public let key: (UInt32, UInt32)
    /// Position in the stream: counts 128-bit blocks drawn so far.
    public private(set) var counter: UInt64 = 0
    private var buffer: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
    private var buffered = 0

    public init(seed: UInt64) {
        let k = RandomStream.mix(seed)
        key = (UInt32(truncatingIfNeeded: k), UInt32(truncatingIfNeeded: k >> 32))
    }

    private init(keyBits: UInt64) {
        key = (UInt32(truncatingIfNeeded: keyBits), UInt32(truncatingIfNeeded: keyBits >> 32))
    }

    public static func == (a: RandomStream, b: RandomStream) -> Bool {
        a.key == b.key && a.counter == b.counter && a.buffered == b.buffered
    }

    /// An independent child stream, a pure function of this stream's key and `index`.
    public func split(_ index: UInt64) -> RandomStream {
        let parent = UInt64(key.0) | (UInt64(key.1) << 32)
        return RandomStream(keyBits: RandomStream.mix(parent ^ RandomStream.mix(index &+ 0x9E37_79B9_7F4A_7C15)))
    }

    public func split(_ index: Int) -> RandomStream { split(UInt64(bitPattern: Int64(index))) }

    /// SplitMix64 finaliser: a bijective mixer used for key derivation.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Philox-4x32 with 10 rounds on (counter, 0) under `key`.
    static func philox(_ ctr: UInt64, _ key: (UInt32, UInt32)) -> (UInt32, UInt32, UInt32, UInt32) {
        var c0 = UInt32(truncatingIfNeeded: ctr), c1 = UInt32(truncatingIfNeeded: ctr >> 32)
        var c2: UInt32 = 0, c3: UInt32 = 0
        var k0 = key.0, k1 = key.1
        for _ in 0..<10 {
            let p0 = UInt64(0xD251_1F53) &* UInt64(c0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(c2)
            let n0 = UInt32(truncatingIfNeeded: p1 >> 32) ^ c1 ^ k0
            let n1 = UInt32(truncatingIfNeeded: p1)
            let n2 = UInt32(truncatingIfNeeded: p0 >> 32) ^ c3 ^ k1
            let n3 = UInt32(truncatingIfNeeded: p0)
            c0 = n0; c1 = n1; c2 = n2; c3 = n3
            k0 = k0 &+ 0x9E37_79B9
            k1 = k1 &+ 0xBB67_AE85
        }
        return (c0, c1, c2, c3)
    }

    public mutating func nextUInt32() -> UInt32 {
        if buffered == 0 {
            buffer = RandomStream.philox(counter, key)
            counter &+= 1
            buffered = 4
        }
        buffered -= 1
        switch buffered {
        case 3: return buffer.0
        case 2: return buffer.1
        case 1: return buffer.2
        default: return buffer.3
        }
    }

    public mutating func next() -> UInt64 {
        UInt64(nextUInt32()) | (UInt64(nextUInt32()) << 32)
    }

    /// Uniform in [0, 1) with 24 random bits (every value exactly representable as Float).
    public mutating func uniform() -> Float {
        Float(nextUInt32() >> 8) * (1.0 / 16_777_216.0)
    }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * uniform()
    }

    /// Standard normal by Box–Muller (one value per call; deterministic given the stream).
    public mutating func normal(mean: Float = 0, std: Float = 1) -> Float {
        let u1 = Double(nextUInt32() >> 8 + 1) * (1.0 / 16_777_217.0)   // (0, 1]
        let u2 = Double(nextUInt32() >> 8) * (1.0 / 16_777_216.0)
        let r = (-2.0 * _log(u1)).squareRoot()
        return mean + std * Float(r * _cos(2.0 * Double.pi * u2))
    }

    /// Uniform integer in 0..<n.
    public mutating func int(below n: Int) -> Int {
        precondition(n > 0)
        return Int(next(upperBound: UInt64(n)))
    }

    /// True with probability `p`.
    public mutating func bernoulli(_ p: Float) -> Bool { uniform() < p }

    /// A Fisher–Yates permutation of 0..<n.
    public mutating func permutation(_ n: Int) -> [Int] {
        var idx = Array(0..<n)
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) { idx.swapAt(i, int(below: i + 1)) }
        }
        return idx
    }
}

@inline(__always) func _log(_ x: Double) -> Double { Double.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Double.cos(x) }
