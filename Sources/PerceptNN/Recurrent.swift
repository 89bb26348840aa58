import Foundation
import PerceptCore
import CPerceptNNKernels

/// The cell a `RecurrentEngine` runs: LSTM (4 gates) or GRU (3 gates), PyTorch's equations.
enum CellKind: Sendable {
    case lstm, gru
    var gates: Int { self == .lstm ? 4 : 3 }
}

/// Options shared by `lstm` and `gru` (PyTorch names where PyTorch has them).
enum RecurrentOptions {
    /// The options the typed initialisers of `LSTM` and `GRU` were given.
    static func given(_ hiddenSize: Int, _ inputSize: Int?, _ numLayers: Int?, _ bidirectional: Bool?, _ returnSequences: Bool?,
                      _ bias: Bool?, _ dropout: Float?, _ initializer: Initializer?) -> [String: Value] {
        PerceptCore.given(["hidden_size": hiddenSize, "input_size": inputSize, "num_layers": numLayers, "bidirectional": bidirectional,
                         "return_sequences": returnSequences, "bias": bias, "dropout": dropout, "init": initializer])
    }

    static let specs: [ParameterSpec] = [
        ParameterSpec("hidden_size", .int, doc: "features of the hidden state"),
        ParameterSpec("input_size", .int, doc: "features per frame; inferred from the previous layer when omitted"),
        ParameterSpec("num_layers", .int, default: "1", doc: "stacked recurrent layers (each feeds its whole sequence to the next)"),
        ParameterSpec("bidirectional", .bool, default: "false", doc: "add a second pass from the last frame to the first; outputs are concatenated"),
        ParameterSpec("return_sequences", .bool, default: "false",
                      doc: "output every frame [T, hidden·directions] instead of the last state [hidden·directions]"),
        ParameterSpec("bias", .bool, default: "true", doc: "learned biases bias_ih and bias_hh"),
        ParameterSpec("dropout", .float, default: "0",
                      doc: "while training, dropout with this probability on the outputs of every layer but the last (needs num_layers ≥ 2)"),
        ParameterSpec("init", .choice, choices: Initializer.allCases.map(\.rawValue),
                      doc: "omitted: weights U(±1/sqrt(hidden_size)), biases 0 but the LSTM forget gate's 1; torch_default: PyTorch's exact default, every weight and bias U(±1/sqrt(hidden_size)); another scheme: its formula on weight_ih (fan_in = input features) and weight_hh (fan_in = hidden_size), fan_out = gates × hidden_size, biases as when omitted"),
    ]
}

@inline(__always) func sigmoid(_ x: Float) -> Float { 1 / (1 + Foundation.exp(-x)) }

typealias F8 = SIMD8<Float>
@inline(__always) func ld8(_ p: UnsafePointer<Float>) -> F8 { UnsafeRawPointer(p).loadUnaligned(as: F8.self) }
@inline(__always) func ld8(_ p: UnsafeMutablePointer<Float>) -> F8 { UnsafeRawPointer(p).loadUnaligned(as: F8.self) }
@inline(__always) func st8(_ p: UnsafeMutablePointer<Float>, _ v: F8) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: F8.self) }

