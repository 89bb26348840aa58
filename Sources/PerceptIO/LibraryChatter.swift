import Foundation
import PerceptCore

/// Keeps what a C library prints on stderr out of Percept's output. libmpg123 (through
/// libsndfile, for anything that looks like MPEG audio) writes 2–7 lines per bad file straight to
/// file descriptor 2, which no API of libsndfile turns off. Around such a call, fd 2 points at a
/// temporary file; afterwards the library's lines are returned (to fold into Percept's one error
/// line, or to drop) and any other line that landed there meanwhile — another thread's message —
/// is written to the real stderr.
///
///     let (info, chatter) = try LibraryChatter.capture(if: LibraryChatter.looksLikeMPEG(path)) { try open() }
public enum LibraryChatter {
    private static let lock = NSLock()

    /// True when libsndfile would hand the file to libmpg123: an ID3 tag or an MPEG frame sync at
    /// the start (libsndfile's own guess), or an `.mp3` name. `head` is the file's first bytes when
    /// the caller has them already (a folder run must not open every file twice).
    public static func looksLikeMPEG(_ path: String, head: ArraySlice<UInt8>? = nil) -> Bool {
        if path.lowercased().hasSuffix(".mp3") { return true }
        let b = Array(head?.prefix(3) ?? FileChecks.head(path, 3)[...])
        guard b.count >= 2 else { return false }
        return (b.count == 3 && b[0] == 0x49 && b[1] == 0x44 && b[2] == 0x33) || (b[0] == 0xFF && b[1] & 0xE0 == 0xE0)
    }

    /// Runs `body` with the library's stderr captured when `active`; returns its result or error,
    /// and the library's lines (escaped, without libmpg123's `[src/…:line] error:` prefixes). One
    /// capture at a time in the process: fd 2 is process-wide.
    public static func capture<T>(if active: Bool, _ body: () throws -> T) -> (Result<T, Error>, [String]) {
        guard active else { return (Result { try body() }, []) }
        lock.lock()
        defer { lock.unlock() }
        fflush(nil)   // every C stream, stderr included (its global is not concurrency-safe to name)
        let saved = dup(2)
        guard saved >= 0, let sink = tmpfile() else {
            if saved >= 0 { close(saved) }
            return (Result { try body() }, [])
        }
        defer { fclose(sink) }
        dup2(fileno(sink), 2)
        let result = Result { try body() }
        fflush(nil)   // every C stream, stderr included (its global is not concurrency-safe to name)
        dup2(saved, 2)
        close(saved)
        return (result, split(readAll(fileno(sink))))
    }

    /// `body`'s result, with the library's chatter dropped on success and its first line folded
    /// into a Percept error on failure: `a.mp3: truncated: … (libmpg123: bad frame - unable to get valid sideinfo)`.
    ///
    ///     let audio = try LibraryChatter.folding(if: looksLikeMPEG(path)) { try decode(path) }
    public static func folding<T>(if active: Bool, _ body: () throws -> T) throws -> T {
        let (result, lines) = capture(if: active, body)
        switch result {
        case let .success(value): return value
        case let .failure(error):
            guard let first = lines.first, case let .badInput(file, message) = error as? PerceptError else { throw error }
            throw PerceptError.badInput(file: file, "\(message) (libmpg123: \(first))")
        }
    }

    private static func readAll(_ fd: Int32) -> String {
        lseek(fd, 0, SEEK_SET)
        var data = [UInt8](), chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, 4096) }
            if n <= 0 { break }
            data += chunk[0..<n]
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The library's lines; any other line is passed on to the real stderr.
    private static func split(_ text: String) -> [String] {
        var mine = [String]()
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("[src/libmpg123") || line.hasPrefix("Note: ") || line.hasPrefix("Warning: ") || line.hasPrefix("[") && line.contains("] error: ") {
                var s = Substring(line)
                if s.hasPrefix("["), let close = s.firstIndex(of: "]") { s = s[s.index(after: close)...].drop { $0 == " " } }
                if s.hasPrefix("error: ") { s = s.dropFirst(7) }
                if s.hasPrefix("Note: ") { s = s.dropFirst(6) }
                mine.append(PerceptError.oneLine(String(s)))
            } else {
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
        }
        return mine
    }
}
