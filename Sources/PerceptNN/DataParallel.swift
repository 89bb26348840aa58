import Foundation
import PerceptCore

/// The processes of one data-parallel training run and the collective operations the trainer
/// needs between them: an in-place sum (gradients, metrics) and a copy from rank 0 (initial
/// weights). `MPIWorld` (module PerceptMPI) is the real one; `LocalCollective` runs the same
/// protocol between threads of one process, for tests.
///
///     trainer.collective = try MPIWorld.start()   // under `mpirun -np 2`
public protocol Collective: AnyObject, Sendable {
    /// This process's index, 0 ..< size.
    var rank: Int { get }
    /// How many processes take part.
    var size: Int { get }
    /// Replaces `buffer[0..<count]` on every process by its element-wise sum over all processes.
    func sum(_ buffer: UnsafeMutablePointer<Float>, count: Int) throws
    /// The same for Doubles (metric totals that must not lose precision).
    func sum(_ buffer: UnsafeMutablePointer<Double>, count: Int) throws
    /// Copies rank 0's `buffer[0..<count]` to every process.
    func broadcast(_ buffer: UnsafeMutablePointer<Float>, count: Int) throws
}

/// How a data-parallel step divides a global batch: rank `r` of `k` takes the contiguous part
/// `b·r/k ..< b·(r+1)/k` (sizes differ by at most one; a rank may get none when b < k).
///
///     DataParallel.slice(64, rank: 1, of: 3)   // 21..<42
public enum DataParallel {
    public static func slice(_ b: Int, rank: Int, of k: Int) -> Range<Int> {
        (b * rank / k)..<(b * (rank + 1) / k)
    }
}

/// Gradients of every parameter packed into one contiguous buffer, so a step exchanges them
/// with a single fused in-place sum (one `MPI_Allreduce`), plus a few step totals (loss, right
/// answers) carried in the same call.
final class GradientExchange {
    let params: [(name: String, param: Param)]
    let extras: Int
    let total: Int
    let flat: FloatBuffer

    init(params: [(name: String, param: Param)], extras: Int) {
        self.params = params; self.extras = extras
        total = params.reduce(0) { $0 + $1.param.count } + extras
        flat = FloatBuffer(count: total)
    }

    /// Sums the gradients and `values` over all processes; the parameters' gradients and
    /// `values` then hold the sums.
    func sum(_ values: inout [Float], over c: any Collective) throws {
        var o = 0
        for (_, p) in params { (flat.ptr + o).update(from: p.grad.ptr, count: p.count); o += p.count }
        for (j, v) in values.enumerated() { flat.ptr[o + j] = v }
        try c.sum(flat.ptr, count: total)
        o = 0
        for (_, p) in params { p.grad.ptr.update(from: flat.ptr + o, count: p.count); o += p.count }
        for j in values.indices { values[j] = flat.ptr[o + j] }
    }
}

extension Trainer {
    /// Copies rank 0's weights, BatchNorm statistics, optimizer state, step and epoch counts to
    /// every process, so all start (or resume) from one state whatever each read or initialised.
    func broadcastState(_ c: any Collective, optimizerState: Bool) throws {
        for (_, p) in model.namedState { try c.broadcast(p.value.ptr, count: p.count) }
        guard optimizerState else { return }
        // Counts as two Float halves: exact up to 2⁴⁸ steps.
        var counts = [optimizer.step, epochsDone].flatMap { [Float($0 >> 24), Float($0 & 0xFF_FFFF)] }
        try c.broadcast(&counts, count: counts.count)
        optimizer.step = Int(counts[0]) << 24 | Int(counts[1])
        epochsDone = Int(counts[2]) << 24 | Int(counts[3])
        for (name, p) in model.namedParameters {
            // Every rank creates the slots (zeros, the optimizers' starting state) so all take part.
            for s in optimizer.slots(for: name, count: p.count) { try c.broadcast(s.ptr, count: p.count) }
        }
    }

