import PerceptCore

/// `center_crop` (also `crop`): torchvision `CenterCrop(size)` of an image or spectrogram
/// `[C, H, W]` → `[C, h, w]`: the top-left corner at round((H − h) / 2), round((W − w) / 2) with
/// Python's round-half-to-even, and zeros around an input smaller than the crop (torchvision
/// pads it by ⌊(h − H) / 2⌋ on top and the rest below, likewise left and right).
///
///     let middle = try CenterCropStage(height: 24, width: 24).apply(digit)
public struct CenterCropStage: Transform {
    public static let name = "center_crop", summary = "the centred h × w region, as torchvision CenterCrop (zero-padded when larger): (C, h, w)"
    public static let accepts: [SampleKind] = [.image, .spectrogram]
    public static let aliases = ["crop"]
    public static let parameters = [
        ParameterSpec("size", .intPair, doc: "crop size: N (square) or [height, width] (required)"),
    ]

    public let height: Int, width: Int

    public init(_ params: Parameters) throws {
        (height, width) = try params.intPair("size", atLeast: 1)
    }

    public init(height: Int, width: Int) throws {
        try self.init(Self.parameters(["size": .of(height, width)]))
    }

    public func outputShape(for shape: SampleShape) throws -> SampleShape {
        try checkKind(shape)
        var out = shape
        out.dims[1] = height; out.dims[2] = width
        return try out.checkedFits(field: "\(Self.name).size")
    }

    /// Where crop row / column 0 sits in the input (negative: inside torchvision's padding).
    static func offset(_ n: Int, _ m: Int) -> Int {
        if m > n { return -((m - n) / 2) }
        return Int((Double(n - m) / 2).rounded(.toNearestOrEven))
    }

    public func apply(_ sample: Sample) throws -> Sample {
        _ = try outputShape(for: sample.shape)
        let s = sample.shape, (c, h, w) = (s.channels, s.height, s.width)
        let top = Self.offset(h, height), left = Self.offset(w, width)
        var data = [Float](repeating: 0, count: c * height * width)
        sample.data.withUnsafeBufferPointer { src in
            data.withUnsafeMutableBufferPointer { dst in
                let x0 = Swift.max(0, -left), x1 = Swift.min(width, w - left)
                guard x0 < x1 else { return }
                for ch in 0..<c {
                    for y in 0..<height {
                        let sy = y + top
                        guard sy >= 0, sy < h else { continue }
                        let from = src.baseAddress! + (ch * h + sy) * w + left + x0, to = dst.baseAddress! + (ch * height + y) * width + x0
                        to.update(from: from, count: x1 - x0)
                    }
                }
            }
        }
        var out = sample
        out.data = Tensor(unchecked: [c, height, width], data: data)
        return out
    }
}
