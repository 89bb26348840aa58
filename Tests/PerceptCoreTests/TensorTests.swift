import PerceptCore
import XCTest

final class TensorTests: XCTestCase {
    func testCopiesAreIndependentValues() {
        var a = Tensor(shape: [2, 3], repeating: 1)
        let b = a
        a[1, 2] = 5
        XCTAssertEqual(a[1, 2], 5)
        XCTAssertEqual(b[1, 2], 1, "mutating a copy must not change the original")
    }

    func testRowMajorOffsetsAndStrides() throws {
        let t = try Tensor(shape: [2, 3, 4], data: (0..<24).map(Float.init))
        XCTAssertEqual(t.strides, [12, 4, 1])
        XCTAssertEqual(t[1, 2, 3], 23)
        XCTAssertEqual(t[0, 1, 0], 4)
        XCTAssertEqual(t.slice(1).shape, [3, 4])
        XCTAssertEqual(t.slice(1)[0, 0], 12)
    }

    func testShapeDataMismatchThrows() {
        XCTAssertThrowsError(try Tensor(shape: [2, 2], data: [1, 2, 3])) { error in
            XCTAssertEqual((error as? PerceptError)?.exitCode, 2)
        }
        XCTAssertThrowsError(try Tensor(shape: [4], data: [1, 2, 3, 4]).reshaped([3]))
    }

    func testReshapeKeepsElements() throws {
        let t = try Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6]).reshaped([3, 2])
        XCTAssertEqual(t.shape, [3, 2])
        XCTAssertEqual(t[2, 1], 6)
    }

    func testStackAddsLeadingAxisAndRejectsMismatch() throws {
        let a = Tensor(shape: [2], repeating: 1), b = Tensor(shape: [2], repeating: 2)
        let s = try Tensor.stack([a, b])
        XCTAssertEqual(s.shape, [2, 2])
        XCTAssertEqual(s.storage, [1, 1, 2, 2])
        XCTAssertThrowsError(try Tensor.stack([a, Tensor(shape: [3])]))
    }

    func testMaxAbsDifference() throws {
        let a = try Tensor(shape: [3], data: [1, 2, 3]), b = try Tensor(shape: [3], data: [1, 2.5, 2])
        XCTAssertEqual(a.maxAbsDifference(b), 1)
        XCTAssertEqual(a.maxAbsDifference(Tensor(shape: [2])), .infinity)
    }

    func testAllFiniteFindsInfinityAndNaNAnywhereInLongBuffers() {
        var t = Tensor(shape: [1_100_000], repeating: .greatestFiniteMagnitude)
        t[7] = -.leastNonzeroMagnitude
        XCTAssertTrue(t.allFinite)
        for bad: Float in [.infinity, -.infinity, .nan, -.nan] {
            for at in [0, 300_000, 1_099_999] {
                var u = t
                u[at] = bad
                XCTAssertFalse(u.allFinite, "\(bad) at \(at)")
            }
        }
        XCTAssertTrue(Tensor(shape: [0]).allFinite)
        // An empty slice of a real buffer: a base address and no elements.
        let one: [Float] = [.nan]
        XCTAssertTrue(one.withUnsafeBufferPointer { Tensor.allFinite(UnsafeBufferPointer(rebasing: $0[0..<0])) })
    }

    func testHugePageArraysHoldWhatTheBodyWrote() {
        let n = 3_000_000   // 12 MB: advised
        let a: [Float] = HugePages.array(capacity: n) { buf, count in
            for i in 0..<n { buf[i] = Float(i) }
            count = n
        }
        XCTAssertEqual(a.count, n)
        XCTAssertTrue(a.enumerated().allSatisfy { Float($0.offset) == $0.element })
        let short: [UInt8] = HugePages.array(capacity: 10) { buf, count in buf[0] = 9; count = 1 }
        XCTAssertEqual(short, [9])
        var small = [UInt8](repeating: 0, count: 4096)
        small.withUnsafeMutableBytes { XCTAssertFalse(HugePages.advise($0.baseAddress!, byteCount: $0.count)) }
    }
}
