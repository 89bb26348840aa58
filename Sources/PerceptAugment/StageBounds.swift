import PerceptCore

/// The documented upper bounds on stage options that size memory or work (docs/augment.md,
/// "Bounds"): a stage rejects a value beyond them when it is built, before any input is read,
/// with one line naming the field. Sizes that also depend on the input (a padded crop of a given
/// image) are checked again, with overflow-checked arithmetic, in `outputShape(for:)`.
///
///     let side = try params.int("height", within: 1...StageBounds.maxSide)
public enum StageBounds {
    /// Largest image side an option may ask for (a crop or resize size, a padding): 65535,
    /// the most a PNG decoder accepts per side.
    public static let maxSide = 65_535
    /// Largest number of values (C × H × W) a stage may make from its size options: 2²⁷,
    /// 512 MiB of Float32 per sample.
    public static let maxValues = 1 << 27
    /// Largest count of rectangles or masks one application draws (`num_holes_range`, `num_masks`).
    public static let maxCount = 1_000
    /// Largest spectrogram band or warp in bins / frames (`freq_mask_param`, `time_mask_param`,
    /// `window`): 2²⁴, the largest integer a Float32 draw holds exactly.
    public static let maxBand = 1 << 24
    /// Largest Gaussian sigma in pixels: OpenCV sizes a kernel from sigma as round(8σ + 1) | 1 taps,
    /// so 31.75 keeps that kernel within `blur_limit`'s 255.
    public static let maxSigma: Float = 31.75
    /// Range of gains and SNRs in dB (±120 dB is a factor of 10⁶ in amplitude; Float32 ends near 770 dB).
    public static let decibels: ClosedRange<Float> = -120...120
    /// Range of aspect ratios (`ratio` of the random crops and erasing).
    public static let ratio: ClosedRange<Float> = 0.001...1000

    /// `x` rounded to the nearest Int, clamped to ±2⁶² (NaN → 0), so a draw never traps on conversion.
    ///
    ///     StageBounds.int(1e30)   // 4611686018427387904
    static func int(_ x: Double) -> Int {
        guard !x.isNaN else { return 0 }
        let limit = Double(1 << 62)
        return Int(Swift.min(limit, Swift.max(-limit, x.rounded())))
    }

    /// `x` truncated toward zero like `Int(x)`, clamped to ±2⁶² (NaN → 0).
    static func truncated(_ x: Float) -> Int {
        guard !x.isNaN else { return 0 }
        let limit = Float(1 << 62)
        return Int(Swift.min(limit, Swift.max(-limit, x)))
    }

    /// `a × b × …` of sizes, or nil when the product overflows an Int.
    ///
    ///     StageBounds.product([3, 224, 224])   // 150528
    static func product(_ sizes: [Int]) -> Int? { ResourceLimits.bytes(sizes, elementSize: 1) }

    /// Throws (naming `field` of `params`) unless an output of `dims` holds at most `maxValues` values.
    static func checkOutput(_ dims: [Int], _ params: Parameters, field: String) throws {
        guard let n = product(dims), n <= maxValues else {
            throw params.invalid(field, "an output of \(dims.map(String.init).joined(separator: " × ")) values is more than the \(maxValues) allowed (docs/augment.md, Bounds)")
        }
    }
}
