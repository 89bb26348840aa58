import PerceptCore

/// Max pooling over `[C, H, W]` (PyTorch `nn.MaxPool2d`, floor mode, padding counts as -∞).
/// The gradient goes to the first maximum of each window, as in PyTorch.
///
///     let pool = try MaxPool2D(kernelSize: 2)
public final class MaxPool2D: Layer {
    public static let name = "maxpool2d", summary = "2-D max pooling (PyTorch MaxPool2d)"
    public static let aliases = ["maxpool", "max_pool2d"]
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("kernel_size", .intPair, doc: "window: k or kh,kw"),
        ParameterSpec("stride", .intPair, doc: "step: s or sh,sw; defaults to kernel_size"),
        ParameterSpec("padding", .intPair, default: "0", doc: "implicit -inf padding: p or ph,pw (at most half the window)"),
        ParameterSpec("dilation", .intPair, default: "1", doc: "spacing of window elements"),
    ]

    public let values: [String: Value]
    let kh: Int, kw: Int, sh: Int, sw: Int, ph: Int, pw: Int, dh: Int, dw: Int
    private(set) var c = 0, h = 0, w = 0, ho = 0, wo = 0
    private let out = FloatBuffer(), dx = FloatBuffer()
    private var argmax = [Int32]()
    private var input: UnsafePointer<Float>?
    private var fast2x2: Bool { kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && dh == 1 && dw == 1 }

    public init(_ params: Parameters) throws {
        values = params.values
        let k = try params.intPair("kernel_size", atLeast: 1)
        let s = try params.optionalIntPair("stride", atLeast: 1) ?? k
        let d = try params.intPair("dilation", atLeast: 1)
        let pp = try params.intPair("padding"), p = [pp.0, pp.1]
        guard p[0] >= 0, p[1] >= 0, p[0] <= k.0 / 2, p[1] <= k.1 / 2 else {
            throw params.invalid("padding", "must be between 0 and half the kernel size")
        }
        kh = k.0; kw = k.1; sh = s.0; sw = s.1; dh = d.0; dw = d.1; ph = p[0]; pw = p[1]
    }

    /// The typed form of the `maxpool2d` options (PyTorch `nn.MaxPool2d` names); nil means the spec
    /// default (`stride` nil: the kernel size).
    ///
    ///     let pool = try MaxPool2D(kernelSize: 3, stride: 2, padding: 1)
    public convenience init(kernelSize: IntPair, stride: IntPair? = nil, padding: IntPair? = nil, dilation: IntPair? = nil) throws {
        try self.init(Self.parameters(given(["kernel_size": kernelSize, "stride": stride, "padding": padding,
                                             "dilation": dilation])))
    }

    public func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] {
        guard inputShape.count == 3, inputShape[1] + 2 * ph >= dh * (kh - 1) + 1, inputShape[2] + 2 * pw >= dw * (kw - 1) + 1 else {
            throw ShapeMismatch(expected: "[C, H, W] with H, W at least the window \(dh * (kh - 1) + 1)×\(dw * (kw - 1) + 1)")
        }
        c = inputShape[0]; h = inputShape[1]; w = inputShape[2]
        ho = (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1
        wo = (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1
        return [c, ho, wo]
    }

    public func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float> {
        let c = self.c, h = self.h, w = self.w, ho = self.ho, wo = self.wo, fast2x2 = self.fast2x2
        let planes = batch * c, inPlane = h * w, outPlane = ho * wo
        out.ensure(planes * outPlane)
        let need = fast2x2 ? 1 : planes * outPlane   // the 2×2 path keeps no indices
        if argmax.count < need { argmax = [Int32](repeating: 0, count: need) }
        input = x
        let y = out.ptr
        argmax.withUnsafeMutableBufferPointer { am in
            let idx = am.baseAddress!
            parallelItems(planes, elementsPerItem: inPlane) { range in
                for pl in range {
                    let src = x + pl * inPlane, dst = y + pl * outPlane, ix = idx + pl * outPlane
                    if fast2x2 {
                        // The common 2×2/2 case: max only (branch-free); backward finds the winner again.
                        for oy in 0..<ho {
                            let r0 = src + 2 * oy * w, r1 = r0 + w, d = dst + oy * wo
                            for ox in 0..<wo {
                                d[ox] = Swift.max(Swift.max(r0[2 * ox], r0[2 * ox + 1]), Swift.max(r1[2 * ox], r1[2 * ox + 1]))
                            }
                        }
                        continue
                    }
                    for oy in 0..<ho {
                        for ox in 0..<wo {
                            var m = -Float.infinity, at = -1
                            for ky in 0..<kh {
                                let iy = oy * sh - ph + ky * dh
                                if iy < 0 || iy >= h { continue }
                                for kx in 0..<kw {
                                    let jx = ox * sw - pw + kx * dw
                                    if jx < 0 || jx >= w { continue }
                                    let v = src[iy * w + jx]
                                    if v > m || at < 0 || v.isNaN { m = v; at = iy * w + jx }
                                }
                            }
                            dst[oy * wo + ox] = m
                            ix[oy * wo + ox] = Int32(at)
                        }
                    }
                }
            }
        }
        return UnsafePointer(y)
    }

    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        guard inputGradient else { return nil }
        let c = self.c, h = self.h, w = self.w, ho = self.ho, wo = self.wo, fast2x2 = self.fast2x2
        let planes = batch * c, inPlane = h * w, outPlane = ho * wo
        dx.ensure(planes * inPlane)
        let g = dx.ptr, y = UnsafePointer(out.ptr), input = self.input
        let covered = fast2x2 && h == 2 * ho && w == 2 * wo   // every input element gets written
        argmax.withUnsafeBufferPointer { am in
            let idx = am.baseAddress!
            parallelItems(planes, elementsPerItem: inPlane) { range in
                for pl in range {
                    let d = g + pl * inPlane
                    if !covered { d.update(repeating: 0, count: inPlane) }
                    let gy = dy + pl * outPlane, ix = idx + pl * outPlane
                    if fast2x2, let x = input {
                        // The gradient goes to the first window element equal to the max (PyTorch's choice);
                        // windows do not overlap, so every input element is written exactly once.
                        let src = x + pl * inPlane, ys = y + pl * outPlane
                        for oy in 0..<ho {
                            let r0 = src + 2 * oy * w, r1 = r0 + w, d0 = d + 2 * oy * w, d1 = d0 + w
                            for ox in 0..<wo {
                                // Weights 1/0 as arithmetic (no short-circuit branches on random data).
                                let m = ys[oy * wo + ox], g = gy[oy * wo + ox]
                                let ka: Float = r0[2 * ox] == m ? 1 : 0
                                var rest = 1 - ka
                                let kb: Float = r0[2 * ox + 1] == m ? rest : 0
                                rest -= kb
                                let ke: Float = r1[2 * ox] == m ? rest : 0
                                rest -= ke
                                d0[2 * ox] = g * ka
                                d0[2 * ox + 1] = g * kb
                                d1[2 * ox] = g * ke
                                d1[2 * ox + 1] = g * rest
                            }
                        }
                        continue
                    }
                    for o in 0..<outPlane where ix[o] >= 0 { d[Int(ix[o])] += gy[o] }
                }
            }
        }
        return UnsafePointer(g)
    }
}
