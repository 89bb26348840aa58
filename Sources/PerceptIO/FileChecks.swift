import CFileOps
import Foundation
import PerceptCore

/// Checks shared by every reader, so each bad path gets the same one-line message.
public enum FileChecks {
    /// Throws `badInput` for a missing path, a directory, an unreadable or an empty file.
    /// One stat and one access call: directory runs do this for thousands of files.
    static func requireReadableFile(_ path: String) throws {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw PerceptError.badInput(file: path, errno == ENOENT || errno == ENOTDIR ? "no such file" : String(cString: strerror(errno)))
        }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw PerceptError.badInput(file: path, "is a directory, expected a file") }
        guard access(path, R_OK) == 0 else { throw PerceptError.badInput(file: path, "permission denied") }
        if st.st_size == 0 && (st.st_mode & S_IFMT) == S_IFREG { throw PerceptError.badInput(file: path, "empty file") }
    }

    /// True when `path` names an existing directory.
    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func fileSize(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }

    /// The first `n` bytes of a file (fewer if it is shorter).
    static func head(_ path: String, _ n: Int) -> [UInt8] {
        guard let h = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? h.close() }
        return [UInt8]((try? h.read(upToCount: n)) ?? Data())
    }
}

extension FileChecks {
    /// Throws unless `path` can name an output file: not a directory, and its folder is a folder
    /// (or can be created) — checked before any work, so no output is written before a bad one.
    ///
    ///     try FileChecks.requireOutputFile("out/a.png", field: "--png")
    public static func requireOutputFile(_ path: String, field: String) throws {
        guard !path.isEmpty else { throw PerceptError.invalidArgument(field: field, "is empty") }
        if isDirectory(path) || path.hasSuffix("/") {
            throw PerceptError.invalidArgument(field: field, "'\(path)' is a folder; give a file name")
        }
        // The nearest existing ancestor must be a folder (a file there makes the path impossible).
        var dir = AtomicFile.split(path).dir
        while !FileManager.default.fileExists(atPath: dir) { dir = AtomicFile.split(dir).dir }
        guard isDirectory(dir) else {
            throw PerceptError.invalidArgument(field: field, "cannot write '\(path)': '\(dir)' is a file, not a folder")
        }
    }

    /// True when two paths name the same file: equal once standardised, or the same inode.
    ///
    ///     FileChecks.samePath("out/a.npy", "./out/a.npy")   // true
    public static func samePath(_ a: String, _ b: String) -> Bool {
        let cwd = FileManager.default.currentDirectoryPath
        func absolute(_ p: String) -> String { URL(fileURLWithPath: p, relativeTo: URL(fileURLWithPath: cwd, isDirectory: true)).standardizedFileURL.path }
        if absolute(a) == absolute(b) { return true }
        var sa = stat(), sb = stat()
        return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }
}

/// Writes a file atomically: the content goes to a temporary file beside the target, which is
/// renamed over it only when complete, so a failure never leaves a half-written output.
///
///     try AtomicFile.write(to: "out.npy") { tmp in try data.write(to: URL(fileURLWithPath: tmp)) }
public enum AtomicFile {
    public static func write(to path: String, _ body: (String) throws -> Void) throws {
        if FileChecks.isDirectory(path) { throw PerceptError.badInput(file: path, "output path is a directory") }
        try makeFolder(split(path).dir, for: path)
        let tmp = TemporaryName.beside(path, unique: UInt64.random(in: 0...UInt64.max))
        TemporaryFiles.add(tmp)   // `create` below registers it again: a set, so once
        defer { TemporaryFiles.remove(tmp) }
        do {
            try body(tmp)
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            throw error
        }
        if replaceByExchange(tmp, path) { return }
        if rename(tmp, path) != 0 {
            let msg = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: tmp)
            throw PerceptError.runtime("\(path): cannot write (\(msg))")
        }
    }

    /// Replaces an existing plain, singly linked `path` by swapping names with `tmp` and then
    /// deleting the old content under the temporary name. ext4 starts writeback of a file renamed
    /// over another at once (`auto_da_alloc`); a swap does not, and the old content, if not yet
    /// written back, is dropped unwritten. Re-writing a 15 MB output took 13–17 ms with a rename,
    /// 8–9 ms this way. Readers holding the old file open keep its content, as with a rename.
    /// False (nothing changed) where there is no such file or the swap is unsupported.
    private static func replaceByExchange(_ tmp: String, _ path: String) -> Bool {
        var st = stat()
        guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_nlink == 1,
              cfo_rename_exchange(tmp, path) == 0 else { return false }
        unlink(tmp)
        return true
    }

    /// Writes bytes atomically. Plain POSIX writes: Foundation's createFile adds a second
    /// temporary file and an fsync per call, which dominated directory runs of small outputs.
    public static func write(_ data: Data, to path: String) throws {
        try data.withUnsafeBytes { try write([], then: $0, to: path) }
    }

    /// Writes `head` and then `body` atomically, with two writes rather than one joined copy.
    ///
    ///     try AtomicFile.write(header, then: UnsafeRawBufferPointer(floats), to: "out.npy")
    public static func write(_ head: [UInt8], then body: UnsafeRawBufferPointer, to path: String) throws {
        try write(to: path) { tmp in
            let fd = TemporaryFiles.create(tmp)
            guard fd >= 0 else {
                throw PerceptError.runtime("\(path): cannot write (\(String(cString: strerror(errno))))")
            }
            if !head.isEmpty {
                do { try head.withUnsafeBytes { try writeFully(fd, $0, path: path) } } catch {
                    close(fd)
                    throw error
                }
            }
            try writeAll(fd, body, path: path)
        }
    }

    /// The folder ("." for a bare name) and the file name of `path`.
    static func split(_ path: String) -> (dir: String, name: String) {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return (dir, name)
    }

    /// Creates `dir` (with its parents) unless it exists; `path` names the output in the error.
    static func makeFolder(_ dir: String, for path: String) throws {
        if FileChecks.isDirectory(dir) { return }
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw PerceptError.runtime("\(path): cannot create folder \(dir)")
        }
    }

    /// Writes all of `bytes` to `fd` (retrying short and interrupted writes), leaving it open;
    /// errors (a full disk) name `path`.
    static func writeFully(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var off = 0
        while off < bytes.count {
            let n = Foundation.write(fd, bytes.baseAddress! + off, bytes.count - off)
            if n < 0 {
                if errno == EINTR { continue }
                throw PerceptError.runtime("\(path): cannot write (\(String(cString: strerror(errno))))")
            }
            off += n
        }
    }

    /// Writes all of `bytes` to `fd` and closes it; errors (a full disk) name `path`.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        do { try writeFully(fd, bytes, path: path) } catch {
            close(fd)
            throw error
        }
        if close(fd) != 0 {
            throw PerceptError.runtime("\(path): cannot write (\(String(cString: strerror(errno))))")
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { try writeAll(fd, $0, path: path) }
    }
}
