import PerceptCore

/// Fast bulk standard-normal noise, a pure function of a 32-bit seed: Philox-4x32-10 blocks
/// (the same blocks `RandomStream(seed:)` yields) turned into normals by Box–Muller with
/// polynomial log / sin / cos in plain IEEE arithmetic, eight lanes at a time. No libm call
/// and no reduction, so the values are bit-identical on every machine and vector width.
///
///     GaussianField.add(to: pointer, count: n, seed: 7, mean: 0, std: 0.1)
enum GaussianField {
    typealias V = SIMD8<Float>
    typealias U = SIMD8<UInt32>

    /// 32 normals from Philox blocks `block ..< block + 8` (lane-major: values k·8 + lane).
    @inline(__always)
    static func chunk(_ block: UInt64, _ key: (UInt32, UInt32)) -> (V, V, V, V) {
        var c0 = U(repeating: 0), c1 = U(repeating: UInt32(truncatingIfNeeded: block >> 32))
        var c2 = U(repeating: 0), c3 = U(repeating: 0)
        let lo = UInt32(truncatingIfNeeded: block)
        for l in 0..<8 { c0[l] = lo &+ UInt32(l) }
        // A carry past 2^32 between lanes is handled by the scalar path (see `fill`).
        var k0 = key.0, k1 = key.1
        let m0 = SIMD8<UInt64>(repeating: 0xD251_1F53), m1 = SIMD8<UInt64>(repeating: 0xCD9E_8D57)
        for _ in 0..<10 {
            let p0 = SIMD8<UInt64>(truncatingIfNeeded: c0) &* m0
            let p1 = SIMD8<UInt64>(truncatingIfNeeded: c2) &* m1
            let n0 = U(truncatingIfNeeded: p1 &>> 32) ^ c1 ^ U(repeating: k0)
            let n1 = U(truncatingIfNeeded: p1)
            let n2 = U(truncatingIfNeeded: p0 &>> 32) ^ c3 ^ U(repeating: k1)
            let n3 = U(truncatingIfNeeded: p0)
            c0 = n0; c1 = n1; c2 = n2; c3 = n3
            k0 = k0 &+ 0x9E37_79B9
            k1 = k1 &+ 0xBB67_AE85
        }
        let (ca, sa, ra) = boxMuller(c0, c1)
        let (cb, sb, rb) = boxMuller(c2, c3)
        return (ra * ca, ra * sa, rb * cb, rb * sb)
    }

    /// cos θ, sin θ and r = √(−2 ln u1) for u1 ∈ (0, 1], θ = 2π u2 (24-bit uniforms).
    @inline(__always)
    static func boxMuller(_ x: U, _ y: U) -> (V, V, V) {
        // The shifted values are < 2^24, so the signed conversion is exact (and one instruction).
        let u1 = V(SIMD8<Int32>(truncatingIfNeeded: x &>> 8 &+ 1)) * V(repeating: 1.0 / 16_777_216.0)   // (0, 1]
        let t = V(SIMD8<Int32>(truncatingIfNeeded: y &>> 8)) * V(repeating: 4.0 / 16_777_216.0)         // 4·u2 ∈ [0, 4)
        let r = squareRoot(V(repeating: -2) * log(u1))
        // Round t to the nearest integer q with the 1.5·2^23 trick; q mod 4 sits in the low bits.
        let big = t + V(repeating: 12_582_912)
        let q = big - V(repeating: 12_582_912)
        let phi = (t - q) * V(repeating: Float.pi / 2)                        // [−π/4, π/4]
        let z = phi * phi
        var s = V(repeating: -1.9515295891e-4) * z + V(repeating: 8.3321608736e-3)
        s = s * z - V(repeating: 1.6666654611e-1)
        s = s * z * phi + phi
        var c = V(repeating: 2.443315711809948e-5) * z - V(repeating: 1.388731625493765e-3)
        c = c * z + V(repeating: 4.166664568298827e-2)
        c = c * z * z - V(repeating: 0.5) * z + V(repeating: 1)
        // Quadrant q mod 4 rotates (cos φ, sin φ) by q·π/2: odd q swaps them (cos ← −sin),
        // q ≥ 2 negates both.
        let qi = unsafeBitCast(big, to: SIMD8<Int32>.self) & SIMD8<Int32>(repeating: 3)
        let odd = (qi & SIMD8<Int32>(repeating: 1)) .!= SIMD8<Int32>(repeating: 0)
        let high = qi .>= SIMD8<Int32>(repeating: 2)
        var cosT = c.replacing(with: -s, where: odd)
        var sinT = s.replacing(with: c, where: odd)
        cosT = cosT.replacing(with: -cosT, where: high)
        sinT = sinT.replacing(with: -sinT, where: high)
        return (cosT, sinT, r)
    }

