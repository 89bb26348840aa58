import CPerceptNNKernels
import Foundation
import PerceptCore

/// 2-D convolution over `[C, H, W]` (PyTorch `nn.Conv2d`, weight `[out_channels, in_channels/groups, kh, kw]`),
/// with stride, padding (`valid`, `same` or explicit), dilation and groups.
///
/// Runs as im2col + GEMM over chunks of samples (on the C-kernel path in blocks of input channels
/// sized to stay in L2); chunks are spread over the `Parallel` workers, and weight gradients are
/// summed over a fixed partition in a fixed order, so results do not depend on the thread count
/// (up to 8 workers). The GEMMs use Percept's C kernels
/// (`GemmKernel`: AVX-512 or AVX2 + FMA, with matching im2col/col2im row copies for stride 1) when
/// the CPU has one of them, else OpenBLAS.
///
///     let conv = try Conv2D(outChannels: 32, kernelSize: 5, padding: .same)
public final class Conv2D: Layer {
    public static let name = "conv2d", summary = "2-D convolution (PyTorch Conv2d)"
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("out_channels", .int, doc: "number of output channels"),
        ParameterSpec("kernel_size", .intPair, doc: "kernel size: k or kh,kw"),
        ParameterSpec("stride", .intPair, default: "1", doc: "stride: s or sh,sw"),
        ParameterSpec("padding", .string, default: "0", doc: "zero padding: valid, same, p or ph,pw"),
        ParameterSpec("dilation", .intPair, default: "1", doc: "kernel dilation: d or dh,dw"),
        ParameterSpec("groups", .int, default: "1", doc: "blocked connections from input to output channels"),
        ParameterSpec("in_channels", .int, doc: "input channels; inferred when omitted"),
        ParameterSpec("bias", .bool, default: "true", doc: "add a learned bias per output channel"),
        Initializer.spec,
    ]

    /// Target number of im2col columns per chunk (samples × output pixels); tuned for L2-resident chunks.
    public static var chunkColumns: Int { chunkColumnsSetting.value }
    private static let chunkColumnsSetting = ScopedSetting(512)

    /// Runs `body` with convolutions chunked to about `columns` im2col columns (tests use small
    /// chunks to cross chunk edges); 512 again afterwards.
    ///
    ///     let y = try Conv2D.withChunkColumns(40) { try conv.forward(x) }
    public static func withChunkColumns<R>(_ columns: Int, _ body: () throws -> R) rethrows -> R {
        try chunkColumnsSetting.withValue(Swift.max(1, columns), body)
    }

    /// Weight-gradient accumulators per backward pass; results are identical for thread counts up to this.
    static let maxSlots = 8
    /// Whether convolutions (groups 1, out_channels a multiple of 32) and Dense layers (features a
    /// multiple of 32) run their GEMMs on Percept's C kernels (`GemmKernel`: AVX-512 or AVX2, the same
    /// bits); otherwise OpenBLAS. Fixed per machine by default, so results never depend on the thread
    /// count; `PERCEPT_NN_KERNEL=blas` forces OpenBLAS (tests use `GemmKernel.with(.blas)` to check both paths).
    static var wideKernelEnabled: Bool { GemmKernel.active != .blas }

    public let values: [String: Value]
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
    private var scratchD: [FloatBuffer] = [], scratchP: [FloatBuffer] = [], scratchQ: [FloatBuffer] = []
    private let partialW = FloatBuffer(), partialB = FloatBuffer()
    private var input: UnsafePointer<Float>?

    public init(_ params: Parameters) throws {
        values = params.values
        let oc = try params.int("out_channels", atLeast: 1)
        let k = try params.intPair("kernel_size", atLeast: 1)
        let s = try params.intPair("stride", atLeast: 1)
        let d = try params.intPair("dilation", atLeast: 1)
        let g = try params.int("groups", atLeast: 1)
        guard oc % g == 0 else { throw params.invalid("groups", "out_channels \(oc) is not divisible by groups \(g)") }
        outChannels = oc; kh = k.0; kw = k.1; sh = s.0; sw = s.1; dh = d.0; dw = d.1; groups = g
        declaredIn = try params.optionalInt("in_channels", atLeast: 1)
        useBias = try params.bool("bias")
        initializer = try Initializer.option(params)
        // A mode is text; sizes may be a number or a list (`[1, 2]`), which has no scalar text.
        switch params.optionalString("padding")?.lowercased() {
        case "valid":
            pt = 0; pb = 0; pl = 0; pr = 0
        case "same":
            guard sh == 1 && sw == 1 else { throw params.invalid("padding", "'same' needs stride 1") }
            let th = dh * (kh - 1), tw = dw * (kw - 1)
            pt = th / 2; pb = th - th / 2; pl = tw / 2; pr = tw - tw / 2
        default:
            guard let p = try? params.intPair("padding"), p.0 >= 0, p.1 >= 0 else {
                throw params.invalid("padding", "'\(params.list("padding").map(\.description).joined(separator: ", "))' is not valid, same or a non-negative integer (pair)")
            }
            pt = p.0; pb = p.0; pl = p.1; pr = p.1
        }
    }

    /// The typed form of the `conv2d` options (PyTorch `nn.Conv2d` names); nil means the spec default.
    ///
    ///     let conv = try Conv2D(outChannels: 16, kernelSize: [3, 5], stride: 2, padding: [1, 2])
    public convenience init(outChannels: Int, kernelSize: IntPair, stride: IntPair? = nil, padding: ConvPadding? = nil,
                            dilation: IntPair? = nil, groups: Int? = nil, inChannels: Int? = nil, bias: Bool? = nil,
                            initializer: Initializer? = nil) throws {
        try self.init(Self.parameters(given(["out_channels": outChannels, "kernel_size": kernelSize, "stride": stride,
                                             "padding": padding, "dilation": dilation, "groups": groups,
                                             "in_channels": inChannels, "bias": bias, "init": initializer])))
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
        let wt = try Param(name: "weight", shape: [outChannels, cin / groups, kh, kw])
        initializer.fill(wt, fanIn: kg, fanOut: outChannels * kh * kw, rng: &rng)
        weights = [wt]
        if useBias {
            let b = try Param(name: "bias", shape: [outChannels])
            initializer.fillBias(b, fanIn: kg, rng: &rng)
            weights.append(b)
        }
        return [outChannels, ho, wo]
    }

    /// Samples per chunk for a batch.
    private func chunkSamples(_ batch: Int) -> Int {
        let hw = ho * wo
        let byColumns = (Conv2D.chunkColumns + hw - 1) / hw
        let byMemory = Swift.max(1, (1 << 19) / Swift.max(1, kTotal * hw))
        return Swift.max(1, Swift.min(batch, byColumns, byMemory))
    }

    private func ensureScratch(workers: Int, samples: Int, _ sizes: (Int, Int, Int), _ sizeD: Int = 1) {
        while scratchA.count < workers {
            scratchA.append(FloatBuffer()); scratchB.append(FloatBuffer()); scratchC.append(FloatBuffer()); scratchD.append(FloatBuffer())
            scratchP.append(FloatBuffer()); scratchQ.append(FloatBuffer())
        }
        let padded = paddedIm2col ? paddedSize * samples : 1
        for i in 0..<workers {
            scratchA[i].ensure(sizes.0); scratchB[i].ensure(sizes.1); scratchC[i].ensure(sizes.2); scratchD[i].ensure(sizeD)
            scratchP[i].ensure(padded); scratchQ[i].ensure(padded)
        }
    }

    /// Whether im2col / col2im run as C row copies over a zero-padded copy of each sample
    /// (stride 1 on the C-kernel path); the padded input buffers keep zero borders, since only
    /// their interiors are ever written.
    private var paddedIm2col: Bool { wide && sh == 1 && sw == 1 }

    /// Floats in one sample's zero-padded copy (`[cin][h + pt + pb][w + pl + pr]`).
    private var paddedSize: Int { cin * (h + pt + pb) * (w + pl + pr) }

    /// Copies one sample into the interior of its padded buffer `xp` (the border stays zero).
    private func padSample(_ x: UnsafePointer<Float>, _ xp: UnsafeMutablePointer<Float>) {
        let hp = h + pt + pb, wp = w + pl + pr, h = self.h, w = self.w
        for c in 0..<cin {
            for y in 0..<h { copyRun(xp + (c * hp + pt + y) * wp + pl, x + (c * h + y) * w, w) }
        }
    }

    /// Floats of column-matrix rows per channel block on the padded path (512 KiB, half of a 1 MiB
    /// L2 as on AMD Zen 4/5): im2col writes a block, the GEMMs read it and col2im reads its gradient
    /// while it is in L2 (LeNet's 32→64 layer: 8 of 32 channels per block; a whole chunk is 1.9 MiB).
    static var blockFloats: Int { blockFloatsSetting.value }
    private static let blockFloatsSetting = ScopedSetting(1 << 17)

    /// Runs `body` with channel blocks of about `floats` column-matrix floats (tests use 1: one
    /// channel per block); 2¹⁷ again afterwards.
    static func withBlockFloats<R>(_ floats: Int, _ body: () throws -> R) rethrows -> R {
        try blockFloatsSetting.withValue(Swift.max(1, floats), body)
    }

    /// Input channels per block on the padded path (all of them elsewhere). Blocks split only the
    /// forward GEMM's k range (each output stays one k-ordered FMA chain, continued from where the
    /// previous block stored it) and the backward GEMMs' rows, and col2im sums each channel alone:
    /// the bits are those of one unblocked pass.
    private func channelBlock(ld: Int) -> Int {
        guard paddedIm2col else { return cin }
        return Swift.max(1, Swift.min(cin, Conv2D.blockFloats / Swift.max(1, kh * kw * ld)))
    }

    /// col2im of channels `c0 ..< c0 + cn` of one sample: rows of `col` for those channels (from its
    /// first), into the padded buffer `dp`, whose interior is then stored (not added) to `dxs`.
    private func col2imPadded(_ col: UnsafePointer<Float>, channels c0: Int, _ cn: Int, _ dp: UnsafeMutablePointer<Float>,
                              _ dxs: UnsafeMutablePointer<Float>, ld: Int) {
        let hp = h + pt + pb, wp = w + pl + pr, h = self.h, w = self.w
        let d = dp + c0 * hp * wp
        d.update(repeating: 0, count: cn * hp * wp)
        GemmKernel.col2im(col, ld, cn, hp, wp, kh, kw, dh, dw, ho, wo, d)
        for c in c0..<(c0 + cn) {
            for y in 0..<h { copyRun(dxs + (c * h + y) * w, dp + (c * hp + pt + y) * wp + pl, w) }
        }
    }

    /// Whether this layer's GEMMs run on `pnn_gemm32` (decided per call from the global switch).
    private var wide: Bool { Conv2D.wideKernelEnabled && groups == 1 && outChannels % 32 == 0 }

    /// Leading dimension of a chunk's column matrix: `cols`, rounded up to the kernel's 32-column panels
    /// on the C-kernel path (the extra columns are computed and ignored).
    @inline(__always) private func paddedLD(_ cols: Int, _ wide: Bool) -> Int { wide ? (cols + 31) & ~31 : cols }

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
        let wide = self.wide, maxLD = paddedLD(s * hw, wide), cb = channelBlock(ld: maxLD), khw = kh * kw
        ensureScratch(workers: workers, samples: s, (cb * khw * maxLD, outChannels * maxLD, 1))
        let y = out.ptr, wt = weights[0].value.ptr
        let bias: UnsafeMutablePointer<Float>? = useBias ? weights[1].value.ptr : nil
        let cog = outChannels / groups, kg = self.kg, outChannels = self.outChannels, groups = self.groups
        let scratchA = self.scratchA, scratchB = self.scratchB, scratchP = self.scratchP, padIm = paddedIm2col
        let padded = paddedSize, hp = h + pt + pb, wp = w + pl + pr, cin = self.cin
        Parallel.forEach(count: workers) { wk in
            let col = scratchA[wk].ptr, ybuf = scratchB[wk].ptr, xpad = scratchP[wk].ptr
            for chunk in (chunks * wk / workers)..<(chunks * (wk + 1) / workers) {
                let first = chunk * s, n = Swift.min(s, batch - first), ld = paddedLD(n * hw, wide)
                // One sample whose columns need no padding goes straight into the output.
                let inPlace = n == 1 && ld == hw
                let target = inPlace ? y + first * outSize : ybuf
                if padIm {
                    // Channel blocks: im2col of the block's rows, then its share of the k range.
                    for i in 0..<n { padSample(x + (first + i) * inSize, xpad + i * padded) }
                    for c0 in stride(from: 0, to: cin, by: cb) {
                        let cn = Swift.min(cb, cin - c0)
                        for i in 0..<n {
                            GemmKernel.im2col(xpad + i * padded + c0 * hp * wp, cn, hp, wp, kh, kw, dh, dw, ho, wo, col + i * hw, ld)
                        }
                        GemmKernel.gemm32(outChannels, ld, cn * khw, wt + c0 * khw, kg, 1, col, 32, ld, target, ld, c0 > 0 ? 1 : 0)
                    }
                } else {
                    for i in 0..<n { im2col(x + (first + i) * inSize, col + i * hw, ld: ld) }
                    if wide {
                        GemmKernel.gemm32(outChannels, ld, kg, wt, kg, 1, col, 32, ld, target, ld, 0)
                    } else {
                        for g in 0..<groups {
                            gemm(false, false, cog, ld, kg, 1, wt + g * cog * kg, kg, col + g * kg * ld, ld, 0, target + g * cog * ld, ld)
                        }
                    }
                }
                for i in 0..<n {
                    let ys = y + (first + i) * outSize
                    for co in 0..<outChannels {
                        let b = bias?[co] ?? 0
                        let d = ys + co * hw
                        if inPlace {
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
        let wide = self.wide, maxLD = paddedLD(s * hw, wide), cb = channelBlock(ld: maxLD), khw = kh * kw
        // The C-kernel path also keeps the gradient transposed ([columns, out_channels] in 32-wide panels)
        // as the right-hand operand of the weight-gradient GEMM, which it computes transposed.
        ensureScratch(workers: workers, samples: s, (cb * khw * maxLD, outChannels * maxLD, inputGradient ? cb * khw * maxLD : 1),
                      wide ? outChannels * maxLD : 1)
        partialW.ensure(slots * wCount)
        partialB.ensure(slots * outChannels)
        let padIm = paddedIm2col
        // The padded col2im stores each sample's gradient whole, so only the portable path needs zeros.
        if inputGradient { dx.ensure(batch * inSize); if !padIm { dx.zero(batch * inSize) } }
        let wt = weights[0].value.ptr, pw = partialW.ptr, pbias = partialB.ptr
        let cog = outChannels / groups, kg = self.kg, outChannels = self.outChannels, groups = self.groups
        let dxp = dx.ptr, yOut = UnsafePointer(out.ptr)
        let scratchA = self.scratchA, scratchB = self.scratchB, scratchC = self.scratchC, scratchD = self.scratchD
        let scratchP = self.scratchP, scratchQ = self.scratchQ
        let padded = paddedSize, hp = h + pt + pb, wp = w + pl + pr, cin = self.cin
        Parallel.forEach(count: workers) { wk in
            let col = scratchA[wk].ptr, dyc = scratchB[wk].ptr, dcol = scratchC[wk].ptr, dyT = scratchD[wk].ptr
            let xpad = scratchP[wk].ptr, dpad = scratchQ[wk].ptr
            for slot in (slots * wk / workers)..<(slots * (wk + 1) / workers) {
            let slotChunks = (chunks * slot / slots)..<(chunks * (slot + 1) / slots)
            for chunk in slotChunks {
                let first = chunk * s, n = Swift.min(s, batch - first), cols = n * hw, ld = paddedLD(cols, wide)
                let beta: Float = chunk == slotChunks.lowerBound ? 0 : 1
                if !padIm {
                    for i in 0..<n { im2col(x + (first + i) * inSize, col + i * hw, ld: ld) }
                }
                let g0: UnsafePointer<Float>
                if relu {
                    // Gather and apply the ReLU mask (output > 0) in one pass.
                    for i in 0..<n {
                        for co in 0..<outChannels {
                            let src = dy + (first + i) * outSize + co * hw, ys = yOut + (first + i) * outSize + co * hw
                            let d = dyc + co * ld + i * hw
                            // An unconditional load and a select: `ys > 0 ? src : 0` compiles to slow masked loads.
                            for p in 0..<hw { let v = src[p]; d[p] = ys[p] > 0 ? v : 0 }
                        }
                    }
                    g0 = UnsafePointer(dyc)
                } else if n == 1 && ld == hw {
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
                for co in 0..<outChannels { pbc[co] = beta * pbc[co] + sumRun(g0 + co * ld, cols) }
                if wide {
                    // dWᵀ[kg, co] (+)= col[kg, cols] · g0ᵀ, with g0ᵀ packed as [co/32][cols][32].
                    for jb in 0..<(outChannels / 32) {
                        // Contiguous writes, 32 sequential read streams.
                        let panel = dyT + jb * cols * 32, src = g0 + jb * 32 * ld
                        for p in 0..<cols {
                            let dst = panel + p &* 32
                            for q in 0..<32 { dst[q] = src[q &* ld &+ p] }
                        }
                    }
                    if padIm {
                        // Channel blocks: im2col, the block's rows of dWᵀ, and of the input gradient (col2im).
                        for i in 0..<n { padSample(x + (first + i) * inSize, xpad + i * padded) }
                        for c0 in stride(from: 0, to: cin, by: cb) {
                            let cn = Swift.min(cb, cin - c0), rows = cn * khw
                            for i in 0..<n {
                                GemmKernel.im2col(xpad + i * padded + c0 * hp * wp, cn, hp, wp, kh, kw, dh, dw, ho, wo, col + i * hw, ld)
                            }
                            GemmKernel.gemm32(rows, outChannels, cols, col, ld, 1, dyT, cols * 32, 32,
                                              pw + slot * wCount + c0 * khw * outChannels, outChannels, beta == 0 ? 0 : 1)
                            guard inputGradient else { continue }
                            GemmKernel.gemm32(rows, ld, outChannels, wt + c0 * khw, 1, kg, g0, 32, ld, dcol, ld, 0)
                            for i in 0..<n {
                                col2imPadded(dcol + i * hw, channels: c0, cn, dpad + i * padded, dxp + (first + i) * inSize, ld: ld)
                            }
                        }
                        continue
                    }
                    GemmKernel.gemm32(kg, outChannels, cols, col, ld, 1, dyT, cols * 32, 32, pw + slot * wCount, outChannels,
                               beta == 0 ? 0 : 1)
                } else {
                    for g in 0..<groups {
                        gemm(false, true, cog, kg, cols, 1, g0 + g * cog * ld, ld, col + g * kg * ld, ld, beta,
                             pw + slot * wCount + g * cog * kg, kg)
                    }
                }
                if inputGradient {
                    if wide {
                        GemmKernel.gemm32(kg, ld, outChannels, wt, 1, kg, g0, 32, ld, dcol, ld, 0)
                    } else {
                        for g in 0..<groups {
                            gemm(true, false, kg, ld, cog, 1, wt + g * cog * kg, kg, g0 + g * cog * ld, ld, 0, dcol + g * kg * ld, ld)
                        }
                    }
                    for i in 0..<n { col2im(dcol + i * hw, dxp + (first + i) * inSize, ld: ld) }
                }
            }
            }
        }
        let gw = weights[0].grad.ptr
        if wide {
            // Slots hold dWᵀ ([kg, out_channels]): sum them in slot order into slot 0, then transpose back.
            for c in 1..<Swift.max(slots, 1) {
                let src = pw + c * wCount
                for i in 0..<wCount { pw[i] += src[i] }
            }
            for j in 0..<kg {
                for co in 0..<outChannels { gw[co * kg + j] = pw[j * outChannels + co] }
            }
        } else {
            gw.update(from: pw, count: wCount)
            for c in 1..<Swift.max(slots, 1) {
                let src = pw + c * wCount
                for i in 0..<wCount { gw[i] += src[i] }
            }
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
