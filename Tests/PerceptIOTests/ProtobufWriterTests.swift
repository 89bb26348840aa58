import PerceptIO
import XCTest

final class ProtobufWriterTests: XCTestCase {
    private func encode(_ body: (inout ProtobufWriter) -> Void) -> [UInt8] {
        var w = ProtobufWriter()
        body(&w)
        return w.bytes
    }

    func testVarintFieldMatchesTheProtobufDocsExample() {
        // "field 1 = 150" from the protobuf encoding guide.
        XCTAssertEqual(encode { $0.writeInt(field: 1, 150) }, [0x08, 0x96, 0x01])
    }

    func testVarintBoundariesAndNegativeIntsTakeTenBytes() {
        XCTAssertEqual(encode { $0.writeVarint(0) }, [0x00])
        XCTAssertEqual(encode { $0.writeVarint(127) }, [0x7F])
        XCTAssertEqual(encode { $0.writeVarint(128) }, [0x80, 0x01])
        XCTAssertEqual(encode { $0.writeVarint(UInt64.max) }, [UInt8](repeating: 0xFF, count: 9) + [0x01])
        XCTAssertEqual(encode { $0.writeInt(field: 2, -1) }, [0x10] + [UInt8](repeating: 0xFF, count: 9) + [0x01])
    }

    func testFieldNumbersAbove15TakeTwoKeyBytes() {
        XCTAssertEqual(encode { $0.writeInt(field: 16, 1) }, [0x80, 0x01, 0x01])
    }

    func testStringMatchesTheProtobufDocsExample() {
        XCTAssertEqual(encode { $0.writeString(field: 2, "testing") },
                       [0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6E, 0x67])
    }

    func testNestedMessageIsLengthDelimited() {
        // "field 3 = message { field 1 = 150 }" from the protobuf encoding guide.
        XCTAssertEqual(encode { $0.writeMessage(field: 3) { $0.writeInt(field: 1, 150) } }, [0x1A, 0x03, 0x08, 0x96, 0x01])
    }

    func testFixedWidthFieldsAreLittleEndianIEEE() {
        XCTAssertEqual(encode { $0.writeDouble(field: 1, 1.0) }, [0x09, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F])
        XCTAssertEqual(encode { $0.writeFloat(field: 2, 1.0) }, [0x15, 0, 0, 0x80, 0x3F])
        XCTAssertEqual(encode { $0.writeFixed32(0x0102_0304) }, [4, 3, 2, 1])
        XCTAssertEqual(encode { $0.writeFixed64(0x0102_0304_0506_0708) }, [8, 7, 6, 5, 4, 3, 2, 1])
    }

    func testPackedDoublesAreOneLengthDelimitedFieldAndEmptyIsOmitted() {
        XCTAssertEqual(encode { $0.writePackedDoubles(field: 6, [1.0, -2.0]) },
                       [0x32, 0x10, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0, 0, 0, 0, 0, 0, 0, 0xC0])
        XCTAssertEqual(encode { $0.writePackedDoubles(field: 6, []) }, [])
    }

    func testProto3ZeroScalarsAreSkippedButNegativeZeroIsWritten() {
        XCTAssertEqual(encode { $0.writeDoubleIfNonZero(field: 1, 0) }, [])
        XCTAssertEqual(encode { $0.writeIntIfNonZero(field: 2, 0) }, [])
        XCTAssertEqual(encode { $0.writeDoubleIfNonZero(field: 1, -0.0) }, [0x09, 0, 0, 0, 0, 0, 0, 0, 0x80])
        XCTAssertEqual(encode { $0.writeIntIfNonZero(field: 2, 3) }, [0x10, 0x03])
    }
}
