import Foundation
import PerceptCore

/// The temporary files atomic writes have open right now, so a program stopped by a signal can
/// remove them instead of leaving hidden `.NAME.tmp-PID-N` files (`TemporaryName`) beside the
/// outputs; and, for SIGKILL, which nothing can catch, the removal of such files that an earlier
/// killed run left (`removeLeftovers`).
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

    /// Removes the hidden temporary files (`TemporaryName`) that killed percept processes left
    /// directly in each of `folders`, and returns how many went. Only names of that exact form
    /// whose writer process is gone, and only plain files: another file that merely looks
    /// similar, a link, or a temporary file of a percept process still running is never touched.
    /// A folder that does not exist or cannot be listed is passed over.
    ///
    ///     let n = TemporaryFiles.removeLeftovers(in: ["out", "out/spoken"])   // 2 after a kill -9 with two workers
    public static func removeLeftovers<S: Sequence>(in folders: S) -> Int where S.Element == String {
        var removed = 0
        for folder in Set(folders) {
            guard let d = opendir(folder) else { continue }
            defer { closedir(d) }
            while let entry = readdir(d) {
                let name = DirectoryTree.name(of: entry)
                guard let pid = TemporaryName.writer(of: name), pid != getpid(), TemporaryName.writerIsGone(pid) else { continue }
                let path = folder + "/" + name
                var st = stat()
                guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
                if unlink(path) == 0 { removed += 1 }
            }
        }
        return removed
    }

    /// `removeLeftovers(in:)` over `root` and every folder below it (links to folders are not
    /// followed; hidden folders are not entered), for output trees that Percept owns, such as a
    /// run folder.
    ///
    ///     let n = TemporaryFiles.removeLeftovers(under: "runs/quickstart")
    public static func removeLeftovers(under root: String) -> Int {
        var folders = [String](), pending = [root]
        while let dir = pending.popLast() {
            folders.append(dir)
            guard let d = opendir(dir) else { continue }
            defer { closedir(d) }
            while let entry = readdir(d) {
                guard entry.pointee.d_type == UInt8(DT_DIR) || entry.pointee.d_type == UInt8(DT_UNKNOWN) else { continue }
                let name = DirectoryTree.name(of: entry)
                if name.hasPrefix(".") { continue }
                var st = stat()
                if lstat(dir + "/" + name, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { pending.append(dir + "/" + name) }
            }
        }
        return removeLeftovers(in: folders)
    }

    /// The note a command prints on stderr after `removeLeftovers`, or nil when none were removed.
    ///
    ///     if let note = TemporaryFiles.note(removed: n, in: "out") { log(note) }   // "percept: removed 2 temporary files left in out by an earlier run that was killed"
    public static func note(removed: Int, in folder: String) -> String? {
        guard removed > 0 else { return nil }
        return "percept: removed \(removed) temporary file\(removed == 1 ? "" : "s") left in \(folder) by an earlier run that was killed"
    }
}
