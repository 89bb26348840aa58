import PerceptCore

/// 2-D convolution over `[C, H, W]` (PyTorch `nn.Conv2d`, weight `[out_channels, in_channels/groups, kh, kw]`),
/// with stride, padding (`valid`, `same` or explicit), dilation and groups.
///
/// Runs as im2col + sgemm over chunks of samples sized to stay in cache; chunks are spread over the
/// `Parallel` workers, and weight gradients are summed per chunk in a fixed order, so results do not
/// depend on the thread count.
///
///     let conv = try LayerRegistry.make("conv2d", ["out_channels": "32", "kernel_size": "5", "padding": "same"])
public final class Conv2D: Layer {
    public static let typeName = "conv2d"
    public static let summary = "2-D convolution (PyTorch Conv2d)"
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("out_channels", .int, doc: "number of output channels"),
        ParameterSpec("kernel_size", .intList, doc: "kernel size: k or kh,kw"),
        ParameterSpec("stride", .intList, default: "1", doc: "stride: s or sh,sw"),
        ParameterSpec("padding", .string, default: "0", doc: "zero padding: valid, same, p or ph,pw"),
        ParameterSpec("dilation", .intList, default: "1", doc: "kernel dilation: d or dh,dw"),
        ParameterSpec("groups", .int, default: "1", doc: "blocked connections from input to output channels"),
        ParameterSpec("in_channels", .int, doc: "input channels; inferred when omitted"),
        ParameterSpec("bias", .bool, default: "true", doc: "add a learned bias per output channel"),
        Initializer.spec,
    ]

    /// Target number of im2col columns per chunk (samples × output pixels); tuned for L2-resident chunks.
    nonisolated(unsafe) public static var chunkColumns = 512

    public let values: [String: String]
    public let outChannels: Int
    let kh: Int, kw: Int, sh: Int, sw: Int, dh: Int, dw: Int, groups: Int
    let declaredIn: Int?
    let useBias: Bool
    let initializer: Initializer
    /// Padding top, bottom, left, right.
    let pt: Int, pb: Int, pl: Int, pr: Int
    public private(set) var weights: [Param] = []
    /// Set by `Sequential` when a ReLU follows: the activation is applied in the bias pass and its
    /// mask in the gradient gather, saving two passes over the output.
    var fusedReLU = false

    // Geometry, set by build.
    private(set) var cin = 0, h = 0, w = 0, ho = 0, wo = 0
    private var kg: Int { cin / groups * kh * kw }
    private var kTotal: Int { cin * kh * kw }

    private let out = FloatBuffer(), dx = FloatBuffer()
    private var scratchA: [FloatBuffer] = [], scratchB: [FloatBuffer] = [], scratchC: [FloatBuffer] = []
    private let partialW = FloatBuffer(), partialB = FloatBuffer()
    private var input: UnsafePointer<Float>?

    public init(_ params: Parameters) throws {
        values = params.values
        guard let oc = try Options.positiveInt(params, "out_channels") else { throw params.invalid("out_channels", "is required") }
        guard let k = try Options.positivePair(params, "kernel_size") else { throw params.invalid("kernel_size", "is required") }
        let s = try Options.positivePair(params, "stride") ?? (1, 1)
        let d = try Options.positivePair(params, "dilation") ?? (1, 1)
        guard let g = try Options.positiveInt(params, "groups") else { throw params.invalid("groups", "must be > 0") }
        guard oc % g == 0 else { throw params.invalid("groups", "out_channels \(oc) is not divisible by groups \(g)") }
        outChannels = oc; kh = k.0; kw = k.1; sh = s.0; sw = s.1; dh = d.0; dw = d.1; groups = g
        declaredIn = try Options.positiveInt(params, "in_channels")
        useBias = try params.bool("bias") ?? true
        initializer = Initializer(rawValue: params.string("init") ?? "") ?? .kaimingUniform
        let pad = (params.string("padding") ?? "0").lowercased()
        switch pad {
        case "valid":
            pt = 0; pb = 0; pl = 0; pr = 0
        case "same":
            guard sh == 1 && sw == 1 else { throw params.invalid("padding", "'same' needs stride 1") }
            let th = dh * (kh - 1), tw = dw * (kw - 1)
            pt = th / 2; pb = th - th / 2; pl = tw / 2; pr = tw - tw / 2
        default:
            guard let p = try Options.ints(params, "padding", count: 2), p.allSatisfy({ $0 >= 0 }) else {
                throw params.invalid("padding", "'\(pad)' is not valid, same or a non-negative integer (pair)")
            }
            pt = p[0]; pb = p[0]; pl = p[1]; pr = p[1]
        }
    }

    public func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] {
        let want = "[\(declaredIn.map(String.init) ?? "C"), H, W]"
        guard inputShape.count == 3 else { throw ShapeMismatch(expected: want) }
        if let d = declaredIn, d != inputShape[0] { throw ShapeMismatch(expected: want + " (in_channels)") }
        guard inputShape[0] % groups == 0 else {
            throw ShapeMismatch(expected: "[C, H, W] with C divisible by groups \(groups)")
        }
        cin = inputShape[0]; h = inputShape[1]; w = inputShape[2]
        ho = (h + pt + pb - dh * (kh - 1) - 1) / sh + 1
        wo = (w + pl + pr - dw * (kw - 1) - 1) / sw + 1
        guard h + pt + pb >= dh * (kh - 1) + 1, w + pl + pr >= dw * (kw - 1) + 1 else {
            throw ShapeMismatch(expected: "[C, H, W] with H ≥ \(dh * (kh - 1) + 1 - pt - pb) and W ≥ \(dw * (kw - 1) + 1 - pl - pr) for this kernel")
        }
        let wt = Param(name: "weight", shape: [outChannels, cin / groups, kh, kw])
        initializer.fill(wt, fanIn: kg, fanOut: outChannels * kh * kw, rng: &rng)
        weights = [wt]
        if useBias { weights.append(Param(name: "bias", shape: [outChannels])) }
        BLASThreads.pin()
        return [outChannels, ho, wo]
    }

    /// Samples per chunk for a batch.
    private func chunkSamples(_ batch: Int) -> Int {
        let hw = ho * wo
        let byColumns = (Conv2D.chunkColumns + hw - 1) / hw
        let byMemory = Swift.max(1, (1 << 19) / Swift.max(1, kTotal * hw))
        return Swift.max(1, Swift.min(batch, byColumns, byMemory))
    }

    private func ensureScratch(workers: Int, _ sizes: (Int, Int, Int)) {
        while scratchA.count < workers { scratchA.append(FloatBuffer()); scratchB.append(FloatBuffer()); scratchC.append(FloatBuffer()) }
        for i in 0..<workers { scratchA[i].ensure(sizes.0); scratchB[i].ensure(sizes.1); scratchC[i].ensure(sizes.2) }
    }

    /// Copies the receptive fields of one sample into `col` rows (one per (c, ky, kx)), columns from `col`'s start.
    private func im2col(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, ld: Int) {
        // Locals: reading class `var`s inside the loops costs an exclusivity check per access.
        let cin = self.cin, h = self.h, w = self.w, ho = self.ho, wo = self.wo
        for c in 0..<cin {
            let plane = x + c * h * w
            for ky in 0..<kh {
                for kx in 0..<kw {
                    let row = col + ((c * kh + ky) * kw + kx) * ld
                    let xoff = kx * dw - pl
                    let lo = xoff >= 0 ? 0 : Swift.min(wo, (-xoff + sw - 1) / sw)
                    let hi = w - 1 - xoff >= 0 ? Swift.max(lo, Swift.min(wo, (w - 1 - xoff) / sw + 1)) : lo
                    for oy in 0..<ho {
                        let iy = oy * sh - pt + ky * dh
                        let dst = row + oy * wo
                        if iy < 0 || iy >= h { dst.update(repeating: 0, count: wo); continue }
                        for ox in 0..<lo { dst[ox] = 0 }
                        let src = plane + iy * w + xoff
                        if sw == 1 {
                            copyRun(dst + lo, src + lo, hi - lo)
                        } else {
                            for ox in lo..<hi { dst[ox] = src[ox * sw] }
                        }
                        for ox in hi..<wo { dst[ox] = 0 }
                    }
                }
            }
        }
    }

    /// Adds `col` rows back onto one sample's input gradient (the adjoint of im2col).
    private func col2im(_ col: UnsafePointer<Float>, _ dxs: UnsafeMutablePointer<Float>, ld: Int) {
        let cin = self.cin, h = self.h, w = self.w, ho = self.ho, wo = self.wo
        for c in 0..<cin {
            let plane = dxs + c * h * w
            for ky in 0..<kh {
                for kx in 0..<kw {
                    let row = col + ((c * kh + ky) * kw + kx) * ld
                    let xoff = kx * dw - pl
                    let lo = xoff >= 0 ? 0 : Swift.min(wo, (-xoff + sw - 1) / sw)
                    let hi = w - 1 - xoff >= 0 ? Swift.max(lo, Swift.min(wo, (w - 1 - xoff) / sw + 1)) : lo
                    for oy in 0..<ho {
                        let iy = oy * sh - pt + ky * dh
                        if iy < 0 || iy >= h { continue }
                        let src = row + oy * wo
                        let dst = plane + iy * w + xoff
                        if sw == 1 {
                            addRun(dst + lo, src + lo, hi - lo)
                        } else {
                            for ox in lo..<hi { dst[ox * sw] += src[ox] }
                        }
                    }
                }
            }
        }
    }

    public func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float> {
        input = x
        let hw = ho * wo, inSize = cin * h * w, outSize = outChannels * hw, relu = fusedReLU
        out.ensure(batch * outSize)
        let s = chunkSamples(batch)
        let chunks = (batch + s - 1) / s
        let workers = Swift.min(Parallel.threads, chunks)
        ensureScratch(workers: workers, (kTotal * s * hw, outChannels * s * hw, 1))
        let y = out.ptr, wt = weights[0].value.ptr
        let bias: UnsafeMutablePointer<Float>? = useBias ? weights[1].value.ptr : nil
        let cog = outChannels / groups, kg = self.kg
        let scratchA = self.scratchA, scratchB = self.scratchB
        Parallel.forEach(count: workers) { wk in
            let col = scratchA[wk].ptr, ybuf = scratchB[wk].ptr
            for chunk in (chunks * wk / workers)..<(chunks * (wk + 1) / workers) {
                let first = chunk * s, n = Swift.min(s, batch - first), ld = n * hw
                for i in 0..<n { im2col(x + (first + i) * inSize, col + i * hw, ld: ld) }
                let target = n == 1 ? y + first * outSize : ybuf
                for g in 0..<groups {
                    gemm(false, false, cog, ld, kg, 1, wt + g * cog * kg, kg, col + g * kg * ld, ld, 0, target + g * cog * ld, ld)
                }
                for i in 0..<n {
                    let ys = y + (first + i) * outSize
                    for co in 0..<outChannels {
                        let b = bias?[co] ?? 0
                        let d = ys + co * hw
                        if n == 1 {
                            if relu {
                                for p in 0..<hw { d[p] = Swift.max(d[p] + b, 0) }
                            } else if bias != nil {
                                for p in 0..<hw { d[p] += b }
                            }
                        } else {
                            let src = ybuf + co * ld + i * hw
                            if relu {
                                for p in 0..<hw { d[p] = Swift.max(src[p] + b, 0) }
                            } else {
                                for p in 0..<hw { d[p] = src[p] + b }
                            }
                        }
                    }
                }
            }
        }
        return UnsafePointer(y)
    }

    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        guard let x = input else { return nil }
        let hw = ho * wo, inSize = cin * h * w, outSize = outChannels * hw, relu = fusedReLU
        let s = chunkSamples(batch)
        let chunks = (batch + s - 1) / s
        let workers = Swift.min(Parallel.threads, chunks)
        let wCount = weights[0].count
        ensureScratch(workers: workers, (kTotal * s * hw, outChannels * s * hw, inputGradient ? kTotal * s * hw : 1))
        partialW.ensure(chunks * wCount)
        partialB.ensure(chunks * outChannels)
        if inputGradient { dx.ensure(batch * inSize); dx.zero(batch * inSize) }
        let wt = weights[0].value.ptr, pw = partialW.ptr, pbias = partialB.ptr
        let cog = outChannels / groups, kg = self.kg
        let dxp = dx.ptr, yOut = UnsafePointer(out.ptr)
        let scratchA = self.scratchA, scratchB = self.scratchB, scratchC = self.scratchC
        Parallel.forEach(count: workers) { wk in
            let col = scratchA[wk].ptr, dyc = scratchB[wk].ptr, dcol = scratchC[wk].ptr
            for chunk in (chunks * wk / workers)..<(chunks * (wk + 1) / workers) {
                let first = chunk * s, n = Swift.min(s, batch - first), ld = n * hw
                for i in 0..<n { im2col(x + (first + i) * inSize, col + i * hw, ld: ld) }
                let g0: UnsafePointer<Float>
                if relu {
                    // Gather and apply the ReLU mask (output > 0) in one pass.
                    for i in 0..<n {
                        for co in 0..<outChannels {
                            let src = dy + (first + i) * outSize + co * hw, ys = yOut + (first + i) * outSize + co * hw
                            let d = dyc + co * ld + i * hw
                            for p in 0..<hw { d[p] = ys[p] > 0 ? src[p] : 0 }
                        }
                    }
                    g0 = UnsafePointer(dyc)
                } else if n == 1 {
                    g0 = dy + first * outSize
                } else {
                    for i in 0..<n {
                        for co in 0..<outChannels {
                            copyRun(dyc + co * ld + i * hw, dy + (first + i) * outSize + co * hw, hw)
                        }
                    }
                    g0 = UnsafePointer(dyc)
                }
                let pbc = pbias + chunk * outChannels
                for co in 0..<outChannels {
                    let r = g0 + co * ld
                    var acc: Float = 0
                    for p in 0..<ld { acc += r[p] }
                    pbc[co] = acc
                }
                for g in 0..<groups {
                    gemm(false, true, cog, kg, ld, 1, g0 + g * cog * ld, ld, col + g * kg * ld, ld, 0,
                         pw + chunk * wCount + g * cog * kg, kg)
                }
                if inputGradient {
                    for g in 0..<groups {
                        gemm(true, false, kg, ld, cog, 1, wt + g * cog * kg, kg, g0 + g * cog * ld, ld, 0, dcol + g * kg * ld, ld)
                    }
                    for i in 0..<n { col2im(dcol + i * hw, dxp + (first + i) * inSize, ld: ld) }
                }
            }
        }
        // Sum the per-chunk partials in chunk order: deterministic for any thread count.
        let gw = weights[0].grad.ptr
        gw.update(from: pw, count: wCount)
        for c in 1..<Swift.max(chunks, 1) {
            let src = pw + c * wCount
            for i in 0..<wCount { gw[i] += src[i] }
        }
        if useBias {
            let gb = weights[1].grad.ptr
            gb.update(from: pbias, count: outChannels)
            for c in 1..<Swift.max(chunks, 1) {
                for i in 0..<outChannels { gb[i] += pbias[c * outChannels + i] }
            }
        }
        return inputGradient ? UnsafePointer(dxp) : nil
    }
}
