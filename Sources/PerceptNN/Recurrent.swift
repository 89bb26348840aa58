import Foundation
import PerceptCore

/// The cell a `RecurrentEngine` runs: LSTM (4 gates) or GRU (3 gates), PyTorch's equations.
enum CellKind: Sendable {
    case lstm, gru
    var gates: Int { self == .lstm ? 4 : 3 }
}

/// Options shared by `lstm` and `gru` (PyTorch names where PyTorch has them).
enum RecurrentOptions {
    static let specs: [ParameterSpec] = [
        ParameterSpec("hidden_size", .int, doc: "features of the hidden state"),
        ParameterSpec("input_size", .int, doc: "features per frame; inferred from the previous layer when omitted"),
        ParameterSpec("num_layers", .int, default: "1", doc: "stacked recurrent layers (each feeds its whole sequence to the next)"),
        ParameterSpec("bidirectional", .bool, default: "false", doc: "add a second pass from the last frame to the first; outputs are concatenated"),
        ParameterSpec("return_sequences", .bool, default: "false",
                      doc: "output every frame [T, hidden·directions] instead of the last state [hidden·directions]"),
        ParameterSpec("bias", .bool, default: "true", doc: "learned biases bias_ih and bias_hh"),
    ]
}

@inline(__always) func sigmoid(_ x: Float) -> Float { 1 / (1 + Foundation.exp(-x)) }

