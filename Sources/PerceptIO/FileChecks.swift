import Foundation
import PerceptCore

/// Checks shared by every reader, so each bad path gets the same one-line message.
enum FileChecks {
    /// Throws `badInput` for a missing path, a directory, an unreadable or an empty file.
    static func requireReadableFile(_ path: String) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw PerceptError.badInput(file: path, "no such file")
        }
        if isDir.boolValue { throw PerceptError.badInput(file: path, "is a directory, expected a file") }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw PerceptError.badInput(file: path, "permission denied")
        }
        if fileSize(path) == 0 { throw PerceptError.badInput(file: path, "empty file") }
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// The first `n` bytes of a file (fewer if it is shorter).
    static func head(_ path: String, _ n: Int) -> [UInt8] {
        guard let h = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? h.close() }
        return [UInt8]((try? h.read(upToCount: n)) ?? Data())
    }
}

/// Writes a file atomically: the content goes to a temporary file beside the target, which is
/// renamed over it only when complete, so a failure never leaves a half-written output.
///
///     try AtomicFile.write(to: "out.npy") { tmp in try data.write(to: URL(fileURLWithPath: tmp)) }
public enum AtomicFile {
    public static func write(to path: String, _ body: (String) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            throw PerceptError.badInput(file: path, "output path is a directory")
        }
        if !FileManager.default.fileExists(atPath: dir.path) {
            do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
                throw PerceptError.runtime("\(path): cannot create folder \(dir.path)")
            }
        }
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        do {
            try body(tmp)
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            throw error
        }
        if rename(tmp, path) != 0 {
            let msg = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: tmp)
            throw PerceptError.runtime("\(path): cannot write (\(msg))")
        }
    }

    /// Writes bytes atomically.
    public static func write(_ data: Data, to path: String) throws {
        try write(to: path) { tmp in
            guard FileManager.default.createFile(atPath: tmp, contents: data) else {
                throw PerceptError.runtime("\(path): cannot write (permission denied or disk full)")
            }
        }
    }
}