/// e^x for 8 floats (Cephes `expf`: range reduction by ln 2 and a degree-5 polynomial, ≈1 ulp),
/// so the gate nonlinearities vectorise instead of calling libm once per element.
@inline(__always) func exp8(_ x: F8) -> F8 {
    // Clamp with compares and blends: `clamped(lowerBound:upperBound:)` is a generic call per use.
    var xc = x
    xc.replace(with: F8(repeating: -87.3), where: x .< -87.3)
    xc.replace(with: F8(repeating: 88.3), where: x .> 88.3)
    // Round to nearest by adding 1.5·2²³: the integer lands in the low mantissa bits (SIMD
    // float→int conversions and `rounded` are not vectorised by the compiler).
    let t = xc * 1.44269504088896341 + 12582912
    let n = t - 12582912
    let r = xc - n * 0.693359375 + n * 2.12194440e-4
    var p = F8(repeating: 1.9875691500e-4)
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    let y = p * (r * r) + r + 1
    let bits = (unsafeBitCast(t, to: SIMD8<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
    return y * unsafeBitCast(bits, to: F8.self)
}
@inline(__always) func sigmoid8(_ x: F8) -> F8 { 1 / (1 + exp8(-x)) }
/// tanh x = 2σ(2x) − 1 (absolute error ≈ 1e-7).
@inline(__always) func tanh8(_ x: F8) -> F8 { 2 / (1 + exp8(-2 * x)) - 1 }

/// Forward and backward-through-time passes of a stacked, optionally bidirectional LSTM or GRU.
///
/// Per sample the input is `[T, input_size]` (PyTorch `batch_first`). For each layer and direction
/// the input part of every gate for all frames of the batch is one GEMM (`[B·T, I] × [I, G·H]`);
/// each step then adds `h_{t-1}·W_hhᵀ` (one GEMM of `[B, H] × [H, G·H]`, written in place with a
/// row stride of `T·G·H`) and applies the gate nonlinearities. Backward runs one `dgates·W_hh` GEMM
/// per step and the weight gradients as single GEMMs over all `B·T` rows.
///
/// The GEMMs use `pnn_gemm32` (C, AVX-512, weights packed once per batch) when the CPU has
/// AVX-512 and the widths are multiples of 32, else `panelGemm` (Swift AVX2) or OpenBLAS: the
/// per-step products are too small for OpenBLAS, which re-packs W_hh on every call. Every output
/// element is one k-ordered FMA chain in these kernels, so results do not depend on the batch split
/// or the thread count.
///
/// Padding: a sample of length `L` runs frames `0..<L` only. Its padded frames output zeros, the
/// reverse direction starts at frame `L-1` from a zero state, and the last state is read at `L-1`
/// (forward) and `0` (reverse), as PyTorch's packed sequences do. Backward gives padded frames no
/// gradient.
final class RecurrentEngine {
    let kind: CellKind
    let owner: String
    let hidden: Int, numLayers: Int, directions: Int
    let returnSequences: Bool, useBias: Bool
    let declaredInput: Int?
    /// PyTorch's `dropout`: inverted dropout between stacked layers while training.
    let dropout: Float
    /// The `init` option; nil keeps Percept's recurrent default (see `RecurrentOptions.specs`).
    let initializer: Initializer?
    /// Per layer but the last: the mask (0 or 1/(1−p)) and the masked output the next layer read,
    /// when the last forward pass was a training pass with dropout.
    private var dropMask: [FloatBuffer] = [], dropped: [FloatBuffer] = []
    private var dropActive = false
    private(set) var frames = 0, inputSize = 0
    private(set) var units: [Unit] = []
    /// Trainable tensors in PyTorch's `state_dict` order.
    private(set) var params: [Param] = []
    /// Valid frames per sample of the current batch (all `frames` when unmasked).
    private(set) var lengths: [Int] = []

    private var layerOut: [FloatBuffer] = []     // [B, T, D·H] per layer
    private let out = FloatBuffer(), dSeq = FloatBuffer(), dIn = FloatBuffer(), dIn2 = FloatBuffer()
    private var input: UnsafePointer<Float>?
    /// Samples per work item; fixed so results do not depend on the number of threads.
    let rowChunk = 16

    /// One direction of one layer: its weights and what backward needs from the forward pass.
    final class Unit {
        let wih: Param, whh: Param, bih: Param?, bhh: Param?
        let reverse: Bool, inSize: Int
        /// Activated gates per frame `[B, T, G·H]` (LSTM i, f, g, o; GRU r, z, n).
        let gates = FloatBuffer()
        /// LSTM: cell state c_t; GRU: W_hn·h_{t-1} + b_hn. `[B, T, H]`.
        let cell = FloatBuffer()
        /// The state each step started from `[B, T, H]` (rows of the recurrent GEMMs).
        let hprev = FloatBuffer()
        /// h_t `[B, T, H]` (zero at padded frames).
        let hseq = FloatBuffer()
        /// Pre-activation gate gradients (input side), and for GRU the hidden side.
        let dgates = FloatBuffer(), dgh = FloatBuffer()
        /// LSTM: tanh(c_t), kept for backward.
        let tanhc = FloatBuffer()
        let bias = FloatBuffer(), step = FloatBuffer(), dh = FloatBuffer(), dc = FloatBuffer(), direct = FloatBuffer()
        /// W_hh packed for `panelGemm`: forward (`h·W_hhᵀ`) and backward (`dgates·W_hh`) layouts.
        let packedF = FloatBuffer(), packedB = FloatBuffer()
        /// W_ih packed for the input GEMM, and dW_ihᵀ `[I, G]` before it is transposed into the gradient.
        let packedIH = FloatBuffer(), dwihT = FloatBuffer()
        init(wih: Param, whh: Param, bih: Param?, bhh: Param?, reverse: Bool, inSize: Int) {
            self.wih = wih; self.whh = whh; self.bih = bih; self.bhh = bhh; self.reverse = reverse; self.inSize = inSize
        }
    }

    init(kind: CellKind, owner: String, _ p: Parameters) throws {
        self.kind = kind
        self.owner = owner
        let h = try p.int("hidden_size", atLeast: 1)
        hidden = h
        numLayers = try p.int("num_layers", atLeast: 1)
        directions = try p.bool("bidirectional") ? 2 : 1
        returnSequences = try p.bool("return_sequences")
        useBias = try p.bool("bias")
        declaredInput = try p.optionalInt("input_size", atLeast: 1)
        dropout = try p.float("dropout")
        initializer = p.isSet("init") ? try Initializer.option(p) : nil
        guard dropout >= 0 && dropout < 1 else { throw p.invalid("dropout", "dropout=\(dropout) must be in [0, 1)") }
        // PyTorch only warns; here it is an error, since the option would silently do nothing.
        if dropout > 0 && numLayers == 1 {
            throw p.invalid("dropout", "acts between stacked layers and num_layers is 1; add a dropout layer after this one instead")
        }
    }

    var outputWidth: Int { hidden * directions }

    func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] {
        guard inputShape.count == 2 else {
            throw ShapeMismatch(expected: "[frames, features] (rank 2; a [C, F, T] feature map needs a to_sequence layer first)")
        }
        if let d = declaredInput, d != inputShape[1] { throw ShapeMismatch(expected: "[frames, \(d)] (input_size)") }
        frames = inputShape[0]
        inputSize = inputShape[1]
        let g = kind.gates * hidden
        let bound = 1 / Float(hidden).squareRoot()
        units = []; params = []; layerOut = []
        for l in 0..<numLayers {
            let inSize = l == 0 ? inputSize : outputWidth
            for d in 0..<directions {
                let suffix = "_l\(l)" + (d == 1 ? "_reverse" : "")
                let wih = try Param(name: "weight_ih" + suffix, shape: [g, inSize])
                let whh = try Param(name: "weight_hh" + suffix, shape: [g, hidden])
                if let scheme = initializer, scheme != .torchDefault {
                    scheme.fill(wih, fanIn: inSize, fanOut: g, rng: &rng)
                    scheme.fill(whh, fanIn: hidden, fanOut: g, rng: &rng)
                } else {
                    // PyTorch's default U(-1/√H, 1/√H) for the matrices.
                    for i in 0..<wih.count { wih.value.ptr[i] = rng.uniform(-bound, bound) }
                    for i in 0..<whh.count { whh.value.ptr[i] = rng.uniform(-bound, bound) }
                }
                var bih: Param?, bhh: Param?
                if useBias {
                    let bi = try Param(name: "bias_ih" + suffix, shape: [g]), bh = try Param(name: "bias_hh" + suffix, shape: [g])
                    if initializer == .torchDefault {
                        // PyTorch's reset_parameters: every parameter U(-1/√H, 1/√H), in parameter order.
                        for i in 0..<g { bi.value.ptr[i] = rng.uniform(-bound, bound) }
                        for i in 0..<g { bh.value.ptr[i] = rng.uniform(-bound, bound) }
                    } else if kind == .lstm {
                        // Biases start at zero, except the LSTM forget gate (rows H..<2H) at 1, so that the
                        // cell keeps its memory early in training (Jozefowicz et al. 2015).
                        for j in hidden..<(2 * hidden) { bi.value.ptr[j] = 1 }
                    }
                    bih = bi; bhh = bh
                }
                units.append(Unit(wih: wih, whh: whh, bih: bih, bhh: bhh, reverse: d == 1, inSize: inSize))
                params += [wih, whh] + [bih, bhh].compactMap { $0 }
            }
            layerOut.append(FloatBuffer())
        }
        dropMask = (0..<(numLayers - 1)).map { _ in FloatBuffer() }
        dropped = (0..<(numLayers - 1)).map { _ in FloatBuffer() }
        return returnSequences ? [frames, outputWidth] : [outputWidth]
    }

    // MARK: forward

    func forward(_ x: UnsafePointer<Float>, batch: Int, lengths given: [Int]?, context: ForwardContext) -> UnsafePointer<Float> {
        input = x
        lengths = given ?? [Int](repeating: frames, count: batch)
        let T = frames, H = hidden, D = directions, W = outputWidth
        dropActive = context.training && dropout > 0 && numLayers > 1
        var rng = context.rng
        var cur = x
        for l in 0..<numLayers {
            let y = layerOut[l]
            y.ensure(batch * T * W)
            for d in 0..<D {
                let u = units[l * D + d]
                run(u, cur, batch: batch)
                // Interleave the directions: frame t holds [h_fwd, h_rev].
                for r in 0..<(batch * T) { copyRun(y.ptr + r * W + d * H, u.hseq.ptr + r * H, H) }
            }
            cur = UnsafePointer(y.ptr)
            if dropActive && l < numLayers - 1 {
                let n = batch * T * W, keep = 1 / (1 - dropout)
                dropMask[l].ensure(n); dropped[l].ensure(n)
                let m = dropMask[l].ptr, z = dropped[l].ptr
                for i in 0..<n {
                    m[i] = rng.uniform() < dropout ? 0 : keep
                    z[i] = y.ptr[i] * m[i]
                }
                cur = UnsafePointer(z)
            }
        }
        if returnSequences { return cur }
        out.ensure(batch * W)
        for b in 0..<batch {
            for d in 0..<D {
                let u = units[(numLayers - 1) * D + d]
                let t = d == 0 ? lengths[b] - 1 : 0
                copyRun(out.ptr + b * W + d * H, u.hseq.ptr + (b * T + t) * H, H)
            }
        }
        return UnsafePointer(out.ptr)
    }

    /// Frame the step at `t` continues from, or nil at the start of the pass.
    @inline(__always) private func previous(_ t: Int, _ reverse: Bool) -> Int? {
        reverse ? (t + 1 < frames ? t + 1 : nil) : (t > 0 ? t - 1 : nil)
    }

    private func run(_ u: Unit, _ x: UnsafePointer<Float>, batch B: Int) {
        let T = frames, H = hidden, G = kind.gates * H, I = u.inSize
        u.gates.ensure(B * T * G); u.cell.ensure(B * T * H); u.hprev.ensure(B * T * H); u.hseq.ensure(B * T * H)
        u.bias.ensure(3 * G); u.step.ensure(B * G)
        if kind == .lstm { u.tanhc.ensure(B * T * H) }
        let gates = u.gates.ptr, cell = u.cell.ptr, hprev = u.hprev.ptr, hseq = u.hseq.ptr
        let bi = u.bias.ptr, bh = u.bias.ptr + G
        bi.update(repeating: 0, count: 2 * G)
        if let p = u.bih { bi.update(from: p.value.ptr, count: G) }
        if let p = u.bhh { bh.update(from: p.value.ptr, count: G) }
        let bs = u.bias.ptr + 2 * G   // b_ih + b_hh
        for j in 0..<G { bs[j] = bi[j] + bh[j] }
        let H8 = H - H % 8
        let order: [Int] = u.reverse ? Array((0..<T).reversed()) : Array(0..<T)
        // The per-step GEMMs are small ([rows, H] × [H, G]): with W_hh packed once per batch, our own
        // kernel skips the packing OpenBLAS repeats on every call.
        let packed = H % panelWidth == 0
        if packed {
            u.packedF.ensure(H * G)
            packPanels(u.whh.value.ptr, rows: G, cols: H, transposed: true, into: u.packedF.ptr)
        }
        let whhF = UnsafePointer(u.packedF.ptr)
        let wideCell = wideKernel && H % 16 == 0
        let wideInput = wideKernel && G % panelWidth == 0
        if wideInput {
            u.packedIH.ensure(I * G)
            packPanels(u.wih.value.ptr, rows: G, cols: I, transposed: true, into: u.packedIH.ptr)
        }
        let wihF = UnsafePointer(u.packedIH.ptr)
        // Samples are independent through time: fixed chunks of rows run on the workers (the same
        // GEMM calls whatever the thread count, so results do not depend on it).
        forRowChunks(B, heavy: H * G >= 4096) { b0, b1 in
            let nb = b1 - b0
            // The input part of every gate for all frames of these samples: one GEMM.
            if wideInput {
                pnn_gemm32(nb * T, G, I, x + b0 * T * I, I, 1, wihF, I * panelWidth, panelWidth, gates + b0 * T * G, G, 0)
            } else {
                gemm(false, true, nb * T, G, I, 1, x + b0 * T * I, I, u.wih.value.ptr, I, 0, gates + b0 * T * G, G)
            }
            for t in order {
                let prev = previous(t, u.reverse)
                for b in b0..<b1 {
                    let dst = hprev + (b * T + t) * H
                    if let p = prev { copyRun(dst, hseq + (b * T + p) * H, H) } else { dst.update(repeating: 0, count: H) }
                }
                switch kind {
                case .lstm:
                    if prev != nil {
                        if packed {
                            panelGemm(nb, G, H, hprev + (b0 * T + t) * H, T * H, whhF, gates + (b0 * T + t) * G, T * G, accumulate: true)
                        } else {
                            gemm(false, true, nb, G, H, 1, hprev + (b0 * T + t) * H, T * H, u.whh.value.ptr, H, 1, gates + (b0 * T + t) * G, T * G)
                        }
                    }
                    for b in b0..<b1 {
                        let r = b * T + t, gt = gates + r * G, c = cell + r * H, h = hseq + r * H
                        guard t < lengths[b] else {
                            c.update(repeating: 0, count: H); h.update(repeating: 0, count: H); continue
                        }
                        let cp: UnsafeMutablePointer<Float>? = prev.map { cell + (b * T + $0) * H }
                        let tch = u.tanhc.ptr + r * H
                        if wideCell {
                            pnn_lstm_cell(H, gt, bs, cp, c, tch, h)
                            continue
                        }
                        var j = 0
                        while j < H8 {
                            let ig = sigmoid8(ld8(gt + j) + ld8(bs + j))
                            let fg = sigmoid8(ld8(gt + H + j) + ld8(bs + H + j))
                            let gg = tanh8(ld8(gt + 2 * H + j) + ld8(bs + 2 * H + j))
                            let og = sigmoid8(ld8(gt + 3 * H + j) + ld8(bs + 3 * H + j))
                            let cv = fg * (cp.map { ld8($0 + j) } ?? F8()) + ig * gg
                            let tc = tanh8(cv)
                            st8(gt + j, ig); st8(gt + H + j, fg); st8(gt + 2 * H + j, gg); st8(gt + 3 * H + j, og)
                            st8(c + j, cv); st8(tch + j, tc); st8(h + j, og * tc)
                            j += 8
                        }
                        while j < H {
                            let ig = sigmoid(gt[j] + bs[j])
                            let fg = sigmoid(gt[H + j] + bs[H + j])
                            let gg = tanhf(gt[2 * H + j] + bs[2 * H + j])
                            let og = sigmoid(gt[3 * H + j] + bs[3 * H + j])
                            let cv = fg * (cp?[j] ?? 0) + ig * gg
                            gt[j] = ig; gt[H + j] = fg; gt[2 * H + j] = gg; gt[3 * H + j] = og
                            c[j] = cv
                            tch[j] = tanhf(cv)
                            h[j] = og * tch[j]
                            j += 1
                        }
                    }
                case .gru:
                    let gh = u.step.ptr
                    if prev != nil {
                        if packed {
                            panelGemm(nb, G, H, hprev + (b0 * T + t) * H, T * H, whhF, gh + b0 * G, G, accumulate: false)
                        } else {
                            gemm(false, true, nb, G, H, 1, hprev + (b0 * T + t) * H, T * H, u.whh.value.ptr, H, 0, gh + b0 * G, G)
                        }
                    } else {
                        (gh + b0 * G).update(repeating: 0, count: nb * G)
                    }
                    for b in b0..<b1 {
                        let r = b * T + t, gt = gates + r * G, hn = cell + r * H, h = hseq + r * H
                        guard t < lengths[b] else {
                            hn.update(repeating: 0, count: H); h.update(repeating: 0, count: H); continue
                        }
                        let ghb = gh + b * G, hp = hprev + r * H
                        var j = 0
                        while j < H8 {
                            let rg = sigmoid8(ld8(gt + j) + ld8(ghb + j) + ld8(bs + j))
                            let zg = sigmoid8(ld8(gt + H + j) + ld8(ghb + H + j) + ld8(bs + H + j))
                            let hnv = ld8(ghb + 2 * H + j) + ld8(bh + 2 * H + j)
                            let ng = tanh8(ld8(gt + 2 * H + j) + ld8(bi + 2 * H + j) + rg * hnv)
                            st8(gt + j, rg); st8(gt + H + j, zg); st8(gt + 2 * H + j, ng)
                            st8(hn + j, hnv)
                            st8(h + j, (1 - zg) * ng + zg * ld8(hp + j))
                            j += 8
                        }
                        while j < H {
                            let rg = sigmoid(gt[j] + ghb[j] + bs[j])
                            let zg = sigmoid(gt[H + j] + ghb[H + j] + bs[H + j])
                            let hnv = ghb[2 * H + j] + bh[2 * H + j]
                            let ng = tanhf(gt[2 * H + j] + bi[2 * H + j] + rg * hnv)
                            gt[j] = rg; gt[H + j] = zg; gt[2 * H + j] = ng
                            hn[j] = hnv
                            h[j] = (1 - zg) * ng + zg * hp[j]
                            j += 1
                        }
                    }
                }
            }
        }
    }

    // MARK: backward

    func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        guard let x = input else { return nil }
        let T = frames, H = hidden, D = directions, W = outputWidth
        var dcur: UnsafePointer<Float>
        if returnSequences {
            dcur = dy
        } else {
            // Scatter the last-state gradient to the frames it was read from.
            dSeq.ensure(batch * T * W)
            dSeq.zero(batch * T * W)
            for b in 0..<batch {
                for d in 0..<D {
                    let t = d == 0 ? lengths[b] - 1 : 0
                    copyRun(dSeq.ptr + (b * T + t) * W + d * H, dy + b * W + d * H, H)
                }
            }
            dcur = UnsafePointer(dSeq.ptr)
        }
        var bufs = [dIn, dIn2]
        for l in stride(from: numLayers - 1, through: 0, by: -1) {
            let xin = l == 0 ? x : UnsafePointer(dropActive ? dropped[l - 1].ptr : layerOut[l - 1].ptr)
            let needInput = l > 0 || inputGradient
            let inSize = units[l * D].inSize
            let dx = bufs[0]
            if needInput { dx.ensure(batch * T * inSize) }
            for d in 0..<D {
                let u = units[l * D + d]
                backRun(u, xin, dcur + d * H, ld: W, batch: batch, dx: needInput ? dx.ptr : nil, accumulate: d > 0)
            }
            guard needInput else { return nil }
            if dropActive && l > 0 {
                // Through the dropout between layers l−1 and l: the same mask.
                let m = dropMask[l - 1].ptr
                for i in 0..<(batch * T * inSize) { dx.ptr[i] *= m[i] }
            }
            dcur = UnsafePointer(dx.ptr)
            bufs.swapAt(0, 1)
        }
        return dcur
    }

    /// BPTT for one direction; `dy` points at this direction's columns of the output gradient, rows `ld` apart.
    private func backRun(_ u: Unit, _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, ld: Int, batch B: Int,
                         dx: UnsafeMutablePointer<Float>?, accumulate: Bool) {
        let T = frames, H = hidden, G = kind.gates * H, I = u.inSize
        u.dgates.ensure(B * T * G); u.dh.ensure(B * H); u.dc.ensure(B * H)
        let gates = u.gates.ptr, cell = u.cell.ptr, hprev = u.hprev.ptr, dg = u.dgates.ptr
        let dhrec = u.dh.ptr, dcnext = u.dc.ptr, H8 = H - H % 8
        let order: [Int] = u.reverse ? Array(0..<T) : Array((0..<T).reversed())
        if kind == .gru { u.dgh.ensure(B * T * G); u.direct.ensure(B * H) }
        let heavy = H * G >= 4096
        let packed = H % panelWidth == 0
        if packed {
            u.packedB.ensure(H * G)
            packPanels(u.whh.value.ptr, rows: G, cols: H, transposed: false, into: u.packedB.ptr)
        }
        let whhB = UnsafePointer(u.packedB.ptr)
        forRowChunks(B, heavy: heavy) { b0, b1 in
            let nb = b1 - b0
            (dhrec + b0 * H).update(repeating: 0, count: nb * H); (dcnext + b0 * H).update(repeating: 0, count: nb * H)
            switch kind {
            case .lstm:
                for t in order {
                    let prev = previous(t, u.reverse)
                    for b in b0..<b1 {
                        let r = b * T + t, gt = gates + r * G, dgt = dg + r * G, dcb = dcnext + b * H, dhb = dhrec + b * H
                        guard t < lengths[b] else {
                            dgt.update(repeating: 0, count: G); dcb.update(repeating: 0, count: H); continue
                        }
                        let tch = u.tanhc.ptr + r * H, dyr = dy + r * ld
                        let cp: UnsafeMutablePointer<Float>? = prev.map { cell + (b * T + $0) * H }
                        var j = 0
                        while j < H8 {
                            let ig = ld8(gt + j), fg = ld8(gt + H + j), gg = ld8(gt + 2 * H + j), og = ld8(gt + 3 * H + j)
                            let dh = ld8(dyr + j) + ld8(dhb + j)
                            let tc = ld8(tch + j)
                            let dc = ld8(dcb + j) + dh * og * (1 - tc * tc)
                            st8(dgt + j, dc * gg * ig * (1 - ig))
                            st8(dgt + H + j, dc * (cp.map { ld8($0 + j) } ?? F8()) * fg * (1 - fg))
                            st8(dgt + 2 * H + j, dc * ig * (1 - gg * gg))
                            st8(dgt + 3 * H + j, dh * tc * og * (1 - og))
                            st8(dcb + j, dc * fg)
                            j += 8
                        }
                        while j < H {
                            let ig = gt[j], fg = gt[H + j], gg = gt[2 * H + j], og = gt[3 * H + j]
                            let dh = dyr[j] + dhb[j]
                            let tc = tch[j]
                            let dc = dcb[j] + dh * og * (1 - tc * tc)
                            dgt[j] = dc * gg * ig * (1 - ig)
                            dgt[H + j] = dc * (cp?[j] ?? 0) * fg * (1 - fg)
                            dgt[2 * H + j] = dc * ig * (1 - gg * gg)
                            dgt[3 * H + j] = dh * tc * og * (1 - og)
                            dcb[j] = dc * fg
                            j += 1
                        }
                    }
                    if prev != nil {
                        if packed {
                            panelGemm(nb, H, G, dg + (b0 * T + t) * G, T * G, whhB, dhrec + b0 * H, H, accumulate: false)
                        } else {
                            gemm(false, false, nb, H, G, 1, dg + (b0 * T + t) * G, T * G, u.whh.value.ptr, H, 0, dhrec + b0 * H, H)
                        }
                    }
                }
            case .gru:
                let dgh = u.dgh.ptr, direct = u.direct.ptr
                for t in order {
                    let prev = previous(t, u.reverse)
                    for b in b0..<b1 {
                        let r = b * T + t, gt = gates + r * G, dgt = dg + r * G, dght = dgh + r * G
                        let dhb = dhrec + b * H, dir = direct + b * H
                        guard t < lengths[b] else {
                            dgt.update(repeating: 0, count: G); dght.update(repeating: 0, count: G)
                            dir.update(repeating: 0, count: H); continue
                        }
                        let hn = cell + r * H, hp = hprev + r * H, dyr = dy + r * ld
                        for j in 0..<H {
                            let rg = gt[j], zg = gt[H + j], ng = gt[2 * H + j]
                            let dh = dyr[j] + dhb[j]
                            let dnp = dh * (1 - zg) * (1 - ng * ng)
                            let drp = dnp * hn[j] * rg * (1 - rg)
                            let dzp = dh * (hp[j] - ng) * zg * (1 - zg)
                            dgt[j] = drp; dgt[H + j] = dzp; dgt[2 * H + j] = dnp
                            dght[j] = drp; dght[H + j] = dzp; dght[2 * H + j] = dnp * rg
                            dir[j] = dh * zg
                        }
                    }
                    if prev != nil {
                        if packed {
                            panelGemm(nb, H, G, dgh + (b0 * T + t) * G, T * G, whhB, dhrec + b0 * H, H, accumulate: false)
                        } else {
                            gemm(false, false, nb, H, G, 1, dgh + (b0 * T + t) * G, T * G, u.whh.value.ptr, H, 0, dhrec + b0 * H, H)
                        }
                        addRun(dhrec + b0 * H, direct + b0 * H, nb * H)
                    } else {
                        (dhrec + b0 * H).update(repeating: 0, count: nb * H)
                    }
                }
            }
            if let dx {
                gemm(false, false, nb * T, I, G, 1, dg + b0 * T * G, G, u.wih.value.ptr, I, accumulate ? 1 : 0, dx + b0 * T * I, I)
            }
        }
        // Weight gradients sum over every row: split by gate rows instead (fixed chunks again).
        let dgHidden = kind == .gru ? UnsafePointer(u.dgh.ptr) : UnsafePointer(dg)
        let gChunk = 128, gChunks = (G + gChunk - 1) / gChunk
        let wideT = wideKernel && gChunk % panelWidth == 0 && G % panelWidth == 0
        if wideT { u.dwihT.ensure(I * G) }
        forChunks(gChunks, parallel: heavy && gChunks > 1) { c in
            let g0 = c * gChunk, ng = Swift.min(G, g0 + gChunk) - g0
            if wideKernel && H % panelWidth == 0 {
                // dW_hh = dgatesᵀ·h_prev over all B·T rows, reading both operands in place.
                pnn_gemm32(ng, H, B * T, dgHidden + g0, 1, G, hprev, panelWidth, H, u.whh.grad.ptr + g0 * H, H, 0)
            } else {
                gemm(true, false, ng, H, B * T, 1, dgHidden + g0, G, hprev, H, 0, u.whh.grad.ptr + g0 * H, H)
            }
            if wideT {
                // dW_ihᵀ = xᵀ·dgates (columns are gates, a multiple of 32); transposed below.
                pnn_gemm32(I, ng, B * T, x, 1, I, dg + g0, panelWidth, G, u.dwihT.ptr + g0, G, 0)
            } else {
                gemm(true, false, ng, I, B * T, 1, dg + g0, G, x, I, 0, u.wih.grad.ptr + g0 * I, I)
            }
        }
        if wideT {
            let src = u.dwihT.ptr, dst = u.wih.grad.ptr
            for i in 0..<I { for g in 0..<G { dst[g * I + i] = src[i * G + g] } }
        }
        if let p = u.bih { columnSums(dg, rows: B * T, cols: G, into: p.grad.ptr) }
        if let p = u.bhh { columnSums(dgHidden, rows: B * T, cols: G, into: p.grad.ptr) }
    }

    /// Runs `body(first, end)` over fixed chunks of `rowChunk` samples, on the workers when `heavy`.
    private func forRowChunks(_ batch: Int, heavy: Bool, _ body: (Int, Int) -> Void) {
        let chunks = (batch + rowChunk - 1) / rowChunk
        forChunks(chunks, parallel: heavy && chunks > 1) { c in body(c * rowChunk, Swift.min(batch, (c + 1) * rowChunk)) }
    }

    private func forChunks(_ count: Int, parallel: Bool, _ body: (Int) -> Void) {
        if parallel { Parallel.forEach(count: count, body) } else { for c in 0..<count { body(c) } }
    }
}

