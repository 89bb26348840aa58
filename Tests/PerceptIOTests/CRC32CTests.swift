import PerceptIO
import XCTest

final class CRC32CTests: XCTestCase {
    func testCheckValueOfTheCastagnoliCRC() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8]()), 0)
    }

    func testISCSITestVectorsFromRFC3720() {
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8($0) }), 0x46DD_794E)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }), 0x113F_DB5C)
    }

    func testSlicedLoopAgreesWithBitwiseDefinitionAtEveryLengthAndOffset() {
        func bitwise(_ data: ArraySlice<UInt8>) -> UInt32 {
            var c: UInt32 = 0xFFFF_FFFF
            for b in data {
                c ^= UInt32(b)
                for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            }
            return ~c
        }
        let data = (0..<100).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ 13) }
        for start in 0..<9 {
            for end in start...data.count {
                XCTAssertEqual(CRC32C.checksum(data[start..<end]), bitwise(data[start..<end]), "\(start)..<\(end)")
            }
        }
    }

    func testMaskRotatesRightBy15AndAddsTheTFRecordDelta() {
        XCTAssertEqual(CRC32C.masked(0), 0xA282_EAD8)
        XCTAssertEqual(CRC32C.masked(0xE306_9283), 0xC78A_B0E5)
        // The addition wraps modulo 2^32.
        XCTAssertEqual(CRC32C.masked(0xFFFF_FFFF), 0xA282_EAD7)
    }
}
