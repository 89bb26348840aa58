import PerceptCore

/// Computes a `SpectralPipeline` feature from audio fed in chunks, returning each frame as soon
/// as the samples it depends on have arrived. The concatenated outputs of `feed` and `finish`
/// equal `pipeline.compute(wholeSignal)` bit for bit, and memory stays bounded: only the samples
/// of frames not yet computed (about one frame plus the current chunk) are kept.
///
/// Stages that need the whole signal (a `top_db` floor or `ref = max` in dB) cannot stream and
/// are rejected; apply them to the collected output if needed.
///
///     let s = try StreamingExtractor(pipeline: logMel)
///     for chunk in chunks { consume(try s.feed(chunk)) }     // [features, new frames]
///     consume(try s.finish())
public final class StreamingExtractor {
    public let pipeline: SpectralPipeline
    /// Frames returned so far.
    public private(set) var framesEmitted = 0
    /// Samples received so far.
    public private(set) var samplesReceived = 0
    /// Samples currently held back for frames not yet computed (bounded by about a chunk plus a frame).
    public var bufferedSamples: Int { buffer.count }

    private let stft: STFT
    private let kernel: SpectralBlockKernel
    /// Samples from absolute index `base` on; earlier ones are no longer needed.
    private var buffer: [Float] = []
    private var base = 0
    private var finished = false

    /// - Throws: `invalidArgument` when the pipeline's dB stage has `topDb` or a `.max` reference.
    public init(pipeline: SpectralPipeline) throws {
        if let db = pipeline.decibels, !db.isElementwise {
            throw PerceptError.invalidArgument(field: "top_db", "streaming needs a fixed dB reference and no top_db: both depend on the whole signal")
        }
        self.pipeline = pipeline
        stft = pipeline.stft
        kernel = SpectralBlockKernel(pipeline, fuseDecibels: pipeline.decibels != nil)
    }

    /// Appends samples and returns the frames they complete, [features, k] (k may be 0).
    public func feed(_ chunk: [Float]) throws -> Tensor {
        guard !finished else { throw PerceptError.runtime("StreamingExtractor: feed after finish") }
        try STFT.checkFinite(chunk)
        buffer.append(contentsOf: chunk)
        samplesReceived += chunk.count
        var parts = [Tensor]()
        let n = samplesReceived, h = stft.nFFT / 2, hop = stft.hopLength
        if stft.center {
            // Until the signal is long enough for librosa's split framing, everything may still
            // end up padded as one short signal, so nothing can be emitted yet.
            guard FrameLayout.isSplit(stft, n: n) else { return empty() }
            let sk = FrameLayout.startK(stft)
            if framesEmitted == 0 {
                let head = buffer.withUnsafeBufferPointer { FrameLayout.headBuffer(stft, prefix: $0) }
                parts.append(emit(from: head, offset: 0, count: sk))
            }
            let ready = FrameLayout.floorDiv(n + h - stft.nFFT, hop) + 1   // frames ending inside the signal
            if ready > framesEmitted {
                parts.append(emit(from: buffer, offset: framesEmitted * hop - h - base, count: ready - framesEmitted))
            }
            trim(keepFrom: framesEmitted * hop - h)
        } else {
            let ready = FrameLayout.framesIn(n, stft)
            if ready > framesEmitted {
                parts.append(emit(from: buffer, offset: framesEmitted * hop - base, count: ready - framesEmitted))
            }
            trim(keepFrom: framesEmitted * hop)
        }
        return join(parts)
    }

    /// Returns the frames that depend on the end of the signal; no more samples may follow.
    public func finish() throws -> Tensor {
        guard !finished else { throw PerceptError.runtime("StreamingExtractor: finish called twice") }
        finished = true
        let n = samplesReceived, h = stft.nFFT / 2
        if !stft.center {
            guard n >= stft.nFFT else {
                throw PerceptError.invalidArgument(field: "n_fft", "n_fft=\(stft.nFFT) is too large for uncentered analysis of input signal of length=\(n)")
            }
            return empty()
        }
        if !FrameLayout.isSplit(stft, n: n) {
            // Short signal: nothing was emitted and the whole signal is still buffered.
            return try pipeline.compute(buffer)
        }
        let tk = FrameLayout.tailK(stft, n: n)
        let from = Swift.max(0, Swift.min(buffer.count, tk * stft.hopLength - h - base))
        let (tail, tailFrames) = buffer.withUnsafeBufferPointer {
            FrameLayout.tailBuffer(stft, n: n, suffix: UnsafeBufferPointer(rebasing: $0[from...]))
        }
        buffer = []
        return emit(from: tail, offset: 0, count: tailFrames)
    }

    /// Frames `framesEmitted ..< framesEmitted + count`, frame i starting at `source[offset + i·hop]`.
    private func emit(from source: [Float], offset: Int, count: Int) -> Tensor {
        let rows = pipeline.spectralRows
        var out = Tensor(shape: [rows, count])
        guard count > 0 else { return finalStage(out) }
        source.withUnsafeBufferPointer { sp in
            out.withUnsafeMutableBufferPointer { ob in
                guard let o = ob.baseAddress, let s = sp.baseAddress else { return }
                let frames = FramePointers(head: s + offset, headFrames: count, middle: nil, middleFrames: 0,
                                           tail: nil, hop: stft.hopLength)
                kernel.run(frames, frames: 0..<count, into: o, outStride: count)
            }
        }
        framesEmitted += count
        return finalStage(out)
    }

    private func finalStage(_ t: Tensor) -> Tensor { pipeline.mfcc.map { $0.transform(t) } ?? t }

    private func empty() -> Tensor { Tensor(shape: [pipeline.featureCount, 0]) }

    private func join(_ parts: [Tensor]) -> Tensor {
        guard parts.count > 1 else { return parts.first ?? empty() }
        let rows = pipeline.featureCount, total = parts.reduce(0) { $0 + $1.shape[1] }
        var data = [Float](repeating: 0, count: rows * total)
        var col = 0
        for p in parts {
            let w = p.shape[1]
            for r in 0..<rows { for c in 0..<w { data[r * total + col + c] = p.storage[r * w + c] } }
            col += w
        }
        return Tensor(unchecked: [rows, total], data: data)
    }

    /// Drops buffered samples before absolute index `start`.
    private func trim(keepFrom start: Int) {
        let drop = start - base
        guard drop > 0 else { return }
        let k = Swift.min(drop, buffer.count)
        buffer.removeFirst(k)
        base += k
    }
}
