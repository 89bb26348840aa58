/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as TFRecord files use it, computed
/// slicing-by-8 so checksumming image events stays far below the cost of encoding them.
///
///     CRC32C.checksum(Array("123456789".utf8))   // 0xE3069283
public enum CRC32C {
    /// 8 tables of 256 entries: table k advances a byte through k further zero bytes.
    private static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            t[i] = c
        }
        for k in 1..<8 {
            for i in 0..<256 {
                let prev = t[(k - 1) * 256 + i]
                t[k * 256 + i] = (prev >> 8) ^ t[Int(prev & 0xFF)]
            }
        }
        return t
    }()

    /// The CRC-32C of `data`.
    public static func checksum<C: Collection>(_ data: C) -> UInt32 where C.Element == UInt8 {
        data.withContiguousStorageIfAvailable(compute) ?? Array(data).withUnsafeBufferPointer(compute)
    }

    /// TFRecord's masked CRC: rotate right by 15 and add 0xa282ead8 (all mod 2^32), so a CRC
    /// stored inside checksummed data does not make the outer CRC degenerate.
    ///
    ///     CRC32C.masked(CRC32C.checksum(data))
    public static func masked(_ crc: UInt32) -> UInt32 {
        ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }

    private static func compute(_ data: UnsafeBufferPointer<UInt8>) -> UInt32 {
        tables.withUnsafeBufferPointer { t in
            var c: UInt32 = 0xFFFF_FFFF
            var i = 0
            let n = data.count
            while i + 8 <= n {
                let lo = c ^ (UInt32(data[i]) | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2]) << 16 | UInt32(data[i + 3]) << 24)
                let hi = UInt32(data[i + 4]) | UInt32(data[i + 5]) << 8 | UInt32(data[i + 6]) << 16 | UInt32(data[i + 7]) << 24
                c = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                i += 8
            }
            while i < n {
                c = (c >> 8) ^ t[Int((c ^ UInt32(data[i])) & 0xFF)]
                i += 1
            }
            return ~c
        }
    }
}