/// Forward and backward-through-time passes of a stacked, optionally bidirectional LSTM or GRU.
///
/// Per sample the input is `[T, input_size]` (PyTorch `batch_first`). For each layer and direction
/// the input part of every gate for all frames of the batch is one `cblas_sgemm`
/// (`[B·T, I] × [I, G·H]`); each step then adds `h_{t-1}·W_hhᵀ` (one GEMM of `[B, H] × [H, G·H]`,
/// written in place with a row stride of `T·G·H`) and applies the gate nonlinearities.
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
    private(set) var frames = 0, inputSize = 0
    private(set) var units: [Unit] = []
    /// Trainable tensors in PyTorch's `state_dict` order.
    private(set) var params: [Param] = []
    /// Valid frames per sample of the current batch (all `frames` when unmasked).
    private(set) var lengths: [Int] = []

    private var layerOut: [FloatBuffer] = []     // [B, T, D·H] per layer
    private let out = FloatBuffer(), dSeq = FloatBuffer(), dIn = FloatBuffer(), dIn2 = FloatBuffer()
    private var input: UnsafePointer<Float>?

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
        let bias = FloatBuffer(), step = FloatBuffer(), dh = FloatBuffer(), dc = FloatBuffer(), direct = FloatBuffer()
        init(wih: Param, whh: Param, bih: Param?, bhh: Param?, reverse: Bool, inSize: Int) {
            self.wih = wih; self.whh = whh; self.bih = bih; self.bhh = bhh; self.reverse = reverse; self.inSize = inSize
        }
    }

    init(kind: CellKind, owner: String, _ p: Parameters) throws {
        self.kind = kind
        self.owner = owner
        guard let h = try Options.positiveInt(p, "hidden_size") else { throw p.invalid("hidden_size", "is required") }
        hidden = h
        numLayers = try Options.positiveInt(p, "num_layers") ?? 1
        directions = try p.bool("bidirectional") ?? false ? 2 : 1
        returnSequences = try p.bool("return_sequences") ?? false
        useBias = try p.bool("bias") ?? true
        declaredInput = try Options.positiveInt(p, "input_size")
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
                let wih = Param(name: "weight_ih" + suffix, shape: [g, inSize])
                let whh = Param(name: "weight_hh" + suffix, shape: [g, hidden])
                // PyTorch's default U(-1/√H, 1/√H) for the matrices.
                for i in 0..<wih.count { wih.value.ptr[i] = rng.uniform(-bound, bound) }
                for i in 0..<whh.count { whh.value.ptr[i] = rng.uniform(-bound, bound) }
                var bih: Param?, bhh: Param?
                if useBias {
                    let bi = Param(name: "bias_ih" + suffix, shape: [g]), bh = Param(name: "bias_hh" + suffix, shape: [g])
                    // Biases start at zero, except the LSTM forget gate (rows H..<2H) at 1, so that the
                    // cell keeps its memory early in training (Jozefowicz et al. 2015).
                    if kind == .lstm { for j in hidden..<(2 * hidden) { bi.value.ptr[j] = 1 } }
                    bih = bi; bhh = bh
                }
                units.append(Unit(wih: wih, whh: whh, bih: bih, bhh: bhh, reverse: d == 1, inSize: inSize))
                params += [wih, whh] + [bih, bhh].compactMap { $0 }
            }
            layerOut.append(FloatBuffer())
        }
        BLASThreads.pin()
        return returnSequences ? [frames, outputWidth] : [outputWidth]
    }

    // MARK: forward

    func forward(_ x: UnsafePointer<Float>, batch: Int, lengths given: [Int]?) -> UnsafePointer<Float> {
        input = x
        lengths = given ?? [Int](repeating: frames, count: batch)
        let T = frames, H = hidden, D = directions, W = outputWidth
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
        u.bias.ensure(2 * G); u.step.ensure(B * G)
        let gates = u.gates.ptr, cell = u.cell.ptr, hprev = u.hprev.ptr, hseq = u.hseq.ptr
        let bi = u.bias.ptr, bh = u.bias.ptr + G
        bi.update(repeating: 0, count: 2 * G)
        if let p = u.bih { bi.update(from: p.value.ptr, count: G) }
        if let p = u.bhh { bh.update(from: p.value.ptr, count: G) }
        // The input part of every gate, all frames of all samples: one GEMM.
        gemm(false, true, B * T, G, I, 1, x, I, u.wih.value.ptr, I, 0, gates, G)
        let order: [Int] = u.reverse ? Array((0..<T).reversed()) : Array(0..<T)
        for t in order {
            let prev = previous(t, u.reverse)
            for b in 0..<B {
                let dst = hprev + (b * T + t) * H
                if let p = prev { copyRun(dst, hseq + (b * T + p) * H, H) } else { dst.update(repeating: 0, count: H) }
            }
            switch kind {
            case .lstm:
                if prev != nil {
                    gemm(false, true, B, G, H, 1, hprev + t * H, T * H, u.whh.value.ptr, H, 1, gates + t * G, T * G)
                }
                for b in 0..<B {
                    let r = b * T + t, gt = gates + r * G, c = cell + r * H, h = hseq + r * H
                    guard t < lengths[b] else {
                        c.update(repeating: 0, count: H); h.update(repeating: 0, count: H); continue
                    }
                    let cp: UnsafeMutablePointer<Float>? = prev.map { cell + (b * T + $0) * H }
                    for j in 0..<H {
                        let ig = sigmoid(gt[j] + bi[j] + bh[j])
                        let fg = sigmoid(gt[H + j] + bi[H + j] + bh[H + j])
                        let gg = tanhf(gt[2 * H + j] + bi[2 * H + j] + bh[2 * H + j])
                        let og = sigmoid(gt[3 * H + j] + bi[3 * H + j] + bh[3 * H + j])
                        let cv = fg * (cp?[j] ?? 0) + ig * gg
                        gt[j] = ig; gt[H + j] = fg; gt[2 * H + j] = gg; gt[3 * H + j] = og
                        c[j] = cv
                        h[j] = og * tanhf(cv)
                    }
                }
            case .gru:
                let gh = u.step.ptr
                if prev != nil {
                    gemm(false, true, B, G, H, 1, hprev + t * H, T * H, u.whh.value.ptr, H, 0, gh, G)
                } else {
                    gh.update(repeating: 0, count: B * G)
                }
                for b in 0..<B {
                    let r = b * T + t, gt = gates + r * G, hn = cell + r * H, h = hseq + r * H
                    guard t < lengths[b] else {
                        hn.update(repeating: 0, count: H); h.update(repeating: 0, count: H); continue
                    }
                    let ghb = gh + b * G, hp = hprev + r * H
                    for j in 0..<H {
                        let rg = sigmoid(gt[j] + bi[j] + ghb[j] + bh[j])
                        let zg = sigmoid(gt[H + j] + bi[H + j] + ghb[H + j] + bh[H + j])
                        let hnv = ghb[2 * H + j] + bh[2 * H + j]
                        let ng = tanhf(gt[2 * H + j] + bi[2 * H + j] + rg * hnv)
                        gt[j] = rg; gt[H + j] = zg; gt[2 * H + j] = ng
                        hn[j] = hnv
                        h[j] = (1 - zg) * ng + zg * hp[j]
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
            let xin = l == 0 ? x : UnsafePointer(layerOut[l - 1].ptr)
            let needInput = l > 0 || inputGradient
            let inSize = units[l * D].inSize
            let dx = bufs[0]
            if needInput { dx.ensure(batch * T * inSize) }
            for d in 0..<D {
                let u = units[l * D + d]
                backRun(u, xin, dcur + d * H, ld: W, batch: batch, dx: needInput ? dx.ptr : nil, accumulate: d > 0)
            }
            guard needInput else { return nil }
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
        let dhrec = u.dh.ptr, dcnext = u.dc.ptr
        dhrec.update(repeating: 0, count: B * H); dcnext.update(repeating: 0, count: B * H)
        let order: [Int] = u.reverse ? Array(0..<T) : Array((0..<T).reversed())
        switch kind {
        case .lstm:
            for t in order {
                let prev = previous(t, u.reverse)
                for b in 0..<B {
                    let r = b * T + t, gt = gates + r * G, dgt = dg + r * G, dcb = dcnext + b * H, dhb = dhrec + b * H
                    guard t < lengths[b] else {
                        dgt.update(repeating: 0, count: G); dcb.update(repeating: 0, count: H); continue
                    }
                    let c = cell + r * H, dyr = dy + r * ld
                    let cp: UnsafeMutablePointer<Float>? = prev.map { cell + (b * T + $0) * H }
                    for j in 0..<H {
                        let ig = gt[j], fg = gt[H + j], gg = gt[2 * H + j], og = gt[3 * H + j]
                        let dh = dyr[j] + dhb[j]
                        let tc = tanhf(c[j])
                        let dc = dcb[j] + dh * og * (1 - tc * tc)
                        dgt[j] = dc * gg * ig * (1 - ig)
                        dgt[H + j] = dc * (cp?[j] ?? 0) * fg * (1 - fg)
                        dgt[2 * H + j] = dc * ig * (1 - gg * gg)
                        dgt[3 * H + j] = dh * tc * og * (1 - og)
                        dcb[j] = dc * fg
                    }
                }
                if prev != nil {
                    gemm(false, false, B, H, G, 1, dg + t * G, T * G, u.whh.value.ptr, H, 0, dhrec, H)
                }
            }
            gemm(true, false, G, H, B * T, 1, dg, G, hprev, H, 0, u.whh.grad.ptr, H)
        case .gru:
            u.dgh.ensure(B * T * G); u.direct.ensure(B * H)
            let dgh = u.dgh.ptr, direct = u.direct.ptr
            for t in order {
                let prev = previous(t, u.reverse)
                for b in 0..<B {
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
                    gemm(false, false, B, H, G, 1, dgh + t * G, T * G, u.whh.value.ptr, H, 0, dhrec, H)
                    addRun(dhrec, direct, B * H)
                } else {
                    dhrec.update(repeating: 0, count: B * H)
                }
            }
            gemm(true, false, G, H, B * T, 1, dgh, G, hprev, H, 0, u.whh.grad.ptr, H)
        }
        gemm(true, false, G, I, B * T, 1, dg, G, x, I, 0, u.wih.grad.ptr, I)
        if let p = u.bih { columnSums(dg, rows: B * T, cols: G, into: p.grad.ptr) }
        if let p = u.bhh { columnSums(kind == .gru ? u.dgh.ptr : dg, rows: B * T, cols: G, into: p.grad.ptr) }
        if let dx { gemm(false, false, B * T, I, G, 1, dg, G, u.wih.value.ptr, I, accumulate ? 1 : 0, dx, I) }
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
