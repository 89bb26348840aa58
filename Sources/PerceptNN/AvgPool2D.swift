import PerceptCore

/// Average pooling over `[C, H, W]` (PyTorch `nn.AvgPool2d`, floor mode; zero padding counted in the
/// divisor unless `count_include_pad` is false).
///
///     let pool = try AvgPool2D(kernelSize: 2)
public final class AvgPool2D: Layer {
    public static let name = "avgpool2d", summary = "2-D average pooling (PyTorch AvgPool2d)"
    public static let aliases = ["avgpool", "avg_pool2d"]
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("kernel_size", .intPair, doc: "window: k or kh,kw"),
        ParameterSpec("stride", .intPair, doc: "step: s or sh,sw; defaults to kernel_size"),
        ParameterSpec("padding", .intPair, default: "0", doc: "implicit zero padding: p or ph,pw (at most half the window)"),
        ParameterSpec("count_include_pad", .bool, default: "true", doc: "count padded zeros in the average"),
    ]

    public let values: [String: Value]
    let kh: Int, kw: Int, sh: Int, sw: Int, ph: Int, pw: Int
    let includePad: Bool
    private(set) var c = 0, h = 0, w = 0, ho = 0, wo = 0
    private let out = FloatBuffer(), dx = FloatBuffer()

    public init(_ params: Parameters) throws {
        values = params.values
        let k = try params.intPair("kernel_size", atLeast: 1)
        let s = try params.optionalIntPair("stride", atLeast: 1) ?? k
        let pp = try params.intPair("padding"), p = [pp.0, pp.1]
        guard p[0] >= 0, p[1] >= 0, p[0] <= k.0 / 2, p[1] <= k.1 / 2 else {
            throw params.invalid("padding", "must be between 0 and half the kernel size")
        }
        kh = k.0; kw = k.1; sh = s.0; sw = s.1; ph = p[0]; pw = p[1]
        includePad = try params.bool("count_include_pad")
    }

    /// The typed form of the `avgpool2d` options (PyTorch `nn.AvgPool2d` names); nil means the spec
    /// default (`stride` nil: the kernel size).
    ///
    ///     let pool = try AvgPool2D(kernelSize: 3, stride: 1, padding: 1)
    public convenience init(kernelSize: IntPair, stride: IntPair? = nil, padding: IntPair? = nil, countIncludePad: Bool? = nil) throws {
        try self.init(Self.parameters(given(["kernel_size": kernelSize, "stride": stride, "padding": padding,
                                             "count_include_pad": countIncludePad])))
    }

    public func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] {
        guard inputShape.count == 3, inputShape[1] + 2 * ph >= kh, inputShape[2] + 2 * pw >= kw else {
            throw ShapeMismatch(expected: "[C, H, W] with H ≥ \(kh - 2 * ph) and W ≥ \(kw - 2 * pw)")
        }
        c = inputShape[0]; h = inputShape[1]; w = inputShape[2]
        ho = (h + 2 * ph - kh) / sh + 1
        wo = (w + 2 * pw - kw) / sw + 1
        return [c, ho, wo]
    }

    /// Clipped window of output (oy, ox) and its divisor.
    @inline(__always) private func window(_ oy: Int, _ ox: Int, _ h: Int, _ w: Int) -> (Int, Int, Int, Int, Float) {
        let y0 = oy * sh - ph, x0 = ox * sw - pw
        let y1 = Swift.min(y0 + kh, h + ph), x1 = Swift.min(x0 + kw, w + pw)
        let padded = (y1 - y0) * (x1 - x0)
        let ya = Swift.max(y0, 0), xa = Swift.max(x0, 0), yb = Swift.min(y1, h), xb = Swift.min(x1, w)
        let n = includePad ? padded : (yb - ya) * (xb - xa)
        return (ya, yb, xa, xb, 1 / Float(Swift.max(n, 1)))
    }

    public func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float> {
        let c = self.c, h = self.h, w = self.w, ho = self.ho, wo = self.wo
        let planes = batch * c, inPlane = h * w, outPlane = ho * wo
        out.ensure(planes * outPlane)
        let y = out.ptr
        parallelItems(planes, elementsPerItem: inPlane) { range in
            for pl in range {
                let src = x + pl * inPlane, dst = y + pl * outPlane
                for oy in 0..<ho {
                    for ox in 0..<wo {
                        let (ya, yb, xa, xb, inv) = window(oy, ox, h, w)
                        var acc: Float = 0
                        for iy in ya..<yb { for ix in xa..<xb { acc += src[iy * w + ix] } }
                        dst[oy * wo + ox] = acc * inv
                    }
                }
            }
        }
        return UnsafePointer(y)
    }

    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        guard inputGradient else { return nil }
        let c = self.c, h = self.h, w = self.w, ho = self.ho, wo = self.wo
        let planes = batch * c, inPlane = h * w, outPlane = ho * wo
        dx.ensure(planes * inPlane)
        let g = dx.ptr
        parallelItems(planes, elementsPerItem: inPlane) { range in
            for pl in range {
                let d = g + pl * inPlane, gy = dy + pl * outPlane
                d.update(repeating: 0, count: inPlane)
                for oy in 0..<ho {
                    for ox in 0..<wo {
                        let (ya, yb, xa, xb, inv) = window(oy, ox, h, w)
                        let v = gy[oy * wo + ox] * inv
                        for iy in ya..<yb { for ix in xa..<xb { d[iy * w + ix] += v } }
                    }
                }
            }
        }
        return UnsafePointer(g)
    }
}