/// Whether the AVX-512 kernel (`pnn_gemm32`, C) runs here; otherwise `panelGemm` uses Swift's AVX2 code.
/// Fixed per machine (and by `PERCEPT_NN_KERNEL`, see `GemmKernel`), so results never depend on the
/// number of threads.
let wideKernel = GemmKernel.detected == .avx512
/// Columns per panel of `packPanels` / `panelGemm`.
let panelWidth = wideKernel ? 32 : 16

/// Packs the matrix `w` (`[rows, cols]`, row-major) as the right-hand operand of `panelGemm`:
/// `B = wᵀ` (`[cols, rows]`) when `transposed`, else `B = w`; stored as `[N/16][K][16]` so that the
/// kernel reads each 16-column panel front to back.
func packPanels(_ w: UnsafePointer<Float>, rows: Int, cols: Int, transposed: Bool, into dst: UnsafeMutablePointer<Float>) {
    let K = transposed ? cols : rows, N = transposed ? rows : cols
    for jb in 0..<(N / panelWidth) {
        let panel = dst + jb * K * panelWidth
        for k in 0..<K {
            for c in 0..<panelWidth {
                let n = jb * panelWidth + c
                panel[k * panelWidth + c] = transposed ? w[n * cols + k] : w[k * cols + n]
            }
        }
    }
}

