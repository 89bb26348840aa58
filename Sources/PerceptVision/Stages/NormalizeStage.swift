import PerceptCore

/// `normalize`: torchvision `Normalize(mean, std)` — channel c becomes (x − mean[c]) / std[c];
/// a one-item list applies to every channel. Image or spectrogram `[C, H, W]`, shape unchanged.
///
///     let x = try NormalizeStage(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]).apply(rgb)
public struct NormalizeStage: Transform {
    public static let name = "normalize", summary = "per-channel (x - mean[c]) / std[c], as torchvision Normalize: the same shape"
    public static let accepts: [SampleKind] = [.image, .spectrogram]
    public static let parameters = [
        ParameterSpec("mean", .list, doc: "one mean per channel, or one for all (required)"),
        ParameterSpec("std", .list, doc: "one standard deviation per channel, or one for all; each ≠ 0 (required)"),
    ]

    public let mean: [Float], std: [Float]

    public init(_ params: Parameters) throws {
        func numbers(_ name: String) throws -> [Float] {
            let items = params.list(name)
            guard !items.isEmpty else { throw params.invalid(name, "is required") }
            return try items.map { v in
                guard let f = Parameters.float(v), f.isFinite else { throw params.invalid(name, "'\(v)' is not a finite number") }
                return f
            }
        }
        mean = try numbers("mean"); std = try numbers("std")
        if std.contains(0) { throw params.invalid("std", "a standard deviation of 0 divides by zero") }
    }

    public init(mean: [Float], std: [Float]) throws {
        try self.init(Self.parameters(["mean": Value(.list(mean.map(Value.of))), "std": Value(.list(std.map(Value.of)))]))
    }

    public func outputShape(for shape: SampleShape) throws -> SampleShape {
        try checkKind(shape)
        for (name, list) in [("mean", mean), ("std", std)] where list.count != 1 && list.count != shape.channels {
            throw PerceptError.invalidArgument(field: "\(Self.name).\(name)",
                                               "has \(list.count) values for \(shape.channels) channel\(shape.channels == 1 ? "" : "s") (give one per channel, or one)")
        }
        return shape
    }

    public func apply(_ sample: Sample) throws -> Sample {
        let s = try outputShape(for: sample.shape)
        let plane = s.height * s.width
        var out = sample
        out.data.withUnsafeMutableBufferPointer { b in
            for c in 0..<s.channels {
                // Multiplying by 1/std would round differently from torchvision's division.
                let m = mean[mean.count == 1 ? 0 : c], d = std[std.count == 1 ? 0 : c], p = b.baseAddress! + c * plane
                for i in 0..<plane { p[i] = (p[i] - m) / d }
            }
        }
        return out
    }
}
