import PerceptCore

/// How pixels outside the image are invented, with OpenCV's names and rules.
///
/// `reflect101` (OpenCV's default, `gfedcb|abcdefgh|gfedcba`) mirrors without repeating the edge;
/// `reflect` (`fedcba|abcdefgh|hgfedcb`) repeats it; `replicate` (`aaaaaa|abcdefgh|hhhhhhh`)
/// copies the edge; `constant` reads zeros.
///
///     let gx = try Sobel.gx(image, border: .replicate)
public enum BorderMode: String, Sendable, CaseIterable {
    case reflect101, reflect, replicate, constant

    /// The in-range index that position `p` of a line of `n` pixels reads, or nil for
    /// `constant` outside the line (a zero). Same as OpenCV's `borderInterpolate`.
    ///
    ///     BorderMode.reflect101.index(-1, count: 5)   // 1
    @inlinable
    public func index(_ p: Int, count n: Int) -> Int? {
        if p >= 0 && p < n { return p }
        switch self {
        case .constant:
            return nil
        case .replicate:
            return p < 0 ? 0 : n - 1
        case .reflect, .reflect101:
            if n == 1 { return 0 }
            let delta = self == .reflect101 ? 1 : 0
            var q = p
            // Images narrower than the kernel need more than one bounce.
            repeat {
                q = q < 0 ? -q - 1 + delta : n - 1 - (q - n) - delta
            } while q < 0 || q >= n
            return q
        }
    }

    /// Parses the CLI spelling (`reflect101`, `reflect`, `replicate`, `constant`).
    ///
    ///     let b = BorderMode(name: "replicate")
    public init?(name: String) { self.init(rawValue: name) }
}
