import Foundation
import PerceptCore

/// The frame-by-frame chain behind spectrograms, mel spectrograms, log-mel and MFCC:
/// window → FFT → |X|^power → (mel) → (dB) → (DCT), fused so no [bins, frames] intermediate is
/// stored when a mel stage follows. Frames are processed in blocks of a few dozen, spread over
/// `Parallel.threads` workers, each with its own scratch; no allocation happens per frame.
///
/// Every output element is computed by the same sequence of float operations whatever the block
/// boundaries are, so `StreamingExtractor` reproduces `compute` bit for bit.
///
///     let mel = try MelFilterbank(sampleRate: 16000, nFFT: 512, nMels: 64)
///     let logMel = try SpectralPipeline(stft: STFT(nFFT: 512, hopLength: 160), mel: mel,
///                                       decibels: .power()).compute(samples)   // [64, frames]
public struct SpectralPipeline: Sendable {
    public let stft: STFT
    public let power: Float
    public let mel: MelFilterbank?
    public let decibels: Decibels?
    public let mfcc: MFCC?

    /// - Throws: `invalidArgument` when the stages do not fit together (mel built for another
    ///   n_fft, MFCC for another number of mels, MFCC without a mel stage) or power ≤ 0.
    public init(stft: STFT, power: Float = 2, mel: MelFilterbank? = nil, decibels: Decibels? = nil, mfcc: MFCC? = nil) throws {
        guard power > 0, power.isFinite else {
            throw PerceptError.invalidArgument(field: "power", "power=\(power) must be a positive number")
        }
        if let m = mel, m.nFFT != stft.nFFT {
            throw PerceptError.invalidArgument(field: "n_fft", "mel filterbank built for n_fft=\(m.nFFT), STFT uses \(stft.nFFT)")
        }
        if let c = mfcc {
            guard let m = mel, m.nMels == c.nMels else {
                throw PerceptError.invalidArgument(field: "n_mels", "MFCC expects \(c.nMels) mel bands, the mel stage gives \(mel?.nMels ?? 0)")
            }
        }
        self.stft = stft; self.power = power; self.mel = mel; self.decibels = decibels; self.mfcc = mfcc
    }

    /// Rows produced before the DCT: mel bands, or frequency bins without a mel stage.
    var spectralRows: Int { mel?.nMels ?? stft.bins }

    /// Rows of the final output.
    public var featureCount: Int { mfcc?.nMFCC ?? spectralRows }

    /// The feature for a whole signal, [featureCount, frames].
    public func compute(_ y: [Float]) throws -> Tensor {
        try STFT.checkFinite(y)
        return try y.withUnsafeBufferPointer { yp in
            let layout = try FrameLayout(stft, signal: yp)
            let t = layout.count, rows = spectralRows
            try ResourceLimits.require([rows, t], for: "the \(rows) × \(t) spectrogram", blame: { .invalidArgument(field: "hop_length", $0) })
            let fuseDb = decibels.map { $0.ref != .max } ?? false
            let block = SpectralBlockKernel.blockSize(bins: stft.bins)
            let blocks = (t + block - 1) / block
            // At least ~1000 frames per worker, so thread start-up never dominates.
            let minBlocks = Swift.max(1, 1024 / block)
            // Every element is written by exactly one block, so the storage starts uninitialised
            // (and, when large, in huge pages: fewer first-touch faults).
            let data: [Float] = HugePages.array(capacity: rows * t) { buffer, initialized in
                if let base = buffer.baseAddress {
                    layout.withFrames(yp, hop: stft.hopLength) { frames in
                        let outBox = UnsafeSendable(base), framesBox = UnsafeSendable(frames)
                        if blocks >= 2 * minBlocks && Parallel.threads > 1 {
                            // Long signals: groups of blocks handed out one at a time, so a core
                            // shared with another process does not hold the others back at the end.
                            let per = SpectralBlockKernel.blocksPerHandOut, groups = (blocks + per - 1) / per
                            Parallel.forEachDynamic(count: groups, state: { SpectralBlockKernel(self, fuseDecibels: fuseDb) }) { kernel, g in
                                kernel.run(framesBox.value, frames: (g * per * block)..<Swift.min(t, (g + 1) * per * block), into: outBox.value, outStride: t)
                            }
                        } else {
                            Parallel.forChunks(count: blocks, minChunk: minBlocks) { range in
                                SpectralBlockKernel(self, fuseDecibels: fuseDb)
                                    .run(framesBox.value, frames: (range.lowerBound * block)..<Swift.min(t, range.upperBound * block), into: outBox.value, outStride: t)
                            }
                        }
                    }
                }
                initialized = rows * t
            }
            return finished(data, frames: t)
        }
    }