/// `C[m, n] = A[m, k] · B` (or `C += …` when `accumulate`) with `B` packed by `packPanels`; `n` a
/// multiple of 16. Each output row is a plain k-ordered FMA chain, whatever `m` is, so the results do
/// not depend on how rows are split between threads.
func panelGemm(_ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ bp: UnsafePointer<Float>,
               _ c: UnsafeMutablePointer<Float>, _ ldc: Int, accumulate: Bool) {
    if wideKernel {
        pnn_gemm32(m, n, k, a, lda, 1, bp, k * panelWidth, panelWidth, c, ldc, accumulate ? 1 : 0)
        return
    }
    @inline(__always) func put(_ p: UnsafeMutablePointer<Float>, _ v: F8) { st8(p, accumulate ? ld8(p) + v : v) }
    for jb in 0..<(n / panelWidth) {
        let panel = bp + jb * k * panelWidth, col = jb * panelWidth
        var i = 0
        // 4 rows × 16 columns: 8 accumulators hide the FMA latency on two FMA pipes.
        while i + 4 <= m {
            let a0 = a + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda
            var c00 = F8(), c01 = F8(), c10 = F8(), c11 = F8(), c20 = F8(), c21 = F8(), c30 = F8(), c31 = F8()
            var p = panel
            for kk in 0..<k {
                let b0 = ld8(p), b1 = ld8(p + 8)
                p += panelWidth
                let x0 = F8(repeating: a0[kk]), x1 = F8(repeating: a1[kk])
                let x2 = F8(repeating: a2[kk]), x3 = F8(repeating: a3[kk])
                c00 = c00.addingProduct(x0, b0); c01 = c01.addingProduct(x0, b1)
                c10 = c10.addingProduct(x1, b0); c11 = c11.addingProduct(x1, b1)
                c20 = c20.addingProduct(x2, b0); c21 = c21.addingProduct(x2, b1)
                c30 = c30.addingProduct(x3, b0); c31 = c31.addingProduct(x3, b1)
            }
            let r0 = c + i * ldc + col, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc
            put(r0, c00); put(r0 + 8, c01); put(r1, c10); put(r1 + 8, c11)
            put(r2, c20); put(r2 + 8, c21); put(r3, c30); put(r3 + 8, c31)
            i += 4
        }
        while i < m {
            let a0 = a + i * lda
            var c00 = F8(), c01 = F8()
            var p = panel
            for kk in 0..<k {
                let x0 = F8(repeating: a0[kk])
                c00 = c00.addingProduct(x0, ld8(p)); c01 = c01.addingProduct(x0, ld8(p + 8))
                p += panelWidth
            }
            let r0 = c + i * ldc + col
            put(r0, c00); put(r0 + 8, c01)
            i += 1
        }
    }
}

