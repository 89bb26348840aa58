import Foundation
import PerceptCore

/// Loads a training epoch's batches, each one (with `overlap`) while the previous one trains: two
/// input buffers used in turn, the next batch filled on another thread by `Parallel.background`.
/// A source's samples depend only on index and epoch, so what is loaded, and therefore training,
/// is the same with and without overlap, bit for bit.
final class BatchLoader {
    let overlap: Bool
    private let buffers: [FloatBuffer]
    private var turn = 0
    private var pending: (indices: ArraySlice<Int>, epoch: Int, work: Background<[Int]?>)?

    /// Buffers for batches of up to `capacity` floats.
    init(capacity: Int, overlap: Bool) {
        self.overlap = overlap
        buffers = (0..<(overlap ? 2 : 1)).map { _ in FloatBuffer(count: capacity) }
    }

    /// The inputs of samples `indices` of `epoch` and their lengths: the prefetched batch when it
    /// is this one, else loaded now.
    func take(_ source: BatchSource, _ indices: ArraySlice<Int>, epoch: Int) throws -> (UnsafeMutablePointer<Float>, [Int]?) {
        let buffer = buffers[turn]
        if overlap { turn ^= 1 }
        if let p = pending {
            pending = nil
            let lengths = try p.work.value()
            if p.indices == indices && p.epoch == epoch { return (buffer.ptr, lengths) }
        }
        if indices.isEmpty { return (buffer.ptr, nil) }
        return (buffer.ptr, try source.fill(indices, epoch: epoch, into: buffer.ptr))
    }

    /// Starts loading the batch the next `take` will ask for (nothing without overlap).
    func prefetch(_ source: BatchSource, _ indices: ArraySlice<Int>, epoch: Int) {
        guard overlap, !indices.isEmpty else { return }
        let job = UnsafeSendable((source, indices, buffers[turn].ptr))
        pending = (indices, epoch, Parallel.background { try job.value.0.fill(job.value.1, epoch: epoch, into: job.value.2) })
    }

    /// Waits for a load still running (a step threw): it must not outlive the fit that started it.
    func drain() {
        _ = try? pending?.work.value()
        pending = nil
    }
}