    /// The dB floor (`top_db`) or `ref = max` conversion, which need every frame, and the DCT.
    private func finished(_ data: consuming [Float], frames t: Int) -> Tensor {
        var out = Tensor(unchecked: [spectralRows, t], data: data)
        if let db = decibels {
            if db.ref == .max {
                db.apply(&out)
            } else if let top = db.topDb {
                out.withUnsafeMutableBufferPointer { b in
                    if let p = b.baseAddress { Decibels.clampBelowPeak(p, count: b.count, topDb: top) }
                }
            }
        }
        if let c = mfcc { return c.transform(out) }
        return out
    }

    /// The feature of a long signal of `n` samples that is never held whole: the workers read
    /// the samples of their frames in parts, each through its own reader (a file handle of its
    /// own), and write their frames straight into the output. The same bits as `compute(_:)` of
    /// the whole signal. Returns nil, having computed nothing useful, when this framing does not
    /// apply (uncentred, or a signal too short for librosa's split padding) or a reader cannot
    /// read what it is asked: the caller then reads the whole signal, and reports what is wrong.
    ///
    ///     let logMel = try pipeline.compute(length: frames, reader: { parts.reader() })
    public func compute<R: SignalReader>(length n: Int, reader makeReader: () -> R?) throws -> Tensor? {
        guard stft.center, FrameLayout.isSplit(stft, n: n), let first = makeReader() else { return nil }
        let hop = stft.hopLength, nFFT = stft.nFFT
        // The padded head and tail, from the first and the last samples.
        let headCount = Swift.min(n, FrameLayout.headSourceLength(stft)), tailStart = FrameLayout.tailStart(stft, n: n)
        guard let prefix = Self.read(first, 0..<headCount), let suffix = Self.read(first, tailStart..<n) else { return nil }
        for part in [prefix, suffix] { try STFT.checkFinite(part) }
        let layout = prefix.withUnsafeBufferPointer { p in
            suffix.withUnsafeBufferPointer { FrameLayout(split: stft, length: n, prefix: p, suffix: $0) }
        }
        let t = layout.count, rows = spectralRows
        try ResourceLimits.require([rows, t], for: "the \(rows) × \(t) spectrogram", blame: { .invalidArgument(field: "hop_length", $0) })
        let fuseDb = decibels.map { $0.ref != .max } ?? false
        let block = SpectralBlockKernel.blockSize(bins: stft.bins)
        // A group is as many whole blocks as one read of the reader's preferred length covers.
        let framesPerGroup = Swift.max(1, ((Swift.max(first.preferredReadLength, nFFT) - nFFT) / hop + 1) / block) * block
        let groups = (t + framesPerGroup - 1) / framesPerGroup
        let span = (framesPerGroup - 1) * hop + nFFT
        // What went wrong in each group: 1 = a read failed, 2 = a sample is inf or NaN.
        var trouble = [UInt8](repeating: 0, count: groups)
        let data: [Float] = HugePages.array(capacity: rows * t) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            layout.head.withUnsafeBufferPointer { hp in
                layout.tail.withUnsafeBufferPointer { tp in
                    trouble.withUnsafeMutableBufferPointer { tr in
                        guard let troubleBase = tr.baseAddress else { return }   // never: a split signal has frames
                        let outBox = UnsafeSendable(base), troubleBox = UnsafeSendable(troubleBase)
                        let headBox = UnsafeSendable(hp.baseAddress), tailBox = UnsafeSendable(tp.baseAddress)
                        Parallel.forEachDynamic(count: groups, state: { PartWorker(makeReader(), SpectralBlockKernel(self, fuseDecibels: fuseDb), span: span) }) { w, g in
                            let lo = g * framesPerGroup, hi = Swift.min(t, lo + framesPerGroup)
                            // The middle frames of the group read samples [s0, s1) of the signal.
                            let gA = Swift.min(Swift.max(lo - layout.headFrames, 0), layout.middleFrames)
                            let gB = Swift.min(Swift.max(hi - layout.headFrames, 0), layout.middleFrames)
                            var middle: UnsafePointer<Float>?
                            if gB > gA {
                                let s0 = layout.middleStart + gA * hop, s1 = layout.middleStart + (gB - 1) * hop + nFFT
                                guard w.reader?.read(s0..<s1, into: w.samples.pointer) == true else { troubleBox.value[g] = 1; return }
                                guard Tensor.allFiniteHere(UnsafeBufferPointer(start: w.samples.pointer, count: s1 - s0)) else { troubleBox.value[g] = 2; return }
                                middle = UnsafePointer(w.samples.pointer)
                            }
                            // Middle frame gA starts at the first sample read.
                            let frames = FramePointers(head: headBox.value, headFrames: layout.headFrames, middle: middle,
                                                       middleFrames: layout.middleFrames, tail: tailBox.value, hop: hop, middleFirst: gA)
                            w.kernel.run(frames, frames: lo..<hi, into: outBox.value, outStride: t)
                        }
                    }
                }
            }
            initialized = rows * t
        }
        if trouble.contains(1) { return nil }
        if trouble.contains(2) { throw STFT.nonFinite }
        return finished(data, frames: t)
    }

    /// Samples `range` through `reader`, or nil when it cannot read them.
    private static func read<R: SignalReader>(_ reader: R, _ range: Range<Int>) -> [Float]? {
        var r = reader
        var ok = true
        let out = [Float](unsafeUninitializedCapacity: range.count) { b, count in
            if let p = b.baseAddress { ok = r.read(range, into: p) }
            count = range.count
        }
        return ok ? out : nil
    }
}

