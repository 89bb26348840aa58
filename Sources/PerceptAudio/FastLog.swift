/// Natural logarithm of positive, normal, finite floats, written with plain arithmetic so the
/// compiler can vectorise loops over it (libm's `log10f` is a call per element).
///
/// The reduction and polynomial are musl's `logf` (from FreeBSD's e_logf.c), accurate to
/// about 1 ulp; callers handle zero, subnormal, infinite and NaN inputs themselves.
///
///     FastLog.ln(2.5)   // 0.9162907
enum FastLog {
    private static let ln2Hi: Float = 6.9313812256e-01
    private static let ln2Lo: Float = 9.0580006145e-06
    private static let lg1: Float = 0.66666662693
    private static let lg2: Float = 0.40000972152
    private static let lg3: Float = 0.28498786688
    private static let lg4: Float = 0.24279078841

    @inline(__always)
    static func ln(_ x: Float) -> Float {
        // x = 2^k · (1 + f) with 1 + f in [√2/2, √2).
        var ix = x.bitPattern &+ (0x3f80_0000 &- 0x3f35_04f3)
        let k = Int32(bitPattern: ix >> 23) &- 0x7f
        ix = (ix & 0x007f_ffff) &+ 0x3f35_04f3
        let f = Float(bitPattern: ix) - 1
        let s = f / (2 + f)
        let z = s * s
        let w = z * z
        let t1 = w * (lg2 + w * lg4)
        let t2 = z * (lg1 + w * lg3)
        let r = t2 + t1
        let hfsq = 0.5 * f * f
        let dk = Float(k)
        return s * (hfsq + r) + dk * ln2Lo - hfsq + f + dk * ln2Hi
    }
}
