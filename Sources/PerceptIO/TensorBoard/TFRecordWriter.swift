import Foundation
import PerceptCore

/// Writes TFRecord files as TensorBoard's RecordWriter does: each record is its length (u64
/// little-endian), the masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the
/// data. Records are buffered in memory until `flush()`, so a reader sees whole records up to
/// the last flush; a file cut short is still readable up to its last complete record.
///
///     let w = try TFRecordWriter(path: "run/events.out.tfevents.1.host.7")
///     try w.write(eventBytes)
///     try w.close()
public final class TFRecordWriter {
    public let path: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    /// Past this many buffered bytes `write` flushes by itself, so memory stays bounded.
    private let autoFlushBytes = 8 << 20

    /// Creates the file, failing if it exists, so no run's events are overwritten.
    public init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw PerceptError.runtime("\(path): cannot create event file: \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        if fd >= 0 {
            try? flush()
            Foundation.close(fd)
        }
    }

    /// The framed bytes of one record.
    ///
    ///     TFRecordWriter.frame([1, 2, 3]).count   // 8 + 4 + 3 + 4
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 16)
        withUnsafeBytes(of: UInt64(data.count).littleEndian) { out.append(contentsOf: $0) }
        let lengthCRC = CRC32C.masked(CRC32C.checksum(out))
        withUnsafeBytes(of: lengthCRC.littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: data)
        withUnsafeBytes(of: CRC32C.masked(CRC32C.checksum(data)).littleEndian) { out.append(contentsOf: $0) }
        return out
    }

    /// Buffers one record.
    public func write(_ data: [UInt8]) throws {
        guard fd >= 0 else { throw PerceptError.runtime("\(path): event file is already closed") }
        buffer.append(contentsOf: Self.frame(data))
        if buffer.count >= autoFlushBytes { try flush() }
    }

    /// Writes the buffered records to the file.
    public func flush() throws {
        guard fd >= 0, !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try AtomicFile.writeFully(fd, $0, path: path) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes the file; later writes throw, a second close does nothing.
    public func close() throws {
        guard fd >= 0 else { return }
        defer {
            Foundation.close(fd)
            fd = -1
        }
        try flush()
    }
}
