import CZlib
import Foundation
import PerceptCore

/// NumPy's .npz archives: a zip of .npy members. Written uncompressed (as `numpy.savez`);
/// read stored or deflated (`numpy.savez_compressed`) members.
public enum Npz {
    /// Writes named tensors as float32 members `NAME.npy` (atomically).
    ///
    ///     try Npz.save([("level_0", a), ("level_1", b)], to: "pyr.npz")
    public static func save(_ arrays: [(String, Tensor)], to path: String) throws {
        try save(arrays.map { ($0.0, NpyArray($0.1)) }, to: path)
    }

    public static func save(_ arrays: [(String, NpyArray)], to path: String) throws {
        try AtomicFile.write(Data(try encode(arrays)), to: path)
    }

    /// The bytes of a .npz archive holding `arrays` (stored members, as `numpy.savez`).
    public static func encode(_ arrays: [(String, NpyArray)]) throws -> [UInt8] {
        var out = [UInt8]()
        var central = [UInt8]()
        for (name, array) in arrays {
            let data = Npy.encode(array)
            let fname = Array((name.hasSuffix(".npy") ? name : name + ".npy").utf8)
            let crc = data.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
            guard data.count < Int(UInt32.max), out.count < Int(UInt32.max) else {
                throw PerceptError.invalidArgument(field: name, "array too large for a .npz (zip64 not supported)")
            }
            let offset = UInt32(out.count)
            // Local file header: version 20, no flags, method 0 (stored), DOS time 1980-01-01.
            out += le32(0x0403_4B50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21)
            out += le32(crc) + le32(UInt32(data.count)) + le32(UInt32(data.count))
            out += le16(UInt16(fname.count)) + le16(0) + fname + data
            central += le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21)
            central += le32(crc) + le32(UInt32(data.count)) + le32(UInt32(data.count))
            central += le16(UInt16(fname.count)) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(offset) + fname
        }
        let cdOffset = UInt32(out.count)
        out += central
        out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(UInt16(arrays.count)) + le16(UInt16(arrays.count))
        out += le32(UInt32(central.count)) + le32(cdOffset) + le16(0)
        return out
    }

    /// Reads every member, in archive order, names without the `.npy` suffix.
    ///
    ///     for (name, a) in try Npz.load("pyr.npz") { print(name, a.shape) }
    public static func load(_ path: String) throws -> [(String, NpyArray)] {
        try FileChecks.requireReadableFile(path)
        guard let d = FileManager.default.contents(atPath: path) else { throw PerceptError.badInput(file: path, "cannot read") }
        let b = [UInt8](d)
        func bad(_ m: String) -> PerceptError { .badInput(file: path, m) }
        // The end-of-central-directory record is in the last 22 + 65535 bytes.
        guard b.count >= 22 else { throw bad("not a .npz file (too short for a zip)") }
        var eocd = -1
        var i = b.count - 22
        while i >= Swift.max(0, b.count - 22 - 65535) {
            if u32(b, i) == 0x0605_4B50 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw bad("not a .npz file (no zip directory)") }
        let entries = Int(u16(b, eocd + 10))
        var p = Int(u32(b, eocd + 16))
        var result = [(String, NpyArray)]()
        for _ in 0..<entries {
            guard p + 46 <= b.count, u32(b, p) == 0x0201_4B50 else { throw bad("corrupt zip directory") }
            let method = u16(b, p + 10), crc = u32(b, p + 16)
            let csize = Int(u32(b, p + 20)), usize = Int(u32(b, p + 24))
            let nlen = Int(u16(b, p + 28)), xlen = Int(u16(b, p + 30)), clen = Int(u16(b, p + 32))
            let local = Int(u32(b, p + 42))
            guard p + 46 + nlen <= b.count else { throw bad("corrupt zip directory") }
            var name = String(decoding: b[(p + 46)..<(p + 46 + nlen)], as: UTF8.self)
            p += 46 + nlen + xlen + clen
            guard local + 30 <= b.count, u32(b, local) == 0x0403_4B50 else { throw bad("corrupt zip entry \(name)") }
            let start = local + 30 + Int(u16(b, local + 26)) + Int(u16(b, local + 28))
            guard start + csize <= b.count else { throw bad("truncated zip entry \(name)") }
            // The directory's sizes are claims: a stored member is exactly its bytes, and deflate
            // expands at most 1032-fold, so a 200-byte archive cannot make us allocate 4 GB.
            guard method != 0 || usize == csize else {
                throw bad("zip entry \(name) is stored with \(csize) bytes, its directory says \(usize); the file is corrupt")
            }
            guard method != 8 || usize <= csize * 1032 + 64 else {
                throw bad("zip entry \(name) claims \(usize) bytes from \(csize) compressed, more than deflate can give; the file is corrupt")
            }
            try ResourceLimits.require(bytes: usize, for: "zip entry \(name)", blame: bad)
            let raw = Array(b[start..<(start + csize)])
            let member: [UInt8]
            switch method {
            case 0: member = raw
            case 8: member = try inflate(raw, expected: usize, name: "\(path):\(name)")
            default: throw bad("zip entry \(name) uses unsupported compression method \(method)")
            }
            // numpy (zipfile) rejects a member whose CRC-32 is wrong; reading it would report
            // corrupt data as success.
            let actual = member.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
            guard actual == crc, member.count == usize else {
                throw bad(member.count != usize ? "zip entry \(name) holds \(member.count) bytes, its directory says \(usize); the file is corrupt"
                                                : "zip entry \(name) fails its CRC-32 check (stored \(String(crc, radix: 16)), data \(String(actual, radix: 16))); the file is corrupt")
            }
            if name.hasSuffix(".npy") { name.removeLast(4) }
            result.append((name, try Npy.decode(member, name: "\(path):\(name)")))
        }
        return result
    }

    /// Raw-deflate decompression through zlib.
    static func inflate(_ input: [UInt8], expected: Int, name: String) throws -> [UInt8] {
        var out = [UInt8](unsafeUninitializedCapacity: expected) { _, n in n = expected }   // inflate writes every byte or fails
        var strm = z_stream()
        guard inflateInit2_(&strm, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw PerceptError.runtime("zlib could not start")
        }
        defer { inflateEnd(&strm) }
        var input = input
        let rc: Int32 = input.withUnsafeMutableBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                strm.next_in = src.baseAddress
                strm.avail_in = UInt32(src.count)
                strm.next_out = dst.baseAddress
                strm.avail_out = UInt32(dst.count)
                return CZlib.inflate(&strm, Z_FINISH)
            }
        }
        guard rc == Z_STREAM_END, Int(strm.total_out) == expected else {
            throw PerceptError.badInput(file: name, "corrupt compressed data")
        }
        return out
    }
}

@inline(__always) func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
@inline(__always) func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }
@inline(__always) func u16(_ b: [UInt8], _ i: Int) -> UInt16 { i + 2 <= b.count ? UInt16(b[i]) | UInt16(b[i + 1]) << 8 : 0 }
@inline(__always) func u32(_ b: [UInt8], _ i: Int) -> UInt32 {
    i + 4 <= b.count ? UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24 : 0
}
