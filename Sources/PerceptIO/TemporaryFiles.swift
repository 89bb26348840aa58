import Foundation

/// The temporary files atomic writes have open right now, so a program stopped by a signal can
/// remove them instead of leaving hidden `.NAME.tmp-…` files beside the outputs.
///
///     TemporaryFiles.removeAllAndHold(); exit(130)   // the CLI's SIGINT handler (a Dispatch signal source)
public enum TemporaryFiles {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var paths = Set<String>()

    /// Creates `path` (O_EXCL) and registers it, under the registry's lock so that `removeAllAndHold`
    /// cannot miss a file being created; returns the descriptor, or -1 with `errno` set.
    static func create(_ path: String) -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd >= 0 { paths.insert(path) }
        return fd
    }

    /// Registers `path`, which a library (libpng, libsndfile) is about to create. A signal between
    /// this and the creation can leave that one file behind; `create` has no such gap.
    static func add(_ path: String) {
        lock.lock(); paths.insert(path); lock.unlock()
    }

    /// Forgets `path` (it was renamed into place, or unlinked).
    static func remove(_ path: String) {
        lock.lock(); paths.remove(path); lock.unlock()
    }

    /// Paths currently registered (for tests).
    public static var current: Set<String> {
        lock.lock(); defer { lock.unlock() }
        return paths
    }

    /// Unlinks every registered temporary file and keeps the registry locked, so no thread can
    /// create another: call it only on the way out of the process. The outputs those files would
    /// have replaced stay as they were.
    public static func removeAllAndHold() {
        lock.lock()
        for p in paths { unlink(p) }
        paths.removeAll()
    }
}
