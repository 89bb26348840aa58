import Foundation
import PerceptCore
import PerceptIO
import XCTest

/// Splits a TFRecord file into its records, checking both masked CRCs of each; a record cut
/// short ends the list (as TensorBoard's reader stops there).
func tfRecords(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> [[UInt8]] {
    var out: [[UInt8]] = []
    var i = 0
    func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * $1) } }
    while i + 12 <= bytes.count {
        let length = (0..<8).reduce(0) { $0 | Int(bytes[i + $1]) << (8 * $1) }
        XCTAssertEqual(u32(i + 8), CRC32C.masked(CRC32C.checksum(bytes[i..<(i + 8)])), "length CRC of record \(out.count)", file: file, line: line)
        guard i + 12 + length + 4 <= bytes.count else { break }
        let data = Array(bytes[(i + 12)..<(i + 12 + length)])
        XCTAssertEqual(u32(i + 12 + length), CRC32C.masked(CRC32C.checksum(data)), "data CRC of record \(out.count)", file: file, line: line)
        out.append(data)
        i += 12 + length + 4
    }
    return out
}

final class TFRecordWriterTests: TempDirTestCase {
    func testFramesMatchTensorBoardsRecordWriter() {
        // Bytes from tensorboard 2.21.0's RecordWriter.write(b"") and write(b"abc").
        XCTAssertEqual(TFRecordWriter.frame([]), [0, 0, 0, 0, 0, 0, 0, 0, 41, 3, 152, 7, 216, 234, 130, 162])
        XCTAssertEqual(TFRecordWriter.frame(Array("abc".utf8)),
                       [3, 0, 0, 0, 0, 0, 0, 0, 176, 153, 73, 14, 97, 98, 99, 110, 87, 241, 33])
    }

    func testRecordsReachTheFileOnlyOnFlushAndCloseWritesTheRest() throws {
        let p = path("r.tfrecord")
        let w = try TFRecordWriter(path: p)
        try w.write([1, 2, 3])
        XCTAssertEqual(bytes(p), [], "buffered until flush")
        try w.flush()
        XCTAssertEqual(tfRecords(bytes(p)), [[1, 2, 3]])
        try w.write(Array(repeating: 7, count: 1000))
        try w.close()
        XCTAssertEqual(bytes(p), TFRecordWriter.frame([1, 2, 3]) + TFRecordWriter.frame(Array(repeating: 7, count: 1000)))
        try w.close()   // a second close does nothing
    }

    func testAFileCutShortKeepsItsCompleteRecords() throws {
        let p = path("r.tfrecord")
        let w = try TFRecordWriter(path: p)
        for k in 0..<3 { try w.write([UInt8](repeating: UInt8(k), count: 10 + k)) }
        try w.close()
        let full = bytes(p)
        XCTAssertEqual(tfRecords(Array(full.dropLast(5))).count, 2)
    }

    func testWriteAfterCloseAndExistingFileAreErrorsNamingThePath() throws {
        let p = path("r.tfrecord")
        let w = try TFRecordWriter(path: p)
        try w.close()
        XCTAssertThrowsError(try w.write([1])) { XCTAssertTrue("\($0)".hasPrefix(p + ": "), "\($0)") }
        XCTAssertThrowsError(try TFRecordWriter(path: p)) { XCTAssertTrue("\($0)".hasPrefix(p + ": "), "\($0)") }
        let missing = path("no/such/dir/r.tfrecord")
        XCTAssertThrowsError(try TFRecordWriter(path: missing)) { XCTAssertTrue("\($0)".hasPrefix(missing + ": "), "\($0)") }
    }
}
