// What a timed iteration cost the kernel and the memory: page faults, CPU time split into user and
// kernel, peak RSS. Whole-process workloads spawn the command with posix_spawn and read its usage
// from wait4 (Foundation's Process cannot report it); in-process workloads take the difference of
// getrusage(RUSAGE_SELF) around the iteration.
import Foundation
import PerceptCore

/// Resource usage of one timed iteration; `seconds` and `peakRSSMiB` are set only for a spawned process.
struct ProcessUsage {
    var minorFaults = 0
    var majorFaults = 0
    var userSeconds = 0.0
    var systemSeconds = 0.0
    var peakRSSMiB: Double?
    var seconds: Double?

    init(_ u: rusage) {
        minorFaults = Int(u.ru_minflt); majorFaults = Int(u.ru_majflt)
        userSeconds = Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) * 1e-6
        systemSeconds = Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) * 1e-6
    }

    /// This process's usage so far (all threads).
    static func current() -> ProcessUsage {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return ProcessUsage(u)
    }

    /// The usage between `earlier` and `self`, both from `current()`.
    func since(_ earlier: ProcessUsage) -> ProcessUsage {
        var d = self
        d.minorFaults -= earlier.minorFaults; d.majorFaults -= earlier.majorFaults
        d.userSeconds -= earlier.userSeconds; d.systemSeconds -= earlier.systemSeconds
        return d
    }
}

/// Runs `binary ARGS` with stdout to /dev/null (stderr inherited) and waits for it; returns its
/// wall time (spawn to reap) and rusage. Throws when it cannot start or exits non-zero.
/// Example: `let u = try spawnTimed("/bin/true", [])`
func spawnTimed(_ binary: String, _ args: [String]) throws -> ProcessUsage {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    let argv = ([binary] + args).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid = pid_t()
    let t0 = monotonicSeconds()
    let rc = posix_spawn(&pid, binary, &actions, nil, argv, environ)
    guard rc == 0 else { throw PerceptError.runtime("\(binary): posix_spawn failed (\(String(cString: strerror(rc))))") }
    var status: Int32 = 0
    var u = rusage()
    while wait4(pid, &status, 0, &u) < 0 {
        guard errno == EINTR else { throw PerceptError.runtime("\(binary): wait4 failed (\(String(cString: strerror(errno))))") }
    }
    let elapsed = monotonicSeconds() - t0
    // WIFEXITED / WEXITSTATUS are macros Swift does not import.
    guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
        throw PerceptError.runtime("\((binary as NSString).lastPathComponent) \(args.first ?? "") exited with status \(status)")
    }
    var usage = ProcessUsage(u)
    usage.peakRSSMiB = Double(u.ru_maxrss) / 1024   // Linux reports KiB
    usage.seconds = elapsed
    return usage
}

/// The shape in an .npy file's header (the untimed check that both sides wrote the same size).
func npyShape(_ path: String) -> [Int] {
    guard let f = FileHandle(forReadingAtPath: path) else { return [] }
    defer { try? f.close() }
    guard let h = try? f.read(upToCount: 256),
          let text = String(data: h, encoding: .isoLatin1),
          let open = text.range(of: "'shape': ("), let close = text[open.upperBound...].firstIndex(of: ")") else { return [] }
    return text[open.upperBound..<close].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
}
