import CSndFile
import Foundation
import PerceptCore

/// A file decoded by libsndfile through its virtual I/O, read in large windows.
///
/// libsndfile parsing a header from a file makes a syscall per field (about 30 for a WAV), and
/// decoding by path reads 8 KiB per call; through this reader a small file costs open, fstat,
/// one read and close (directory runs decode thousands of one-second clips, where those calls
/// were a tenth of the time), and a large one a read per 256 KiB, into one reused buffer rather
/// than a copy of the whole file (600 s of 16 kHz audio: 19 MB less memory and no second pass).
///
///     if let m = SndFileMemory(path: "a.wav"), let h = m.open(&info) { …; sf_close(h) }
final class SndFileMemory {
    /// Bytes read per call; a file up to this size is read whole, once.
    static let windowBytes = 256 << 10

    private let fd: Int32
    private let length: Int
    private let window: UnsafeMutableRawPointer
    private let capacity: Int
    /// File offset of the window's first byte and how many bytes it holds.
    private var windowStart = 0, windowCount = 0
    private var position = 0
    /// The first bytes of the file (for format sniffing without another read).
    let head: ArraySlice<UInt8>

    /// Opens the file and reads its first window, or returns nil when it is not a non-empty
    /// regular file readable here (the caller then opens it by path, which reports the error).
    init?(path: String) {
        let fd = Foundation.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size > 0 else {
            close(fd)
            return nil
        }
        self.fd = fd
        length = Int(st.st_size)
        capacity = Swift.min(length, SndFileMemory.windowBytes)
        window = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
        guard let got = SndFileMemory.readFully(fd, into: window, count: capacity, at: 0) else {
            close(fd)
            window.deallocate()
            return nil
        }
        windowCount = got
        head = ArraySlice(UnsafeRawBufferPointer(start: window, count: Swift.min(16, got)))
    }

    deinit {
        close(fd)
        window.deallocate()
    }

    /// Opens the bytes for reading; the handle must be closed before this object goes away.
    func open(_ info: inout SF_INFO) -> OpaquePointer? {
        var io = SF_VIRTUAL_IO(
            get_filelen: { user in SndFileMemory.from(user).fileLength },
            seek: { offset, whence, user in SndFileMemory.from(user).seek(offset, whence) },
            read: { ptr, count, user in SndFileMemory.from(user).read(ptr, count) },
            write: { _, _, _ in 0 },
            tell: { user in sf_count_t(SndFileMemory.from(user).position) })
        return sf_open_virtual(&io, Int32(SFM_READ), &info, Unmanaged.passUnretained(self).toOpaque())
    }

    private static func from(_ user: UnsafeMutableRawPointer?) -> SndFileMemory {
        Unmanaged<SndFileMemory>.fromOpaque(user!).takeUnretainedValue()
    }

    private var fileLength: sf_count_t { sf_count_t(length) }

    /// Up to `count` bytes at `offset` (fewer only at the end of the file: it shrank), or nil on
    /// a read error.
    private static func readFully(_ fd: Int32, into p: UnsafeMutableRawPointer, count: Int, at offset: Int) -> Int? {
        var got = 0
        while got < count {
            let n = pread(fd, p + got, count - got, off_t(offset + got))
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return nil }
            if n == 0 { break }
            got += n
        }
        return got
    }

    private func seek(_ offset: sf_count_t, _ whence: Int32) -> sf_count_t {
        let base: Int
        switch whence {
        case SEEK_CUR: base = position
        case SEEK_END: base = length
        default: base = 0
        }
        let target = base + Int(offset)
        guard target >= 0 else { return -1 }
        position = target   // past the end is allowed, as lseek; reads there return 0 bytes
        return sf_count_t(position)
    }

    private func read(_ ptr: UnsafeMutableRawPointer?, _ count: sf_count_t) -> sf_count_t {
        guard let ptr, count > 0 else { return 0 }
        let want = Int(count)
        var done = 0
        while done < want && position < length {
            if position < windowStart || position >= windowStart + windowCount {
                let rest = Swift.min(want - done, length - position)
                if rest >= capacity {
                    // A request as large as the window goes straight to the caller's buffer.
                    guard let n = SndFileMemory.readFully(fd, into: ptr + done, count: rest, at: position), n > 0 else { break }
                    position += n; done += n
                    continue
                }
                guard let n = SndFileMemory.readFully(fd, into: window, count: capacity, at: position), n > 0 else { break }
                windowStart = position; windowCount = n
            }
            let off = position - windowStart
            let n = Swift.min(want - done, windowCount - off)
            (ptr + done).copyMemory(from: window + off, byteCount: n)
            position += n; done += n
        }
        return sf_count_t(done)
    }
}
