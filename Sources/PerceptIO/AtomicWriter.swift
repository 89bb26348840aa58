import CFileOps
import Foundation
import PerceptCore

/// Writes many outputs, each one atomically (a complete temporary file, then a rename), for
/// directory runs; one writer per worker thread.
///
/// Replacing an existing output swaps the names with `RENAME_EXCHANGE`, and the old inode, once
/// nobody has it open, becomes the temporary file of the next output in the same folder. A re-run
/// over an output tree then allocates and frees no inodes: on journal-less ext4 each allocation
/// right after frees scans every recently deleted inode, which made a plain temp-and-rename cost
/// more per file than computing a log-mel. Nor does it truncate files to zero or rename over them,
/// both of which make ext4 start writeback at once (`auto_da_alloc`). Readers that hold an old
/// output open keep its content (the open check is a write-lease probe), as with a plain rename.
/// Where the filesystem or kernel lacks either operation, it is a plain temp-and-rename.
///
///     let w = AtomicWriter(); defer { w.finish() }
///     try w.write(Npy.encode(NpyArray(t)), to: "out/a.npy")   // or header and storage: write(_:then:to:)
public final class AtomicWriter {
    /// A previous output's inode, waiting under a hidden name to be overwritten.
    private var spare: (path: String, dir: String, size: Int)?
    /// Folders known to exist, so each is checked (and created) once per run.
    private var knownDirs = Set<String>()
    private var counter = 0

    public init() {}

    deinit { finish() }

    /// Removes the spare inode; call when the run ends (also done on deinit).
    public func finish() {
        if let s = spare { drop(s.path) }
        spare = nil
    }

    private func drop(_ temporary: String) {
        unlink(temporary)
        TemporaryFiles.remove(temporary)
    }

    /// Writes `bytes` as the whole content of `path`, creating its folder if needed.
    public func write(_ bytes: [UInt8], to path: String) throws {
        try bytes.withUnsafeBytes { try write([], then: $0, to: path) }
    }

    /// Writes `head` and then `body` as the whole content of `path`: two writes, no joined copy.
    ///
    ///     try t.withUnsafeBufferPointer { try w.write(Npy.header(for: t), then: UnsafeRawBufferPointer($0), to: "out/a.npy") }
    public func write(_ head: [UInt8], then body: UnsafeRawBufferPointer, to path: String) throws {
        var st = stat()
        let exists = lstat(path, &st) == 0
        if exists && (st.st_mode & S_IFMT) == S_IFDIR {
            throw PerceptError.badInput(file: path, "output path is a directory")
        }
        let dir = AtomicFile.split(path).dir
        if !exists && !knownDirs.contains(dir) {
            try AtomicFile.makeFolder(dir, for: path)
            knownDirs.insert(dir)
        }
        let (fd, tmp) = try openTemporary(dir: dir, size: head.count + body.count, for: path)
        do {
            if !head.isEmpty {
                do { try head.withUnsafeBytes { try AtomicFile.writeFully(fd, $0, path: path) } } catch {
                    close(fd)
                    throw error
                }
            }
            try AtomicFile.writeAll(fd, body, path: path)
        } catch {
            drop(tmp)
            throw error
        }
        // Swap only a plain file with one link: a hard-linked output must keep its other names' content.
        if exists && (st.st_mode & S_IFMT) == S_IFREG && st.st_nlink == 1 && cfo_rename_exchange(tmp, path) == 0 {
            spare = (tmp, dir, Int(st.st_size))
            return
        }
        if rename(tmp, path) != 0 {
            let msg = String(cString: strerror(errno))
            drop(tmp)
            throw PerceptError.runtime("\(path): cannot write (\(msg))")
        }
        TemporaryFiles.remove(tmp)   // it is the output now
    }

    /// The spare inode, when it is in `dir` and open nowhere else, else a new hidden file, ready
    /// for `size` bytes. The spare is overwritten in place and truncated only when it must shrink,
    /// never to zero: ext4 starts writeback on closing a file truncated to zero, and any truncate
    /// re-reads the last partial block from disk to zero its tail.
    private func openTemporary(dir: String, size: Int, for path: String) throws -> (Int32, String) {
        if let s = spare {
            spare = nil
            if s.dir == dir {
                let fd = open(s.path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)
                if fd >= 0 && cfo_only_opener(fd) == 1 && (size >= s.size || ftruncate(fd, off_t(size)) == 0) {
                    return (fd, s.path)
                }
                if fd >= 0 { close(fd) }
            }
            drop(s.path)
        }
        counter += 1
        let tmp = TemporaryName.beside(path, unique: UInt64(counter))
        let fd = TemporaryFiles.create(tmp)
        guard fd >= 0 else { throw PerceptError.runtime("\(path): cannot write (\(String(cString: strerror(errno))))") }
        return (fd, tmp)
    }
}
