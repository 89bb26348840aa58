// percept-bench: Percept's side of `make bench` (Benchmarks/run.sh drives it; see docs/benchmarks.md).
//
//     percept-bench WORKLOAD --inputs out/bench/inputs --iters 3
//
// Loads the workload's inputs (untimed), runs it once to warm up, then `iters` timed times, and
// prints one JSON line: {"workload", "threads", "times" (seconds per iteration), "items", "flops",
// "bytes", "shape", "checksum", and per iteration "minflt", "majflt", "user", "sys" (page faults and
// CPU seconds; of the spawned process for whole-process workloads, else of this one), "proc_rss_mib"
// (whole-process workloads: the spawned process's peak RSS)}. Thread count comes from PERCEPT_NUM_THREADS / OPENBLAS_NUM_THREADS.
import Foundation
import PerceptCore
import PerceptNN

/// What one timed iteration did, for throughput and ceiling fractions; `shape` and `checksum`
/// let the driver see that both sides computed the same-sized result.
/// The checksum is evaluated lazily, after the timed iterations, as the Python side does (it sums
/// the output outside its timer): summing a 4096² output costs milliseconds.
struct Work {
    var items: Int
    var flops: Double
    var bytes: Double
    var shape: [Int]
    let checksum: () -> Double
    /// Set by whole-process workloads: the spawned process's time and usage, which replace this
    /// process's timer and rusage difference.
    var process: ProcessUsage?

    init(items: Int, flops: Double = 0, bytes: Double = 0, shape: [Int] = [], checksum: @autoclosure @escaping () -> Double = 0,
         process: ProcessUsage? = nil) {
        self.items = items; self.flops = flops; self.bytes = bytes; self.shape = shape; self.checksum = checksum
        self.process = process
    }
}

/// A workload: `prepare` loads inputs (untimed) and returns the body to time.
struct Workload: Sendable {
    let name: String
    let summary: String
    /// Run the body once untimed first (false for whole processes that take minutes).
    var warmUp = true
    let prepare: @Sendable (_ inputs: String) throws -> () throws -> Work

    init(name: String, summary: String, warmUp: Bool = true, prepare: @escaping @Sendable (_ inputs: String) throws -> () throws -> Work) {
        self.name = name; self.summary = summary; self.warmUp = warmUp; self.prepare = prepare
    }
}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func checksum(_ t: Tensor) -> Double {
    t.withUnsafeBufferPointer { b in b.reduce(0.0) { $0 + Double($1) } }
}

func jsonNumber(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }

func jsonList(_ xs: [Double]) -> String { "[" + xs.map(jsonNumber).joined(separator: ", ") + "]" }

func usage() -> Never {
    let names = allWorkloads.map { "  \($0.name.padding(toLength: 18, withPad: " ", startingAt: 0)) \($0.summary)" }
    FileHandle.standardError.write(Data("""
    usage: percept-bench WORKLOAD [--inputs DIR] [--iters N]
    workloads:
    \(names.joined(separator: "\n"))

    """.utf8))
    exit(2)
}

var args = Array(CommandLine.arguments.dropFirst())
guard let name = args.first, let workload = allWorkloads.first(where: { $0.name == name }) else { usage() }
var inputs = "out/bench/inputs", iters = 3
var i = 1
while i < args.count {
    switch args[i] {
    case "--inputs" where i + 1 < args.count: inputs = args[i + 1]; i += 2
    case "--iters" where i + 1 < args.count: iters = max(1, Int(args[i + 1]) ?? 3); i += 2
    default: usage()
    }
}

// OpenBLAS runs on one thread (COpenBLAS pins it when it loads it, on first use); the sgemm
// ceiling is the one workload that asks for more (openblas_set_num_threads in Ceilings.swift).

do {
    let body = try workload.prepare(inputs)
    // Warm-up (plans, caches, first-touch of buffers); whole-process workloads have nothing to warm.
    var work = workload.warmUp ? try body() : Work(items: 0, shape: [])
    var times: [Double] = []
    var usages: [ProcessUsage] = []
    for _ in 0..<iters {
        let u0 = ProcessUsage.current()
        let t0 = monotonicSeconds()
        work = try body()
        let t1 = monotonicSeconds()
        let usage = work.process ?? ProcessUsage.current().since(u0)
        times.append(usage.seconds ?? t1 - t0)
        usages.append(usage)
    }
    let rss = usages.allSatisfy { $0.peakRSSMiB != nil } ? ", \"proc_rss_mib\": \(jsonList(usages.map { $0.peakRSSMiB ?? 0 }))" : ""
    print("""
    {"workload": "\(name)", "side": "percept", "threads": \(Parallel.threads), "times": \(jsonList(times)), \
    "items": \(work.items), "flops": \(jsonNumber(work.flops)), "bytes": \(jsonNumber(work.bytes)), \
    "shape": \(work.shape), "checksum": \(jsonNumber(work.checksum())), \
    "minflt": \(jsonList(usages.map { Double($0.minorFaults) })), "majflt": \(jsonList(usages.map { Double($0.majorFaults) })), \
    "user": \(jsonList(usages.map { $0.userSeconds })), "sys": \(jsonList(usages.map { $0.systemSeconds }))\(rss)}
    """)
} catch {
    FileHandle.standardError.write(Data("percept-bench \(name): \(error)\n".utf8))
    exit(1)
}
