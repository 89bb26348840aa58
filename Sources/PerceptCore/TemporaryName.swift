import Foundation

/// The hidden name under which Percept writes a file before renaming it into place:
/// `.NAME.tmp-PID-N` beside NAME. The writer's process id is part of the name, so a later run
/// can tell a file that a killed run left (its writer is gone) from one another percept process
/// is writing now (its writer is alive), without locks that a SIGKILL cannot release.
///
///     let tmp = TemporaryName.beside("out/a.npy", unique: 1)   // "out/.a.npy.tmp-4242-1"
public enum TemporaryName {
    /// `DIR/.NAME.tmp-<this process's id>-<unique>` for `path` = DIR/NAME (DIR "." for a bare name).
    public static func beside(_ path: String, unique: UInt64) -> String {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { $0 == path.startIndex ? "" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return dir + "/.\(name).tmp-\(getpid())-\(unique)"
    }

    /// The writer's process id when `name` (a file name, no folder) has the form `beside` makes,
    /// else nil: a leading dot, a non-empty NAME, then `.tmp-`, decimal digits, `-`, decimal digits.
    ///
    ///     TemporaryName.writer(of: ".a.npy.tmp-4242-1")   // 4242
    public static func writer(of name: String) -> pid_t? {
        guard name.hasPrefix("."), let marker = name.range(of: ".tmp-", options: .backwards),
              marker.lowerBound > name.index(after: name.startIndex) else { return nil }
        let tail = name[marker.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
        guard tail.count == 2, tail.allSatisfy({ !$0.isEmpty && $0.count <= 20 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let pid = pid_t(tail[0]), pid > 0, UInt64(tail[1]) != nil else { return nil }
        return pid
    }

    /// True when no process with this id exists (on this machine: a process of another PID
    /// namespace or host writing to a shared folder looks gone, so clean only folders that
    /// runs on one machine share).
    public static func writerIsGone(_ pid: pid_t) -> Bool {
        kill(pid, 0) != 0 && errno == ESRCH
    }
}
