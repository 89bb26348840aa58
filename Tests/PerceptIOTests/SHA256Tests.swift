import PerceptIO
import XCTest

/// `SHA256`: the FIPS 180-4 test vectors, block boundaries and files.
final class SHA256Tests: TempDirTestCase {
    func testKnownDigestsAreTheStandardOnes() {
        XCTAssertEqual(SHA256.hex([]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testFeedingInPiecesGivesTheSameDigestAsAtOnce() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for cuts in [[1, 63, 64, 200], [55, 56, 57], [64, 128, 999]] {
            var s = SHA256(), start = 0
            for c in cuts + [bytes.count] { s.update(Array(bytes[start..<c])); start = c }
            XCTAssertEqual(s.hex(), SHA256.hex(bytes), "\(cuts)")
        }
    }

    func testAFileHashesAsItsBytesAndAMissingOneIsBadInput() throws {
        let bytes = (0..<(1 << 20) + 5).map { UInt8(truncatingIfNeeded: $0 >> 3) }   // spans two 1 MiB reads
        let p = write(bytes, "blob.bin")
        XCTAssertEqual(try SHA256.hex(file: p), SHA256.hex(bytes))
        assertBadInput(try SHA256.hex(file: path("none.bin")), file: path("none.bin"), "no such file")
    }
}
