/// `standardize`: per-sample zero mean and unit variance, (x − mean) / max(std, eps) over every
/// value of the sample (population std, as `np.std`), or with `per_row` over each row of the last
/// axis separately — each frequency or coefficient of a spectrogram over time, cepstral mean and
/// variance normalisation for MFCCs (`np.std(x, axis=-1, keepdims=True)`). A constant sample or row
/// becomes zeros. Any kind, shape unchanged.
///
///     let z = try StandardizeStage().apply(logMel)
public struct StandardizeStage: Transform {
    public static let name = "standardize", summary = "per-sample (x - mean) / max(std, eps) over all values: the same shape"
    public static let accepts: [SampleKind] = SampleKind.allCases
    public static let parameters = [
        ParameterSpec("eps", .float, default: 1e-8, doc: "smallest standard deviation divided by (> 0), so near-constant input is not blown up"),
        ParameterSpec("per_row", .bool, default: false, doc: "standardise each row of the last axis on its own (per frequency / coefficient over time)"),
    ]

    public let eps: Float
    public let perRow: Bool

    public init(_ params: Parameters) throws {
        perRow = try params.bool("per_row")
        eps = try params.float("eps")
        guard eps > 0, eps.isFinite else { throw params.invalid("eps", "must be a finite number > 0, got \(Value.of(eps))") }
    }

    /// Nil options take the defaults of `parameters`.
    public init(eps: Float? = nil, perRow: Bool? = nil) throws {
        try self.init(Self.parameters(["eps": .given(eps), "per_row": .given(perRow)]))
    }

    public func outputShape(for shape: SampleShape) throws -> SampleShape { try checkKind(shape); return shape }

    public func apply(_ sample: Sample) throws -> Sample {
        try checkKind(sample.shape)
        let n = sample.data.count
        guard n > 0 else { return sample }
        let row = perRow ? sample.data.shape[sample.data.rank - 1] : n
        var out = sample
        out.data.withUnsafeMutableBufferPointer { b in
            var start = 0
            while start < n {
                // Two passes in Double: the one-pass formula loses the variance of large-offset inputs.
                var sum = 0.0
                for i in start..<(start + row) { sum += Double(b[i]) }
                let mean = sum / Double(row)
                var sq = 0.0
                for i in start..<(start + row) { let d = Double(b[i]) - mean; sq += d * d }
                let scale = 1 / Swift.max((sq / Double(row)).squareRoot(), Double(eps))
                for i in start..<(start + row) { b[i] = Float((Double(b[i]) - mean) * scale) }
                start += row
            }
        }
        return out
    }
}