/// Samples of a signal read by position, for `SpectralPipeline.compute(length:reader:)`: each
/// worker gets a reader of its own (a file handle of its own, for instance).
public protocol SignalReader {
    /// Samples per read that suit the source (what its read window holds): the workers take
    /// frames in groups that one read of about this length covers.
    var preferredReadLength: Int { get }

    /// Reads samples `range` into `out`; false when they cannot be read.
    mutating func read(_ range: Range<Int>, into out: UnsafeMutablePointer<Float>) -> Bool
}

/// One worker of `compute(length:reader:)`: its reader, its kernel scratch and its samples.
private final class PartWorker<R: SignalReader> {
    var reader: R?
    let kernel: SpectralBlockKernel
    let samples: AlignedFloats

    init(_ reader: R?, _ kernel: SpectralBlockKernel, span: Int) {
        self.reader = reader; self.kernel = kernel
        samples = AlignedFloats(count: span, zeroed: false)
    }
}

/// One worker's scratch and the per-block computation of `SpectralPipeline`.
final class SpectralBlockKernel {
    let pipeline: SpectralPipeline
    let plan: RealFFTPlan
    let n: Int, bins: Int, block: Int
    let window: AlignedFloats
    let frame: AlignedFloats
    let spectrum: AlignedFloats
    /// [block, ld]: |X|^power of the block's frames, frame-major, rows padded to a multiple of 8.
    let frameMajor: AlignedFloats
    let ld: Int
    /// [bins, block]: |X|^power of the block's frames, bin-major so the mel stage runs along frames.
    let powerBlock: AlignedFloats
    /// [mel bands, block] when a mel stage exists.
    let melBlock: AlignedFloats?
    let fuseDecibels: Bool
    private(set) var framesInBlock = 0

    /// Blocks a worker takes at a time when they are handed out dynamically (a few hundred frames:
    /// the hand-out's lock is taken rarely, and the last group is short).
    static let blocksPerHandOut = 4

    static func blockSize(bins: Int) -> Int {
        // Keep each [bins, block] scratch near 128 KB (L2-resident) and the block a multiple of 8 lanes.
        Swift.max(8, Swift.min(64, (32768 / Swift.max(1, bins)) / 8 * 8))
    }

    init(_ p: SpectralPipeline, fuseDecibels: Bool) {
        pipeline = p
        n = p.stft.nFFT; bins = p.stft.bins
        block = SpectralBlockKernel.blockSize(bins: bins)
        plan = RealFFTPlan.shared(n)
        window = AlignedFloats(count: n)
        for i in 0..<n { window.pointer[i] = p.stft.windowValues[i] }
        frame = AlignedFloats(count: n)
        spectrum = AlignedFloats(count: 2 * bins)
        ld = (bins + 7) / 8 * 8
        frameMajor = AlignedFloats(count: block * ((bins + 7) / 8 * 8))
        powerBlock = AlignedFloats(count: bins * block)
        let blk = block
        melBlock = p.mel.map { AlignedFloats(count: $0.nMels * blk) }
        self.fuseDecibels = fuseDecibels
    }

    /// Rows of the block result (before any DCT).
    var rows: Int { pipeline.spectralRows }

    /// The block result, [rows, block] with `framesInBlock` valid columns.
    var result: UnsafeMutablePointer<Float> { melBlock?.pointer ?? powerBlock.pointer }

