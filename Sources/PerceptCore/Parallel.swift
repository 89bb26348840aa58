import Dispatch
import Foundation

/// Data-parallel loops over the machine's cores.
///
/// The worker count comes from `PERCEPT_NUM_THREADS` when set, else the active processor count
/// (shared among the MPI ranks on this node);
/// `Parallel.withThreads(1) { … }` makes every loop inside serial (tests and benchmarks pin it).
/// Results never depend on it: callers split work by index, and random streams are keyed by
/// index, not by thread. Workers see the `ScopedSetting` values of the code that started the loop.
///
///     Parallel.forEach(count: n) { i in out[i] = f(i) }
public enum Parallel {
    /// The worker count; its default is fixed at start-up from the environment.
    private static let setting = ScopedSetting<Int>(defaultThreads(ProcessInfo.processInfo.environment,
                                                                   cores: ProcessInfo.processInfo.activeProcessorCount))

    /// `PERCEPT_NUM_THREADS`, else the cores shared among the MPI ranks an `mpirun` started on
    /// this node (`OMPI_COMM_WORLD_LOCAL_SIZE`, Hydra's `MPI_LOCALNRANKS`), so K ranks on one
    /// machine do not run K × cores threads; else every core.
    ///
    ///     Parallel.defaultThreads(["OMPI_COMM_WORLD_LOCAL_SIZE": "2"], cores: 16)   // 8
    public static func defaultThreads(_ env: [String: String], cores: Int) -> Int {
        if let s = env["PERCEPT_NUM_THREADS"], let n = Int(s), n > 0 { return n }
        let local = (env["OMPI_COMM_WORLD_LOCAL_SIZE"] ?? env["MPI_LOCALNRANKS"]).flatMap { Int($0) } ?? 1
        return Swift.max(1, cores / Swift.max(1, local))
    }

    /// Number of workers loops may use here (≥ 1).
    public static var threads: Int { setting.value }

    /// Runs `body` with loops inside it (on this thread and in their workers) using `threads`
    /// workers (at least 1); the previous count is back afterwards.
    ///
    ///     let serial = Parallel.withThreads(1) { spectrogram(y) }
    public static func withThreads<R>(_ threads: Int, _ body: () throws -> R) rethrows -> R {
        try setting.withValue(Swift.max(1, threads), body)
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
        let scoped = ScopedSettings.current
        withoutActuallyEscaping(body) { body in
            let box = UnsafeSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let lo = count * w / workers, hi = count * (w + 1) / workers
                ScopedSettings.run(with: scoped) { for i in lo..<hi { box.value(i) } }
            }
        }
    }

    /// Runs `body(range)` on contiguous chunks covering 0..<count (one chunk per worker);
    /// use when each worker needs its own scratch buffer.
    public static func forChunks(count: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let workers = Swift.max(1, Swift.min(threads, count / Swift.max(1, minChunk)))
        if workers <= 1 { body(0..<count); return }
        let scoped = ScopedSettings.current
        withoutActuallyEscaping(body) { body in
            let box = UnsafeSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                ScopedSettings.run(with: scoped) { box.value((count * w / workers)..<(count * (w + 1) / workers)) }
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
        let scoped = ScopedSettings.current
        withoutActuallyEscaping(makeState) { makeState in
            withoutActuallyEscaping(finish) { finish in
                withoutActuallyEscaping(body) { body in
                    let box = UnsafeSendable((makeState, finish, body))
                    DispatchQueue.concurrentPerform(iterations: workers) { _ in
                        ScopedSettings.run(with: scoped) {
                            var s = box.value.0()
                            while let i = next.take() { box.value.2(&s, i) }
                            box.value.1(&s)
                        }
                    }
                }
            }
        }
    }
}

extension Parallel {
    /// Starts `body` on another thread, with this scope's settings (`withThreads`, the memory
    /// limit), and returns at once; `value()` waits for the result. For work that overlaps the
    /// caller's: the trainer loads the next batch while this one trains.
    ///
    ///     let next = Parallel.background { try load(step + 1) }; train(step); let x = try next.value()
    public static func background<T>(_ body: @escaping @Sendable () throws -> T) -> Background<T> {
        let handle = Background<T>()
        let scoped = ScopedSettings.current
        DispatchQueue.global().async {
            ScopedSettings.run(with: scoped) { handle.finish(Result { try body() }) }
        }
        return handle
    }
}

/// The result of `Parallel.background`, once it is there.
public final class Background<T>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<T, Error>?

    fileprivate func finish(_ r: Result<T, Error>) { result = r; done.signal() }

    /// Waits for the work to end; returns its value or rethrows its error (every call alike).
    public func value() throws -> T {
        done.wait(); done.signal()
        return try result!.get()
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

/// The error of the lowest-numbered failing item of a parallel loop, so the loop reports what a
/// serial run would: workers `record` failures, the caller `rethrow`s after the loop.
///
///     let failure = FirstFailure()
///     Parallel.forEach(count: n) { i in do { try work(i) } catch { failure.record(i, error) } }
///     try failure.rethrow()
public final class FirstFailure: @unchecked Sendable {
    private let lock = NSLock()
    private var index = Int.max
    private var error: Error?

    public init() {}

    /// Keeps `e` when `i` is the lowest failing index so far.
    public func record(_ i: Int, _ e: Error) {
        lock.lock(); defer { lock.unlock() }
        if i < index { index = i; error = e }
    }

    /// Throws the kept error, if any.
    public func rethrow() throws {
        lock.lock(); let e = error; lock.unlock()
        if let e { throw e }
    }
}
