import Dispatch
import Foundation

/// Data-parallel loops over the machine's cores.
///
/// The worker count comes from `PERCEPT_NUM_THREADS` when set, else the active processor count;
/// `Parallel.threads = 1` makes every loop serial (benchmarks pin it). Results never depend on it:
/// callers split work by index, and random streams are keyed by index, not by thread.
///
///     Parallel.forEach(count: n) { i in out[i] = f(i) }
public enum Parallel {
    nonisolated(unsafe) private static var _threads: Int = {
        if let s = ProcessInfo.processInfo.environment["PERCEPT_NUM_THREADS"], let n = Int(s), n > 0 { return n }
        return Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Number of workers loops may use (≥ 1).
    public static var threads: Int {
        get { _threads }
        set { _threads = Swift.max(1, newValue) }
    }

    /// Runs `body(i)` for every i in 0..<count, spread over `threads` workers.
    /// Iterations must be independent. Small loops (or threads == 1) run inline.
    public static func forEach(count: Int, _ body: (Int) -> Void) {
        guard count > 0 else { return }
        let workers = Swift.min(threads, count)
        if workers <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UnsafeSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let lo = count * w / workers, hi = count * (w + 1) / workers
                for i in lo..<hi { box.value(i) }
            }
        }
    }

    /// Runs `body(range)` on contiguous chunks covering 0..<count (one chunk per worker);
    /// use when each worker needs its own scratch buffer.
    public static func forChunks(count: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let workers = Swift.max(1, Swift.min(threads, count / Swift.max(1, minChunk)))
        if workers <= 1 { body(0..<count); return }
        withoutActuallyEscaping(body) { body in
            let box = UnsafeSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                box.value((count * w / workers)..<(count * (w + 1) / workers))
            }
        }
    }
}

extension Parallel {
    /// Runs `body(&state, i)` for every i in 0..<count, handing indices out one at a time, so
    /// uneven items (files of different sizes, a core shared with another process) still keep
    /// every worker busy. Each worker makes its own `state` (a writer, a scratch buffer) first
    /// and passes it to `finish` when it runs out of work.
    ///
    ///     Parallel.forEachDynamic(count: files.count, state: { AtomicWriter() }, finish: { $0.finish() }) { w, i in … }
    public static func forEachDynamic<State>(count: Int, state makeState: () -> State,
                                             finish: (inout State) -> Void = { _ in },
                                             _ body: (inout State, Int) -> Void) {
        guard count > 0 else { return }
        let workers = Swift.min(threads, count)
        if workers <= 1 {
            var s = makeState()
            for i in 0..<count { body(&s, i) }
            finish(&s)
            return
        }
        let next = IndexDispenser(count)
        withoutActuallyEscaping(makeState) { makeState in
            withoutActuallyEscaping(finish) { finish in
                withoutActuallyEscaping(body) { body in
                    let box = UnsafeSendable((makeState, finish, body))
                    DispatchQueue.concurrentPerform(iterations: workers) { _ in
                        var s = box.value.0()
                        while let i = next.take() { box.value.2(&s, i) }
                        box.value.1(&s)
                    }
                }
            }
        }
    }
}

/// Hands out 0, 1, 2, … below a limit to concurrent workers.
private final class IndexDispenser: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private let count: Int

    init(_ count: Int) { self.count = count }

    func take() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }
}

/// Carries a non-Sendable value (a raw pointer, a closure) into concurrent code whose
/// iterations touch disjoint memory. The caller guarantees there is no data race.
public struct UnsafeSendable<T>: @unchecked Sendable {
    public let value: T
    public init(_ value: T) { self.value = value }
}
