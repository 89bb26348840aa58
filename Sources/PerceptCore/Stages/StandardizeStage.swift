/// `standardize`: per-sample zero mean and unit variance, (x − mean) / max(std, eps) over every
/// value of the sample (population std, as `np.std`); a constant sample becomes zeros. Any kind,
/// shape unchanged.
///
///     let z = try StandardizeStage().apply(logMel)
public struct StandardizeStage: Transform {
    public static let name = "standardize", summary = "per-sample (x - mean) / max(std, eps) over all values: the same shape"
    public static let accepts: [SampleKind] = SampleKind.allCases
    public static let parameters = [
        ParameterSpec("eps", .float, default: 1e-8, doc: "smallest standard deviation divided by (> 0), so near-constant input is not blown up"),
    ]

    public let eps: Float

    public init(_ params: Parameters) throws {
        eps = try params.float("eps")
        guard eps > 0, eps.isFinite else { throw params.invalid("eps", "must be a finite number > 0, got \(Value.of(eps))") }
    }

    /// A nil eps takes the default of `parameters`.
    public init(eps: Float? = nil) throws {
        try self.init(Self.parameters(["eps": .given(eps)]))
    }

    public func outputShape(for shape: SampleShape) throws -> SampleShape { try checkKind(shape); return shape }

    public func apply(_ sample: Sample) throws -> Sample {
        try checkKind(sample.shape)
        let n = sample.data.count
        guard n > 0 else { return sample }
        // Two passes in Double: the one-pass formula loses the variance of large-offset inputs.
        let (mean, std) = sample.data.withUnsafeBufferPointer { b -> (Double, Double) in
            var sum = 0.0
            for v in b { sum += Double(v) }
            let m = sum / Double(n)
            var sq = 0.0
            for v in b { let d = Double(v) - m; sq += d * d }
            return (m, (sq / Double(n)).squareRoot())
        }
        let scale = 1 / Swift.max(std, Double(eps))
        var out = sample
        out.data.withUnsafeMutableBufferPointer { b in
            for i in 0..<n { b[i] = Float((Double(b[i]) - mean) * scale) }
        }
        return out
    }
}
