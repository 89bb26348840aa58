import CZlib
import Foundation
import PerceptCore

/// MNIST's IDX format (unsigned-byte images and labels), plain or gzip-compressed.
public enum IDX {
    /// Header facts of an IDX file.
    public struct Info: Sendable, Equatable {
        /// Item count followed by the per-item dimensions, e.g. [60000, 28, 28].
        public var shape: [Int]
        public var isLabels: Bool { shape.count == 1 }
    }

    /// Reads an images file (magic 0x00000803) as [N, rows, cols] with values 0…255.
    ///
    ///     let x = try IDX.readImages("Samples/mnist/train-images-idx3-ubyte.gz")
    public static func readImages(_ path: String) throws -> Tensor {
        try FileChecks.requireReadableFile(path)
        let gz = try GzipReader(path)
        let shape = try header(gz, path)
        guard shape.count == 3 else { throw PerceptError.badInput(file: path, "not an IDX images file (\(shape.count) dimensions, expected 3)") }
        try ResourceLimits.require(shape, elementSize: MemoryLayout<Float>.size, for: "as floats they",
                                   blame: { .badInput(file: path, "header claims \(shape.map(String.init).joined(separator: " × ")) bytes; " + $0) })
        var data = [Float]()
        try payload(gz, path, count: shape.reduce(1, *)) { chunk in data.append(contentsOf: chunk.lazy.map(Float.init)) }
        return Tensor(unchecked: shape, data: data)
    }

    /// Reads a labels file (magic 0x00000801).
    public static func readLabels(_ path: String) throws -> [Int] {
        let (shape, bytes) = try read(path)
        guard shape.count == 1 else { throw PerceptError.badInput(file: path, "not an IDX labels file (\(shape.count) dimensions, expected 1)") }
        return bytes.map { Int($0) }
    }

    /// Reads only the header.
    public static func info(_ path: String) throws -> Info {
        try FileChecks.requireReadableFile(path)
        let gz = try GzipReader(path)
        return Info(shape: try header(gz, path))
    }

    /// Both parts of the file: shape and payload bytes (validated to be complete).
    public static func read(_ path: String) throws -> ([Int], [UInt8]) {
        try FileChecks.requireReadableFile(path)
        let gz = try GzipReader(path)
        let shape = try header(gz, path)
        try ResourceLimits.require(shape, elementSize: 1, for: "they",
                                   blame: { .badInput(file: path, "header claims \(shape.map(String.init).joined(separator: " × ")) bytes; " + $0) })
        var bytes = [UInt8]()
        try payload(gz, path, count: shape.reduce(1, *)) { bytes.append(contentsOf: $0) }
        return (shape, bytes)
    }

    /// Streams the `count` payload bytes to `take` in chunks, so memory follows what the file really
    /// holds, not what its header claims; a short payload is an error naming both counts.
    private static func payload(_ gz: GzipReader, _ path: String, count: Int, _ take: (ArraySlice<UInt8>) -> Void) throws {
        var got = 0
        while got < count {
            let chunk = try gz.read(Swift.min(count - got, 1 << 22))
            if chunk.isEmpty { break }
            take(chunk[...])
            got += chunk.count
        }
        guard got == count else {
            throw PerceptError.badInput(file: path, "truncated: header promises \(count) bytes of data, found \(got)")
        }
    }

    private static func header(_ gz: GzipReader, _ path: String) throws -> [Int] {
        let m = try gz.read(4)
        guard m.count == 4, m[0] == 0, m[1] == 0 else { throw PerceptError.badInput(file: path, "not an IDX file (bad magic)") }
        guard m[2] == 0x08 else { throw PerceptError.badInput(file: path, "IDX element type 0x\(String(m[2], radix: 16)) unsupported (only unsigned bytes)") }
        let dims = Int(m[3])
        guard dims == 1 || dims == 3 else { throw PerceptError.badInput(file: path, "IDX with \(dims) dimensions unsupported (1 for labels, 3 for images)") }
        let raw = try gz.read(4 * dims)
        guard raw.count == 4 * dims else { throw PerceptError.badInput(file: path, "truncated header") }
        var shape = [Int]()
        for d in 0..<dims {
            shape.append(Int(raw[4 * d]) << 24 | Int(raw[4 * d + 1]) << 16 | Int(raw[4 * d + 2]) << 8 | Int(raw[4 * d + 3]))
        }
        // The four-byte dimensions multiply past Int.max in three dimensions; `read` checks the limit.
        guard ResourceLimits.bytes(shape, elementSize: MemoryLayout<Float>.size) != nil else {
            throw PerceptError.badInput(file: path, "header claims \(shape.map(String.init).joined(separator: " × ")) items, more than can be addressed")
        }
        return shape
    }
}

/// Sequential reads through zlib's gz* API, which also reads uncompressed files as they are.
final class GzipReader {
    private let file: gzFile
    private let path: String

    init(_ path: String) throws {
        guard let f = gzopen(path, "rb") else { throw PerceptError.badInput(file: path, "cannot open") }
        file = f
        self.path = path
    }

    deinit { gzclose(file) }

    /// Up to `n` bytes (fewer at the end of the data); corrupt compressed data throws.
    func read(_ n: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: n)
        var got = 0
        while got < n {
            let chunk = UInt32(Swift.min(n - got, 1 << 30))
            let r = out.withUnsafeMutableBytes { gzread(file, $0.baseAddress! + got, chunk) }
            if r < 0 {
                var errnum: Int32 = 0
                let msg = gzerror(file, &errnum).map { String(cString: $0) } ?? "read error"
                throw PerceptError.badInput(file: path, "corrupt gzip data (\(msg))")
            }
            if r == 0 { break }
            got += Int(r)
        }
        // gzip's CRC and length check happens at the end; a cut-off stream reads short with an error.
        var errnum: Int32 = 0
        _ = gzerror(file, &errnum)
        if errnum == Z_BUF_ERROR || errnum == Z_DATA_ERROR {
            throw PerceptError.badInput(file: path, "truncated or corrupt gzip stream")
        }
        return Array(out[0..<got])
    }
}