    /// Computes frames `range` (at most `block`) into the block scratch.
    func run(_ frames: FramePointers, frames range: Range<Int>) {
        let nb = range.count
        precondition(nb <= block)
        framesInBlock = nb
        let fb = frame.pointer, sp = spectrum.pointer, w = window.pointer, pb = powerBlock.pointer
        let p = pipeline.power, stride = block
        for (b, f) in range.enumerated() {
            let src = frames.frame(f)
            for i in 0..<n { fb[i] = src[i] * w[i] }
            plan.forward(fb, sp)
            // |X|^power of frame b, contiguous in the frame-major scratch (vectorisable).
            let sq = frameMajor.pointer + b * ld
            for k in 0..<bins { let re = sp[2 &* k], im = sp[2 &* k &+ 1]; sq[k] = re * re + im * im }
            if p == 1 {
                for k in 0..<bins { sq[k] = sq[k].squareRoot() }
            } else if p != 2 {
                for k in 0..<bins { sq[k] = powf(sq[k].squareRoot(), p) }
            }
        }
        SpectralBlockKernel.transpose(frameMajor.pointer, ld: ld, rows: nb, cols: bins, into: pb, ldOut: stride)
        if let mel = pipeline.mel, let mb = melBlock {
            mel.applyRows(pb, rowStride: stride, count: nb, into: mb.pointer, outStride: stride)
        }
        if fuseDecibels, let db = pipeline.decibels {
            let r = result, ref = db.fixedReference
            for row in 0..<rows { db.convert(r + row * stride, count: nb, refValue: ref) }
        }
    }

    /// out[c, r] = a[r, c] for an r×c matrix: 8×8 tiles transposed in registers (three rounds of
    /// even/odd unshuffles of pairs of rows), the ragged edges element by element.
    static func transpose(_ a: UnsafePointer<Float>, ld: Int, rows: Int, cols: Int,
                          into out: UnsafeMutablePointer<Float>, ldOut: Int) {
        let r8 = rows / 8 * 8, c8 = cols / 8 * 8
        var r0 = 0
        while r0 < r8 {
            var c0 = 0
            while c0 < c8 {
                @inline(__always) func row(_ i: Int) -> SIMD8<Float> {
                    UnsafeRawPointer(a + (r0 + i) &* ld + c0).loadUnaligned(as: SIMD8<Float>.self)
                }
                var v0 = row(0), v1 = row(1), v2 = row(2), v3 = row(3), v4 = row(4), v5 = row(5), v6 = row(6), v7 = row(7)
                // Each round sends index bit 0 to bit 5 of the 64 elements; three rounds swap the
                // row and column bits, which is the transpose.
                for _ in 0..<3 {
                    let p0 = SIMD16(lowHalf: v0, highHalf: v1), p1 = SIMD16(lowHalf: v2, highHalf: v3)
                    let p2 = SIMD16(lowHalf: v4, highHalf: v5), p3 = SIMD16(lowHalf: v6, highHalf: v7)
                    v0 = p0.evenHalf; v1 = p1.evenHalf; v2 = p2.evenHalf; v3 = p3.evenHalf
                    v4 = p0.oddHalf; v5 = p1.oddHalf; v6 = p2.oddHalf; v7 = p3.oddHalf
                }
                @inline(__always) func put(_ i: Int, _ x: SIMD8<Float>) {
                    UnsafeMutableRawPointer(out + (c0 + i) &* ldOut + r0).storeBytes(of: x, as: SIMD8<Float>.self)
                }
                put(0, v0); put(1, v1); put(2, v2); put(3, v3); put(4, v4); put(5, v5); put(6, v6); put(7, v7)
                c0 += 8
            }
            for c in c8..<cols { for i in 0..<8 { out[c &* ldOut + r0 + i] = a[(r0 + i) &* ld + c] } }
            r0 += 8
        }
        for r in r8..<rows { for c in 0..<cols { out[c &* ldOut + r] = a[r &* ld + c] } }
    }

    /// Computes frames `range` block by block into `out` (frame f in column f, row r at
    /// `out + r·outStride`).
    func run(_ frames: FramePointers, frames range: Range<Int>, into out: UnsafeMutablePointer<Float>, outStride: Int) {
        var lo = range.lowerBound
        while lo < range.upperBound {
            let hi = Swift.min(range.upperBound, lo + block)
            run(frames, frames: lo..<hi)
            store(into: out + lo, outStride: outStride)
            lo = hi
        }
    }

    /// Copies the block result into `out` (row r at `out + r·outStride`).
    func store(into out: UnsafeMutablePointer<Float>, outStride: Int) {
        let r = result
        for row in 0..<rows { (out + row * outStride).update(from: r + row * block, count: framesInBlock) }
    }
}
