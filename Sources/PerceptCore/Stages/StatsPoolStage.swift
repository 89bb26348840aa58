/// `stats_pool`: statistics of every row over the last (time) axis, concatenated stat-major — the
/// fixed-length summary a librosa user makes of a variable-length feature,
/// `np.concatenate([mfcc.mean(axis=-1).ravel(), mfcc.std(axis=-1).ravel()])`. A spectrogram
/// `[C, F, T]` (or audio `[C, N]`) becomes a vector `[C·F·len(stats)]`: first every row's first
/// statistic (rows in row-major order, channel then frequency), then every row's second, and so on.
/// `std` is numpy's population standard deviation (ddof 0). Sums are in Double, so a float32 input
/// gives numpy's float64 result rounded once.
///
///     let v = try StatsPoolStage(stats: [.mean, .std]).apply(mfccs)   // [1, 13, 101] → [26]
public struct StatsPoolStage: Transform {
    /// One statistic over time.
    public enum Statistic: String, Sendable, CaseIterable, OptionValue {
        case mean, std, max, min
    }

    public static let name = "stats_pool", summary = "statistics of each row over time (last axis), stat-major: a vector (C·F·len(stats))"
    public static let accepts: [SampleKind] = [.spectrogram, .audio]
    public static let parameters = [
        ParameterSpec("stats", .list, default: ["mean", "std"], choices: Statistic.allCases.map(\.rawValue),
                      doc: "statistics over time, concatenated in this order (std: population, ddof 0)"),
    ]

    public let stats: [Statistic]

    public init(_ params: Parameters) throws {
        // Parameters has already checked every item is a choice.
        stats = params.list("stats").compactMap { $0.scalarText.flatMap(Statistic.init(rawValue:)) }
        guard !stats.isEmpty else { throw params.invalid("stats", "needs at least one of \(Statistic.allCases.map(\.rawValue).joined(separator: ", "))") }
    }

    /// Nil takes the default, mean then std.
    public init(stats: [Statistic]? = nil) throws {
        try self.init(Self.parameters(["stats": stats.map { Value(.list($0.map(\.optionValue))) } ?? nil]))
    }

    public func outputShape(for shape: SampleShape) throws -> SampleShape {
        try checkKind(shape)
        guard shape.width >= 1 else {
            throw PerceptError.invalidArgument(field: Self.name, "needs at least one time step, got shape \(shape.dims)")
        }
        let rows = Tensor.count(of: shape.dims) / shape.width
        return SampleShape(kind: .vector, dims: [rows * stats.count])
    }

    public func apply(_ sample: Sample) throws -> Sample {
        let out = try outputShape(for: sample.shape)
        let t = sample.shape.width, rows = sample.data.count / t
        var result = [Float](repeating: 0, count: out.dims[0])
        let needsStd = stats.contains(.std)
        sample.data.withUnsafeBufferPointer { src in
            for r in 0..<rows {
                let row = UnsafeBufferPointer(rebasing: src[(r * t)..<((r + 1) * t)])
                // Two passes in Double, as np.std: the one-pass formula loses the variance of large-offset rows.
                var sum = 0.0, lo = row[0], hi = row[0]
                for v in row { sum += Double(v); lo = Swift.min(lo, v); hi = Swift.max(hi, v) }
                let mean = sum / Double(t)
                var sq = 0.0
                if needsStd { for v in row { let d = Double(v) - mean; sq += d * d } }
                for (k, s) in stats.enumerated() {
                    let value: Float
                    switch s {
                    case .mean: value = Float(mean)
                    case .std: value = Float((sq / Double(t)).squareRoot())
                    case .max: value = hi
                    case .min: value = lo
                    }
                    result[k * rows + r] = value
                }
            }
        }
        return try Sample(vector: Tensor(unchecked: [result.count], data: result))
    }
}
