import Foundation

/// Large fresh buffers backed by transparent huge pages where the kernel allows it.
///
/// A buffer of tens of megabytes filled once (decoded samples, a spectrogram)
/// otherwise costs one page fault per 4 KiB on first touch: 9,400 for 600 s of 16 kHz audio,
/// most of a whole command's kernel time. `madvise(MADV_HUGEPAGE)` on the 2 MiB-aligned part of
/// the buffer, before anything is written, makes each fault map 2 MiB. The contents are not
/// affected; where the kernel has huge pages off (`transparent_hugepage=never`) the advice is
/// ignored and the buffer behaves as before.
///
///     let y: [Float] = HugePages.array(capacity: n) { buf, count in count = fill(buf) }
public enum HugePages {
    /// Buffers below this size are left alone: a few faults do not pay for splitting a mapping.
    public static let minBytes = 4 << 20
    static let hugePage = 2 << 20

    /// Advises huge pages for the 2 MiB-aligned pages inside `[start, start + byteCount)`, when
    /// the range is at least `minBytes`. Call before the first write: pages already touched keep
    /// their small pages until khugepaged merges them. Returns whether advice was given.
    @discardableResult
    public static func advise(_ start: UnsafeMutableRawPointer, byteCount: Int) -> Bool {
        #if os(Linux)
        guard byteCount >= minBytes else { return false }
        let lo = (UInt(bitPattern: start) + UInt(hugePage - 1)) & ~UInt(hugePage - 1)
        let hi = (UInt(bitPattern: start) + UInt(byteCount)) & ~UInt(hugePage - 1)
        guard hi > lo, let p = UnsafeMutableRawPointer(bitPattern: lo) else { return false }
        return madvise(p, Int(hi - lo), MADV_HUGEPAGE) == 0
        #else
        return false   // no transparent huge pages to ask for
        #endif
    }

    /// `[T](unsafeUninitializedCapacity:initializingWith:)` with the storage advised for huge
    /// pages before `body` writes it (trivial element types only: bytes, samples).
    ///
    ///     let y: [Float] = HugePages.array(capacity: n) { buf, count in count = fill(buf) }
    public static func array<T: BitwiseCopyable>(capacity: Int, _ body: (inout UnsafeMutableBufferPointer<T>, inout Int) throws -> Void) rethrows -> [T] {
        try [T](unsafeUninitializedCapacity: capacity) { buf, initialized in
            if let base = buf.baseAddress { advise(UnsafeMutableRawPointer(base), byteCount: capacity * MemoryLayout<T>.stride) }
            try body(&buf, &initialized)
        }
    }
}