    /// √x for x ≥ 0 by a bit-level reciprocal-root guess and three Newton steps: plain IEEE
    /// arithmetic (the library square root is a call per lane here), relative error < 1e-6.
    @inline(__always)
    static func squareRoot(_ x: V) -> V {
        let bits = unsafeBitCast(x, to: U.self)
        var y = unsafeBitCast(U(repeating: 0x5F37_59DF) &- (bits &>> 1), to: V.self)
        let half = V(repeating: 0.5) * x, threeHalves = V(repeating: 1.5)
        y = y * (threeHalves - half * y * y)
        y = y * (threeHalves - half * y * y)
        y = y * (threeHalves - half * y * y)
        return x * y
    }

    /// Natural log for x ∈ (0, 1] (Cephes logf polynomial, ~1 ulp).
    @inline(__always)
    static func log(_ x: V) -> V {
        let bits = unsafeBitCast(x, to: U.self)
        var e = V(SIMD8<Int32>(truncatingIfNeeded: bits &>> 23) &- SIMD8<Int32>(repeating: 126))
        var m = unsafeBitCast((bits & U(repeating: 0x007F_FFFF)) | U(repeating: 0x3F00_0000), to: V.self)   // [0.5, 1)
        let small = m .< V(repeating: 0.707106781186547524)
        e = e.replacing(with: e - 1, where: small)
        m = m.replacing(with: m + m - 1, where: small)
        m = m.replacing(with: m - 1, where: .!small)
        let z = m * m
        var y = V(repeating: 7.0376836292e-2) * m - V(repeating: 1.1514610310e-1)
        y = y * m + V(repeating: 1.1676998740e-1)
        y = y * m - V(repeating: 1.2420140846e-1)
        y = y * m + V(repeating: 1.4249322787e-1)
        y = y * m - V(repeating: 1.6668057665e-1)
        y = y * m + V(repeating: 2.0000714765e-1)
        y = y * m - V(repeating: 2.4999993993e-1)
        y = y * m + V(repeating: 3.3333331174e-1)
        y = y * m * z
        y = y + V(repeating: -2.12194440e-4) * e
        y = y - V(repeating: 0.5) * z
        return m + y + V(repeating: 0.693359375) * e
    }

    /// Writes `count` normals N(mean, std²) to `p`, plus `source[i]` when a source is given
    /// (`source` may equal `p`).
    static func generate(_ p: UnsafeMutablePointer<Float>, count: Int, seed: UInt32, mean: Float, std: Float, source: UnsafePointer<Float>?) {
        let key = RandomStream(seed: UInt64(seed)).key
        let vm = V(repeating: mean), vs = V(repeating: std)
        var i = 0
        var block: UInt64 = 0
        var tmp = (V(), V(), V(), V())
        while i < count {
            tmp = chunk(block, key)
            if UInt32(truncatingIfNeeded: block) > UInt32.max - 7 {
                // Lanes would wrap the low counter word; recompute them one block at a time.
                for l in 0..<8 {
                    let one = chunk(block + UInt64(l), key)
                    tmp.0[l] = one.0[0]; tmp.1[l] = one.1[0]; tmp.2[l] = one.2[0]; tmp.3[l] = one.3[0]
                }
            }
            block += 8
            for k in 0..<4 where i < count {
                let v = k == 0 ? tmp.0 : k == 1 ? tmp.1 : k == 2 ? tmp.2 : tmp.3
                let n = Swift.min(8, count - i)
                let val = v * vs + vm
                if n == 8 {
                    let raw = UnsafeMutableRawPointer(p + i)
                    if let source {
                        raw.storeBytes(of: UnsafeRawPointer(source + i).loadUnaligned(as: V.self) + val, as: V.self)
                    } else {
                        raw.storeBytes(of: val, as: V.self)
                    }
                } else {
                    for l in 0..<n { p[i + l] = (source?[i + l] ?? 0) + val[l] }
                }
                i += n
            }
        }
    }

    /// Adds N(mean, std²) noise to `count` floats.
    static func add(to p: UnsafeMutablePointer<Float>, count: Int, seed: UInt32, mean: Float = 0, std: Float) {
        generate(p, count: count, seed: seed, mean: mean, std: std, source: UnsafePointer(p))
    }

    /// dst ← src + N(mean, std²) noise.
    static func add(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, count: Int, seed: UInt32, mean: Float = 0, std: Float) {
        generate(dst, count: count, seed: seed, mean: mean, std: std, source: src)
    }

    /// `count` normals N(mean, std²) as an array (tests, background of noise-only stages).
    static func values(count: Int, seed: UInt32, mean: Float = 0, std: Float = 1) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buf, n in
            if let b = buf.baseAddress { generate(b, count: count, seed: seed, mean: mean, std: std, source: nil) }
            n = count
        }
    }
}
