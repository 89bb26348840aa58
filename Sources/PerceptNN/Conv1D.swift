import PerceptCore

/// 1-D convolution over time, input `[C, T]` (PyTorch `nn.Conv1d`, weight `[out_channels, in_channels, k]`),
/// with stride, padding (`valid`, `same` or explicit) and dilation.
///
/// The receptive fields of the whole batch are laid side by side (im2col, `[C·k, B·T_out]`) so
/// forward is one sgemm and backward two.
///
///     let conv = try Conv1D(outChannels: 64, kernelSize: 5, padding: .same)
public final class Conv1D: Layer {
    public static let name = "conv1d", summary = "1-D convolution over time, [C, T] (PyTorch Conv1d)"
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("out_channels", .int, doc: "number of output channels"),
        ParameterSpec("kernel_size", .int, doc: "kernel length in frames"),
        ParameterSpec("stride", .int, default: "1", doc: "step between output frames"),
        ParameterSpec("padding", .string, default: "0", doc: "zero padding at both ends: valid, same or a frame count"),
        ParameterSpec("dilation", .int, default: "1", doc: "spacing between kernel taps"),
        ParameterSpec("in_channels", .int, doc: "input channels; inferred when omitted"),
        ParameterSpec("bias", .bool, default: "true", doc: "add a learned bias per output channel"),
        Initializer.spec,
    ]

    public let values: [String: Value]
    public let outChannels: Int
    let k: Int, stride: Int, dilation: Int, padLeft: Int, padRight: Int
    let declaredIn: Int?
    let useBias: Bool
    let initializer: Initializer
    public private(set) var weights: [Param] = []
    private(set) var cin = 0, frames = 0, outFrames = 0
    private let out = FloatBuffer(), dx = FloatBuffer(), col = FloatBuffer(), ycol = FloatBuffer()

    public init(_ params: Parameters) throws {
        values = params.values
        let oc = try params.int("out_channels", atLeast: 1)
        let kk = try params.int("kernel_size", atLeast: 1)
        let s = try params.int("stride", atLeast: 1)
        let d = try params.int("dilation", atLeast: 1)
        outChannels = oc; k = kk; stride = s; dilation = d
        declaredIn = try params.optionalInt("in_channels", atLeast: 1)
        useBias = try params.bool("bias")
        initializer = try Initializer.option(params)
        let pad = try params.string("padding").lowercased()
        switch pad {
        case "valid":
            padLeft = 0; padRight = 0
        case "same":
            guard s == 1 else { throw params.invalid("padding", "'same' needs stride 1") }
            let total = d * (kk - 1)
            padLeft = total / 2; padRight = total - total / 2
        default:
            guard let p = Int(pad), p >= 0 else { throw params.invalid("padding", "'\(pad)' is not valid, same or a non-negative integer") }
            padLeft = p; padRight = p
        }
    }

    /// The typed form of the `conv1d` options (PyTorch `nn.Conv1d` names); nil means the spec default.
    /// `padding` is `.valid`, `.same` or a frame count.
    ///
    ///     let conv = try Conv1D(outChannels: 32, kernelSize: 3, padding: 1)
    public convenience init(outChannels: Int, kernelSize: Int, stride: Int? = nil, padding: ConvPadding? = nil,
                            dilation: Int? = nil, inChannels: Int? = nil, bias: Bool? = nil, initializer: Initializer? = nil) throws {
        try self.init(Self.parameters(given(["out_channels": outChannels, "kernel_size": kernelSize, "stride": stride,
                                             "padding": padding, "dilation": dilation, "in_channels": inChannels,
                                             "bias": bias, "init": initializer])))
    }

    public func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] {
        let want = "[\(declaredIn.map(String.init) ?? "C"), T]"
        guard inputShape.count == 2 else { throw ShapeMismatch(expected: want + " (rank 2: channels, frames)") }
        if let d = declaredIn, d != inputShape[0] { throw ShapeMismatch(expected: want + " (in_channels)") }
        cin = inputShape[0]; frames = inputShape[1]
        let span = dilation * (k - 1) + 1
        guard frames + padLeft + padRight >= span else {
            throw ShapeMismatch(expected: "[C, T] with T ≥ \(span - padLeft - padRight) for this kernel")
        }
        outFrames = (frames + padLeft + padRight - span) / stride + 1
        let w = try Param(name: "weight", shape: [outChannels, cin, k])
        initializer.fill(w, fanIn: cin * k, fanOut: outChannels * k, rng: &rng)
        weights = [w]
        if useBias {
            let b = try Param(name: "bias", shape: [outChannels])
            initializer.fillBias(b, fanIn: cin * k, rng: &rng)
            weights.append(b)
        }
        return [outChannels, outFrames]
    }

    public func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float> {
        let ck = cin * k, n = batch * outFrames
        col.ensure(ck * n); ycol.ensure(outChannels * n); out.ensure(batch * outChannels * outFrames)
        let cols = col.ptr, T = frames, To = outFrames
        // Row (c, j) of col, column (b, t) = x[b, c, t·stride + j·dilation − padLeft] or 0.
        for c in 0..<cin {
            for j in 0..<k {
                let row = cols + (c * k + j) * n
                for b in 0..<batch {
                    let src = x + (b * cin + c) * T, dst = row + b * To
                    for t in 0..<To {
                        let p = t * stride + j * dilation - padLeft
                        dst[t] = p >= 0 && p < T ? src[p] : 0
                    }
                }
            }
        }
        gemm(false, false, outChannels, n, ck, 1, weights[0].value.ptr, ck, cols, n, 0, ycol.ptr, n)
        let bias = useBias ? weights[1].value.ptr : nil
        for o in 0..<outChannels {
            let bv = bias?[o] ?? 0
            for b in 0..<batch {
                let src = ycol.ptr + o * n + b * To, dst = out.ptr + (b * outChannels + o) * To
                for t in 0..<To { dst[t] = src[t] + bv }
            }
        }
        return UnsafePointer(out.ptr)
    }

    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        let ck = cin * k, n = batch * outFrames, To = outFrames, T = frames
        // Gather dy into [C_out, B·T_out] (the layout of ycol).
        let dyc = ycol.ptr
        for o in 0..<outChannels {
            for b in 0..<batch { copyRun(dyc + o * n + b * To, dy + (b * outChannels + o) * To, To) }
        }
        gemm(false, true, outChannels, ck, n, 1, dyc, n, col.ptr, n, 0, weights[0].grad.ptr, ck)
        if useBias {
            let db = weights[1].grad.ptr
            for o in 0..<outChannels {
                var s = 0.0
                for i in 0..<n { s += Double(dyc[o * n + i]) }
                db[o] = Float(s)
            }
        }
        guard inputGradient else { return nil }
        // dcol = Wᵀ·dy, reusing col (its forward contents are no longer needed).
        gemm(true, false, ck, n, outChannels, 1, weights[0].value.ptr, ck, dyc, n, 0, col.ptr, n)
        dx.ensure(batch * cin * T)
        dx.zero(batch * cin * T)
        for c in 0..<cin {
            for j in 0..<k {
                let row = col.ptr + (c * k + j) * n
                for b in 0..<batch {
                    let dst = dx.ptr + (b * cin + c) * T, src = row + b * To
                    for t in 0..<To {
                        let p = t * stride + j * dilation - padLeft
                        if p >= 0 && p < T { dst[p] += src[t] }
                    }
                }
            }
        }
        return UnsafePointer(dx.ptr)
    }
}
