import PerceptCore

/// 2-D convolution over `[C, H, W]` (PyTorch `nn.Conv2d`, weight `[out_channels, in_channels/groups, kh, kw]`),
/// with stride, padding (`valid`, `same` or explicit), dilation and groups.
///
/// Runs as im2col + sgemm over chunks of samples sized to stay in cache; chunks are spread over the
/// `Parallel` workers, and weight gradients are summed over a fixed partition in a fixed order, so
/// results do not depend on the thread count (up to 8 workers).
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
    /// Weight-gradient accumulators per backward pass; results are identical for thread counts up to this.
    static let maxSlots = 8

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

    /// Output rows `oy` whose input row `oy·sh - pt + ky·dh` lies inside the image.
    @inline(__always) private func validRows(_ ky: Int, _ h: Int, _ ho: Int) -> Range<Int> {
        let off = ky * dh - pt
        let lo = off >= 0 ? 0 : Swift.min(ho, (-off + sh - 1) / sh)
        let hi = h - 1 - off >= 0 ? Swift.max(lo, Swift.min(ho, (h - 1 - off) / sh + 1)) : lo
        return lo..<hi
    }

    /// Output columns `ox` whose input column `ox·sw - pl + kx·dw` lies inside the image.
    @inline(__always) private func validCols(_ kx: Int, _ w: Int, _ wo: Int) -> Range<Int> {
        let off = kx * dw - pl
        let lo = off >= 0 ? 0 : Swift.min(wo, (-off + sw - 1) / sw)
        let hi = w - 1 - off >= 0 ? Swift.max(lo, Swift.min(wo, (w - 1 - off) / sw + 1)) : lo
        return lo..<hi
    }

    /// Copies the receptive fields of one sample into `col` rows (one per (c, ky, kx)), columns from `col`'s start.
    private func im2col(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, ld: Int) {
        // Locals: reading class `var`s inside the loops costs an exclusivity check per access.
        let cin = self.cin, h = self.h, w = self.w, ho = self.ho, wo = self.wo, sh = self.sh, sw = self.sw
        for ky in 0..<kh {
            let rows = validRows(ky, h, ho)
            for kx in 0..<kw {
                let cols = validCols(kx, w, wo)
                let n = cols.count, full = n == wo
                let rowOff = (rows.lowerBound &* sh &- pt &+ ky &* dh) &* w &+ (kx &* dw &- pl)
                for c in 0..<cin {
                    let row = col + ((c &* kh &+ ky) &* kw &+ kx) &* ld
                    if rows.lowerBound > 0 { row.update(repeating: 0, count: rows.lowerBound &* wo) }
                    if rows.upperBound < ho { (row + rows.upperBound &* wo).update(repeating: 0, count: (ho &- rows.upperBound) &* wo) }
                    var src = x + (c &* h &* w &+ rowOff)
                    var dst = row + rows.lowerBound &* wo
                    for _ in rows {
                        if sw == 1 && full {
                            copyRun(dst, src, wo)
                        } else {
                            for ox in 0..<cols.lowerBound { dst[ox] = 0 }
                            if sw == 1 {
                                copyRun(dst + cols.lowerBound, src + cols.lowerBound, n)
                            } else {
                                for ox in cols { dst[ox] = src[ox &* sw] }
                            }
                            for ox in cols.upperBound..<wo { dst[ox] = 0 }
                        }
                        src += sh &* w
                        dst += wo
                    }
                }
            }
        }
    }

    /// Adds `col` rows back onto one sample's input gradient (the adjoint of im2col).
    private func col2im(_ col: UnsafePointer<Float>, _ dxs: UnsafeMutablePointer<Float>, ld: Int) {
        let cin = self.cin, h = self.h, w = self.w, ho = self.ho, wo = self.wo, sh = self.sh, sw = self.sw
        for ky in 0..<kh {
            let rows = validRows(ky, h, ho)
            for kx in 0..<kw {
                let cols = validCols(kx, w, wo)
                let n = cols.count
                let rowOff = (rows.lowerBound &* sh &- pt &+ ky &* dh) &* w &+ (kx &* dw &- pl)
                for c in 0..<cin {
                    var src = col + ((c &* kh &+ ky) &* kw &+ kx) &* ld + rows.lowerBound &* wo
                    var dst = dxs + (c &* h &* w &+ rowOff)
                    for _ in rows {
                        if sw == 1 {
                            addRun(dst + cols.lowerBound, src + cols.lowerBound, n)
                        } else {
                            for ox in cols { dst[ox &* sw] += src[ox] }
                        }
                        src += wo
                        dst += sh &* w
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
        // Weight gradients accumulate in a fixed number of slots (runs of consecutive chunks), summed in
        // slot order afterwards: the same result for any thread count up to `maxSlots`.
        let slots = Swift.min(chunks, Conv2D.maxSlots)
        let workers = Swift.min(Parallel.threads, slots)
        let wCount = weights[0].count
        ensureScratch(workers: workers, (kTotal * s * hw, outChannels * s * hw, inputGradient ? kTotal * s * hw : 1))
        partialW.ensure(slots * wCount)
        partialB.ensure(slots * outChannels)
        if inputGradient { dx.ensure(batch * inSize); dx.zero(batch * inSize) }
        let wt = weights[0].value.ptr, pw = partialW.ptr, pbias = partialB.ptr
        let cog = outChannels / groups, kg = self.kg
        let dxp = dx.ptr, yOut = UnsafePointer(out.ptr)
        let scratchA = self.scratchA, scratchB = self.scratchB, scratchC = self.scratchC
        Parallel.forEach(count: workers) { wk in
            let col = scratchA[wk].ptr, dyc = scratchB[wk].ptr, dcol = scratchC[wk].ptr
            for slot in (slots * wk / workers)..<(slots * (wk + 1) / workers) {
            let slotChunks = (chunks * slot / slots)..<(chunks * (slot + 1) / slots)
            for chunk in slotChunks {
                let first = chunk * s, n = Swift.min(s, batch - first), ld = n * hw
                let beta: Float = chunk == slotChunks.lowerBound ? 0 : 1
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
                let pbc = pbias + slot * outChannels
                for co in 0..<outChannels { pbc[co] = beta * pbc[co] + sumRun(g0 + co * ld, ld) }
                for g in 0..<groups {
                    gemm(false, true, cog, kg, ld, 1, g0 + g * cog * ld, ld, col + g * kg * ld, ld, beta,
                         pw + slot * wCount + g * cog * kg, kg)
                }
                if inputGradient {
                    for g in 0..<groups {
                        gemm(true, false, kg, ld, cog, 1, wt + g * cog * kg, kg, g0 + g * cog * ld, ld, 0, dcol + g * kg * ld, ld)
                    }
                    for i in 0..<n { col2im(dcol + i * hw, dxp + (first + i) * inSize, ld: ld) }
                }
            }
            }
        }
        let gw = weights[0].grad.ptr
        gw.update(from: pw, count: wCount)
        for c in 1..<Swift.max(slots, 1) {
            let src = pw + c * wCount
            for i in 0..<wCount { gw[i] += src[i] }
        }
        if useBias {
            let gb = weights[1].grad.ptr
            gb.update(from: pbias, count: outChannels)
            for c in 1..<Swift.max(slots, 1) {
                for i in 0..<outChannels { gb[i] += pbias[c * outChannels + i] }
            }
        }
        return inputGradient ? UnsafePointer(dxp) : nil
    }
}
