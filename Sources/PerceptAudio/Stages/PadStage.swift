import PerceptCore

/// `pad`: pads up to a size with a `numpy.pad` mode, never trims. Images and spectrograms
/// `[C, H, W]` are padded to at least `[C, h, w]`, audio `[C, n]` to at least `[C, size]`; an axis
/// already that long is left as it is (albumentations `PadIfNeeded`). `position: center` puts
/// ⌊missing / 2⌋ before and the rest after (`librosa.util.pad_center`), `end` puts it all after.
/// (It lives beside the audio stages because numpy's pad modes, `PadMode`, do.)
///
///     let square = try PadStage(height: 32, width: 32, mode: "reflect").apply(digit)
public struct PadStage: Transform {
    public static let name = "pad", summary = "pad up to a size (never trims) with numpy.pad's constant, reflect, edge or symmetric"
    public static let accepts: [SampleKind] = [.image, .spectrogram, .audio]
    public static let parameters = [
        ParameterSpec("size", .intPair, doc: "smallest size: [height, width] (or N, square) for images and spectrograms, frames for audio (required)"),
        ParameterSpec("mode", .choice, default: "constant", choices: PadMode.allCases.map(\.rawValue),
                      doc: "numpy.pad mode: constant (value), reflect (mirror without the edge), edge (repeat it), symmetric (mirror with it)"),
        ParameterSpec("value", .float, default: 0, doc: "the fill of mode constant"),
        ParameterSpec("position", .choice, default: "center", choices: ["center", "end"],
                      doc: "center: half the padding before, the rest after; end: all of it after"),
    ]

    public let height: Int, width: Int
    /// Whether `size` was one number (the only form audio takes).
    let single: Bool
    public let mode: PadMode
    public let value: Float
    public let centered: Bool

    public init(_ params: Parameters) throws {
        (height, width) = try params.intPair("size", atLeast: 1)
        single = params.list("size").count == 1
            && !(params.value("size")?.scalarText.map { $0.contains(",") || $0.contains("x") } ?? false)
        mode = PadMode(rawValue: try params.string("mode")) ?? .constant   // the spec's choices are PadMode's cases
        value = try params.float("value")
        guard value.isFinite else { throw params.invalid("value", "must be finite, got \(Value.of(value))") }
        if params.isSet("value") && mode != .constant { throw params.invalid("value", "has no effect unless mode is constant") }
        centered = try params.string("position") == "center"
    }

    /// Pads images and spectrograms to `height` × `width`; options left nil take the defaults of `parameters`.
    public init(height: Int, width: Int, mode: String? = nil, value: Float? = nil, position: String? = nil) throws {
        let v: [String: Value] = ["size": .of(height, width), "mode": .given(mode), "value": .given(value), "position": .given(position)]
        try self.init(Self.parameters(v))
    }

    /// Pads audio to `frames`; options left nil take the defaults of `parameters`.
    public init(frames: Int, mode: String? = nil, value: Float? = nil, position: String? = nil) throws {
        let v: [String: Value] = ["size": .of(frames), "mode": .given(mode), "value": .given(value), "position": .given(position)]
        try self.init(Self.parameters(v))
    }

    public func outputShape(for shape: SampleShape) throws -> SampleShape {
        try checkKind(shape)
        var out = shape
        if shape.kind == .audio {
            guard single else { throw PerceptError.invalidArgument(field: "\(Self.name).size", "audio takes one size (frames), got [\(height), \(width)]") }
            out.dims[1] = Swift.max(shape.width, width)
        } else {
            out.dims[1] = Swift.max(shape.height, height); out.dims[2] = Swift.max(shape.width, width)
        }
        return try out.checkedFits(field: "\(Self.name).size")
    }

    public func apply(_ sample: Sample) throws -> Sample {
        let s = sample.shape, o = try outputShape(for: s)
        if o.dims == s.dims { return sample }
        // Audio is one row per channel: the same loops with height 1.
        let (c, h, w) = (s.channels, s.kind == .audio ? 1 : s.height, s.width)
        let (oh, ow) = (s.kind == .audio ? 1 : o.height, o.width)
        let top = centered ? (oh - h) / 2 : 0, left = centered ? (ow - w) / 2 : 0
        let cols = (0..<ow).map { mode.index($0 - left, count: w) }
        var data = [Float](repeating: value, count: c * oh * ow)
        sample.data.withUnsafeBufferPointer { src in
            data.withUnsafeMutableBufferPointer { dst in
                for ch in 0..<c {
                    for y in 0..<oh {
                        guard let sy = mode.index(y - top, count: h) else { continue }
                        let row = src.baseAddress! + (ch * h + sy) * w, out = dst.baseAddress! + (ch * oh + y) * ow
                        for x in 0..<ow { if let sx = cols[x] { out[x] = row[sx] } }
                    }
                }
            }
        }
        var out = sample
        out.data = Tensor(unchecked: o.dims, data: data)
        return out
    }
}
