import PerceptCore
import PerceptIO

/// Which part of a folder run this process does: shard `index` of `count`, from `--shard I/N`
/// or, with `--shard auto`, from the job array that started it (Slurm or a Kubernetes Indexed Job).
/// Pure: the environment is passed in, so it is testable without touching the process's own.
///
///     let s = try ShardSpec.parse("auto", environment: ["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "1",
///                                                       "SLURM_ARRAY_TASK_MAX": "15", "SLURM_ARRAY_TASK_STEP": "2"])   // 2 of 8
public struct ShardSpec: Sendable, Equatable {
    /// 0-based, below `count`.
    public let index: Int
    public let count: Int
    /// Where the numbers came from, for a line on stderr (`Slurm array (SLURM_ARRAY_TASK_ID=5, …)`);
    /// nil when given as `I/N`.
    public let source: String?

    /// The field errors name.
    static let field = "--shard"

    public init(index: Int, count: Int, source: String? = nil) throws {
        guard count > 0 else { throw Self.bad("the shard count must be at least 1, got \(count)") }
        guard index >= 0 else { throw Self.bad("the shard index must be 0 or more, got \(index)") }
        guard index < count else {
            throw Self.bad("index \(index) is not below the count \(count) (shards are numbered 0 to \(count - 1))")
        }
        self.index = index; self.count = count; self.source = source
    }

    /// `I/N`, `auto` or `auto/N`. With `auto`, a Slurm array task (`SLURM_ARRAY_TASK_ID`, `_MIN`,
    /// `_MAX`, `_STEP`: index (ID − MIN) / STEP of (MAX − MIN) / STEP + 1, so arrays may start at 1
    /// or step) or a Kubernetes Indexed Job (`JOB_COMPLETION_INDEX`, with the count from `auto/N`
    /// or `PERCEPT_SHARDS`, which Kubernetes does not expose). Empty variables count as unset.
    ///
    ///     try ShardSpec.parse("2/8", environment: [:])   // index 2, count 8
    public static func parse(_ text: String, environment env: [String: String]) throws -> ShardSpec {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2, !parts[0].isEmpty else { throw bad("'\(text)' is not I/N, auto or auto/N (e.g. --shard 2/8)") }
        if parts[0] != "auto" {
            guard parts.count == 2 else { throw bad("'\(text)' is not I/N, auto or auto/N (e.g. --shard 2/8)") }
            return try ShardSpec(index: number(parts[0], "the index in '\(text)'"), count: number(parts[1], "the count in '\(text)'"))
        }
        let given = try parts.count == 2 ? number(parts[1], "the count in '\(text)'") : nil
        let value = { (name: String) -> String? in env[name].flatMap { $0.isEmpty ? nil : $0 } }
        let slurm = value("SLURM_ARRAY_TASK_ID"), k8s = value("JOB_COMPLETION_INDEX")
        if slurm != nil && k8s != nil {
            throw bad("auto: both SLURM_ARRAY_TASK_ID and JOB_COMPLETION_INDEX are set; give --shard I/N")
        }
        if let id = slurm {
            var v = [String: Int]()
            for name in ["MIN", "MAX", "STEP"] {
                let key = "SLURM_ARRAY_TASK_" + name
                guard let t = value(key) else { throw bad("auto: SLURM_ARRAY_TASK_ID is set but \(key) is not") }
                v[name] = try number(t, key)
            }
            let task = try number(id, "SLURM_ARRAY_TASK_ID"), lo = v["MIN"] ?? 0, hi = v["MAX"] ?? 0, step = v["STEP"] ?? 0
            let shown = "SLURM_ARRAY_TASK_ID=\(id), MIN=\(lo), MAX=\(hi), STEP=\(step)"
            guard step > 0 else { throw bad("auto: SLURM_ARRAY_TASK_STEP must be at least 1 (\(shown))") }
            guard lo <= hi else { throw bad("auto: SLURM_ARRAY_TASK_MIN is above MAX (\(shown))") }
            guard lo <= task, task <= hi, (task - lo) % step == 0 else {
                throw bad("auto: SLURM_ARRAY_TASK_ID is not one of the array's tasks MIN, MIN+STEP, … MAX (\(shown))")
            }
            // Non-negative and at most Int.max, so only the + 1 can overflow.
            let (n, overflow) = ((hi - lo) / step).addingReportingOverflow(1)
            guard !overflow else { throw bad("auto: the Slurm array is too large (\(shown))") }
            if let t = value("SLURM_ARRAY_TASK_COUNT"), let c = Int(t), c != n {
                throw bad("auto: the Slurm array has \(c) tasks, not the \(n) of MIN-MAX:STEP; use a range (--array=0-7), not a list (\(shown))")
            }
            if let given, given != n { throw bad("auto/\(given): the Slurm array has \(n) tasks (\(shown))") }
            return try ShardSpec(index: (task - lo) / step, count: n, source: "Slurm array (\(shown))")
        }
        if let k = k8s {
            let index = try number(k, "JOB_COMPLETION_INDEX")
            let env = try value("PERCEPT_SHARDS").map { try number($0, "PERCEPT_SHARDS") }
            if let given, let env, given != env { throw bad("auto/\(given): PERCEPT_SHARDS says \(env)") }
            guard let n = given ?? env else {
                throw bad("auto: JOB_COMPLETION_INDEX=\(k) is set but not the shard count; give --shard auto/N or PERCEPT_SHARDS (the Job's completions)")
            }
            let from = given != nil ? "--shard auto/\(n)" : "PERCEPT_SHARDS=\(n)"
            return try ShardSpec(index: index, count: n, source: "Kubernetes Indexed Job (JOB_COMPLETION_INDEX=\(k), count from \(from))")
        }
        throw bad("auto: neither SLURM_ARRAY_TASK_ID (a Slurm job array) nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set; give --shard I/N")
    }

    /// A decimal number ≥ 0 (no sign, no spaces); `what` names it in the error.
    private static func number(_ text: String, _ what: String) throws -> Int {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Int(text) else {
            throw bad("\(what): '\(text)' is not a whole number ≥ 0")
        }
        return n
    }

    private static func bad(_ message: String) -> PerceptError { .invalidArgument(field: field, message) }

    /// `I/N` as written on the command line (`2/8`).
    public var text: String { "\(index)/\(count)" }

    /// `paths` in the order shards are cut from: by UTF-8 bytes, the same on every machine and
    /// locale (String's `<` compares Unicode-normalised text, so two names that differ only in
    /// normalisation would tie and keep their listing order).
    public static func ordered(_ paths: [String]) -> [String] {
        paths.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The positions of `total` ordered inputs that this shard takes: round-robin, k with
    /// k mod count == index. Neighbours in the sorted list are usually alike (one class, one
    /// source, one recording length), so striding gives every shard a like share of the work,
    /// where contiguous blocks could give one shard all the long files.
    public func positions(of total: Int) -> StrideTo<Int> { stride(from: index, to: total, by: count) }

    /// The shard that takes position `k` of the ordered inputs.
    public static func owner(of k: Int, count: Int) -> Int { k % count }

    /// The input list's fingerprint: SHA-256 over the ordered relative paths, each ended by a
    /// NUL byte (which no file name holds, unlike a newline).
    public static func fingerprint(_ ordered: [String]) -> String {
        var h = SHA256()
        for p in ordered { h.update(Array(p.utf8) + [0]) }
        return h.hex()
    }
}