    /// One evaluation from every process's share: summed losses and confusion matrices.
    func combine(_ e: Evaluation, over c: any Collective) throws -> Evaluation {
        let confusion = e.classification?.confusion ?? []
        var totals = [e.loss * Double(e.samples), Double(e.samples)] + confusion.flatMap { $0.map(Double.init) }
        try c.sum(&totals, count: totals.count)
        let n = Int(totals[1]), k = confusion.count
        let merged = (0..<k).map { i in (0..<k).map { j in Int(totals[2 + i * k + j]) } }
        return Evaluation(loss: totals[0] / Double(Swift.max(n, 1)), samples: n,
                          classification: e.classification == nil ? nil : ClassificationMetrics(confusion: merged))
    }
}

/// `Collective` between `size` threads of one process: the data-parallel trainer's logic
/// without MPI (tests, and a reference for what MPI must give). Sums add the ranks' values in
/// rank order, so every rank gets bit-identical results.
///
///     let world = LocalCollective.world(2)   // world[0], world[1]: one per thread
public final class LocalCollective: Collective, @unchecked Sendable {
    public let rank: Int
    public let size: Int
    private let shared: Shared

    /// One member per rank, sharing the exchange.
    public static func world(_ size: Int) -> [LocalCollective] {
        let s = Shared(size: size)
        return (0..<size).map { LocalCollective(rank: $0, size: size, shared: s) }
    }

    private init(rank: Int, size: Int, shared: Shared) { self.rank = rank; self.size = size; self.shared = shared }

    public func sum(_ buffer: UnsafeMutablePointer<Float>, count: Int) throws {
        try shared.exchange(rank, UnsafeMutableRawPointer(buffer), count) { parts, i in
            var s: Float = 0
            for p in parts { s += p.assumingMemoryBound(to: Float.self)[i] }
            for p in parts { p.assumingMemoryBound(to: Float.self)[i] = s }
        }
    }

    public func sum(_ buffer: UnsafeMutablePointer<Double>, count: Int) throws {
        try shared.exchange(rank, UnsafeMutableRawPointer(buffer), count) { parts, i in
            var s = 0.0
            for p in parts { s += p.assumingMemoryBound(to: Double.self)[i] }
            for p in parts { p.assumingMemoryBound(to: Double.self)[i] = s }
        }
    }

    public func broadcast(_ buffer: UnsafeMutablePointer<Float>, count: Int) throws {
        try shared.exchange(rank, UnsafeMutableRawPointer(buffer), count) { parts, i in
            let v = parts[0].assumingMemoryBound(to: Float.self)[i]
            for p in parts.dropFirst() { p.assumingMemoryBound(to: Float.self)[i] = v }
        }
    }

    /// Each call is a rendezvous: the last rank to arrive combines every rank's buffer, then all
    /// leave. A rank that never arrives (it threw) would block the others, so a failure is
    /// recorded with `abandon` and wakes them with an error, as a dead MPI rank ends the job.
    final class Shared: @unchecked Sendable {
        let size: Int
        let cond = NSCondition()
        var parts: [UnsafeMutableRawPointer?]
        var counts: [Int]
        var arrived = 0, generation = 0
        var failed = false

        init(size: Int) { self.size = size; parts = Array(repeating: nil, count: size); counts = Array(repeating: 0, count: size) }

        func exchange(_ rank: Int, _ p: UnsafeMutableRawPointer, _ count: Int,
                      _ combine: ([UnsafeMutableRawPointer], Int) -> Void) throws {
            cond.lock(); defer { cond.unlock() }
            if failed { throw PerceptError.invalidArgument(field: "collective", "another rank failed") }
            parts[rank] = p; counts[rank] = count
            arrived += 1
            let gen = generation
            if arrived == size {
                guard Set(counts).count == 1 else {
                    failed = true; cond.broadcast()
                    throw PerceptError.invalidArgument(field: "collective", "ranks exchanged different sizes \(counts)")
                }
                let ps = parts.map { $0! }
                for i in 0..<count { combine(ps, i) }
                arrived = 0; generation += 1
                cond.broadcast()
                return
            }
            while generation == gen && !failed { cond.wait() }
            if failed { throw PerceptError.invalidArgument(field: "collective", "another rank failed") }
        }
    }

    /// Marks the world failed: ranks waiting in an exchange (and later calls) throw.
    public func abandon() {
        shared.cond.lock(); shared.failed = true; shared.cond.broadcast(); shared.cond.unlock()
    }
}
