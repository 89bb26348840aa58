import CSndFile
import Foundation
import PerceptCore

/// A file's bytes read with one `read`, decoded by libsndfile through its virtual I/O.
///
/// libsndfile parsing a header from a file makes a syscall per field (about 30 for a WAV);
/// from memory a small file costs open, fstat, read and close. Directory runs decode
/// thousands of one-second clips, where those calls were a tenth of the time.
///
///     if let m = SndFileMemory(path: "a.wav"), let h = m.open(&info) { …; sf_close(h) }
final class SndFileMemory {
    /// Files up to this size are read whole; larger ones are opened by path (streamed).
    static let maxBytes = 64 << 20

    private let bytes: [UInt8]
    private var position = 0

    /// Reads the whole file, or returns nil when it is larger than `maxBytes` or unreadable
    /// here (the caller then opens it by path, which reports the error).
    init?(path: String) {
        let fd = Foundation.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size > 0, st.st_size <= SndFileMemory.maxBytes else {
            return nil
        }
        let size = Int(st.st_size)
        var buffer = [UInt8](repeating: 0, count: size)
        var got = 0
        let ok = buffer.withUnsafeMutableBytes { raw -> Bool in
            while got < size {
                let n = Foundation.read(fd, raw.baseAddress! + got, size - got)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return n == 0 }   // end of file early: the file shrank; decode what is there
                got += n
            }
            return true
        }
        guard ok else { return nil }
        bytes = got == size ? buffer : Array(buffer[..<got])
    }

    /// The first bytes of the file (for format sniffing without another read).
    var head: ArraySlice<UInt8> { bytes.prefix(16) }

    /// Opens the bytes for reading; the handle must be closed before this object goes away.
    func open(_ info: inout SF_INFO) -> OpaquePointer? {
        var io = SF_VIRTUAL_IO(
            get_filelen: { user in SndFileMemory.from(user).length },
            seek: { offset, whence, user in SndFileMemory.from(user).seek(offset, whence) },
            read: { ptr, count, user in SndFileMemory.from(user).read(ptr, count) },
            write: { _, _, _ in 0 },
            tell: { user in sf_count_t(SndFileMemory.from(user).position) })
        return sf_open_virtual(&io, Int32(SFM_READ), &info, Unmanaged.passUnretained(self).toOpaque())
    }

    private static func from(_ user: UnsafeMutableRawPointer?) -> SndFileMemory {
        Unmanaged<SndFileMemory>.fromOpaque(user!).takeUnretainedValue()
    }

    private var length: sf_count_t { sf_count_t(bytes.count) }

    private func seek(_ offset: sf_count_t, _ whence: Int32) -> sf_count_t {
        let base: Int
        switch whence {
        case SEEK_CUR: base = position
        case SEEK_END: base = bytes.count
        default: base = 0
        }
        let target = base + Int(offset)
        guard target >= 0 else { return -1 }
        position = target   // past the end is allowed, as lseek; reads there return 0 bytes
        return sf_count_t(position)
    }

    private func read(_ ptr: UnsafeMutableRawPointer?, _ count: sf_count_t) -> sf_count_t {
        guard let ptr, count > 0, position < bytes.count else { return 0 }
        let n = Swift.min(Int(count), bytes.count - position)
        bytes.withUnsafeBytes { ptr.copyMemory(from: $0.baseAddress! + position, byteCount: n) }
        position += n
        return sf_count_t(n)
    }
}