/// `dst[j] = Σ_r src[r, j]` (accumulated in Double: bias gradients sum B·T rows).
func columnSums(_ src: UnsafePointer<Float>, rows: Int, cols: Int, into dst: UnsafeMutablePointer<Float>) {
    var acc = [Double](repeating: 0, count: cols)
    for r in 0..<rows {
        let row = src + r * cols
        for j in 0..<cols { acc[j] += Double(row[j]) }
    }
    for j in 0..<cols { dst[j] = Float(acc[j]) }
}

/// What `lstm` and `gru` share: the options, the engine, the mask and the Layer plumbing; the
/// subclasses only name the cell.
///
///     let lstm: RecurrentLayer = try LSTM(hiddenSize: 64)
public class RecurrentLayer: MaskConsumer {
    public let values: [String: Value]
    public var mask: SequenceMask?
    let engine: RecurrentEngine

    init(_ params: Parameters, kind: CellKind, owner: String) throws {
        values = params.values
        engine = try RecurrentEngine(kind: kind, owner: owner, params)
    }

    public var hiddenSize: Int { engine.hidden }
    public var maskFrames: Int { engine.frames }
    public var weights: [Param] { engine.params }

    public func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] {
        try engine.build(inputShape: inputShape, rng: &rng)
    }

    public func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float> {
        engine.forward(x, batch: batch, lengths: mask?.lengths(onAxisOf: engine.frames, batch: batch), context: context)
    }

    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        engine.backward(dy, batch: batch, inputGradient: inputGradient)
    }
}
