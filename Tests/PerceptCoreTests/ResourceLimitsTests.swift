import PerceptCore
import XCTest

final class ResourceLimitsTests: XCTestCase {
    func testByteCountsOverflowToNilInsteadOfTrapping() {
        XCTAssertEqual(ResourceLimits.bytes([2, 3], elementSize: 4), 24)
        XCTAssertEqual(ResourceLimits.bytes([], elementSize: 8), 8)
        XCTAssertNil(ResourceLimits.bytes([1 << 40, 1 << 40]))
        XCTAssertNil(ResourceLimits.bytes([Int.max, 2], elementSize: 1))
        XCTAssertNil(ResourceLimits.bytes([-1, 4]))
    }

    func testRequestsAboveTheScopedLimitNameWhatAndHowMuch() throws {
        let blame: (String) -> PerceptError = { .invalidArgument(field: "--n-fft", $0) }
        try ResourceLimits.maxMemory.withValue(1_000_000) {
            XCTAssertEqual(try ResourceLimits.require([1000, 250], for: "x", blame: blame), 1_000_000)
            XCTAssertThrowsError(try ResourceLimits.require([1000, 251], for: "the spectrogram", blame: blame)) {
                XCTAssertEqual("\($0)", "--n-fft: the spectrogram would need 1.0 MB, more than the memory limit of 1.0 MB (--max-memory)")
            }
            XCTAssertThrowsError(try ResourceLimits.require([Int.max, 2], for: "it", blame: blame)) {
                XCTAssertTrue("\($0)".contains("more memory than can be addressed"), "\($0)")
            }
        }
        XCTAssertEqual(ResourceLimits.maxMemory.value, ResourceLimits.maxMemory.defaultValue, "the default is back")
    }

    func testTheDefaultIsBelowThisMachinesMemory() {
        XCTAssertGreaterThan(ResourceLimits.defaultMaxMemory, 0)
        XCTAssertLessThanOrEqual(ResourceLimits.defaultMaxMemory, ResourceLimits.systemMemory)
    }

    func testSizesParseLikeUlimitAndDocker() {
        XCTAssertEqual(ResourceLimits.parseSize("8G"), 8 << 30)
        XCTAssertEqual(ResourceLimits.parseSize("512m"), 512 << 20)
        XCTAssertEqual(ResourceLimits.parseSize("1.5GB"), 3 << 29)
        XCTAssertEqual(ResourceLimits.parseSize("1000"), 1000)
        for bad in ["", "G", "-1G", "0", "lots", "1e30T", "nan"] { XCTAssertNil(ResourceLimits.parseSize(bad), bad) }
    }

    func testFormatsBytesForPeople() {
        XCTAssertEqual(ResourceLimits.format(512), "512 B")
        XCTAssertEqual(ResourceLimits.format(1_500_000), "1.5 MB")
        XCTAssertEqual(ResourceLimits.format(13_838_400_032), "14 GB")
        XCTAssertEqual(ResourceLimits.format(8_000_000_032), "8.0 GB")
    }
}
