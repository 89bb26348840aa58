import Foundation
import PerceptCore
import PerceptIO
import XCTest

final class IDXTests: TempDirTestCase {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Samples/mnist").standardized.path

    func idx(images n: Int, rows: Int, cols: Int) -> [UInt8] {
        var b: [UInt8] = [0, 0, 8, 3]
        for v in [n, rows, cols] { b += [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        b += (0..<(n * rows * cols)).map { UInt8($0 % 256) }
        return b
    }

    func testReadsGzippedMNISTSubset() throws {
        let x = try IDX.readImages(IDXTests.samples + "/train-images-idx3-ubyte.gz")
        let y = try IDX.readLabels(IDXTests.samples + "/train-labels-idx1-ubyte.gz")
        XCTAssertEqual(x.shape, [2000, 28, 28])
        XCTAssertEqual(y.count, 2000)
        XCTAssertEqual(y.prefix(5), [5, 0, 4, 1, 9], "MNIST's first training labels")
        XCTAssertEqual(x.max, 255)
        XCTAssertEqual(x.min, 0)
    }

    func testReadsPlainFile() throws {
        let p = write(idx(images: 2, rows: 3, cols: 4), "plain-idx3-ubyte")
        let x = try IDX.readImages(p)
        XCTAssertEqual(x.shape, [2, 3, 4])
        XCTAssertEqual(x[1, 2, 3], 23)
        XCTAssertEqual(try IDX.info(p).shape, [2, 3, 4])
    }

    func testHeaderSizesAreCheckedBeforeAnythingIsAllocated() throws {
        let overflow = write([0, 0, 8, 3] + [UInt8](repeating: 0xFF, count: 12), "overflow-idx3-ubyte")
        assertBadInput(try IDX.info(overflow), file: overflow, "4294967295 × 4294967295 × 4294967295 items, more than can be addressed")
        // 1000 × 100 × 100 images claimed, two bytes present: over a 10 MB limit it is refused,
        // under a larger one the payload streams and ends short.
        let claim = write(Array(idx(images: 1000, rows: 100, cols: 100)[0..<18]), "claim-idx3-ubyte")
        assertBadInput(try ResourceLimits.maxMemory.withValue(10_000_000) { try IDX.readImages(claim) }, file: claim,
                       "header claims 1000 × 100 × 100 bytes; as floats they would need 40 MB, more than the memory limit of 10 MB")
        assertBadInput(try IDX.readImages(claim), file: claim, "truncated: header promises 10000000 bytes of data, found 2")
    }

    func testTruncatedAndWrongKindAreBadInput() throws {
        let full = idx(images: 2, rows: 3, cols: 4)
        let cut = write(Array(full.dropLast(5)), "cut-idx3-ubyte")
        assertBadInput(try IDX.readImages(cut), file: cut, "truncated")
        let header = write(Array(full[0..<9]), "hdr-idx3-ubyte")
        assertBadInput(try IDX.readImages(header), file: header, "truncated")
        let p = write(full, "images-idx3-ubyte")
        assertBadInput(try IDX.readLabels(p), file: p, "not an IDX labels file")
        let floats = write([0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0], "f-idx1")
        assertBadInput(try IDX.readLabels(floats), file: floats, "unsupported")
    }

    func testTruncatedGzipIsBadInput() throws {
        let gz = bytes(IDXTests.samples + "/t10k-images-idx3-ubyte.gz")
        let cut = write(Array(gz[0..<(gz.count / 2)]), "cut.gz")
        assertBadInput(try IDX.readImages(cut), file: cut, "")
    }
}
