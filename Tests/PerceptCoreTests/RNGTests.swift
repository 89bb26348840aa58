@testable import PerceptCore
import XCTest

final class RNGTests: XCTestCase {
    func testSameSeedSameStream() {
        var a = RandomStream(seed: 7), b = RandomStream(seed: 7)
        for _ in 0..<100 { XCTAssertEqual(a.nextUInt32(), b.nextUInt32()) }
    }

    func testDifferentSeedsDiffer() {
        var a = RandomStream(seed: 7), b = RandomStream(seed: 8)
        let xa = (0..<8).map { _ in a.nextUInt32() }, xb = (0..<8).map { _ in b.nextUInt32() }
        XCTAssertNotEqual(xa, xb)
    }

    func testSplitIsAPureFunctionOfPathNotOfDrawOrder() {
        let root = RandomStream(seed: 42)
        var used = root
        _ = (0..<1000).map { _ in used.nextUInt32() }   // drawing from the parent changes nothing
        var a = root.split(3).split(17), b = used.split(3).split(17)
        XCTAssertEqual(a.next(), b.next())
        var c = root.split(17).split(3)
        var a2 = root.split(3).split(17)
        XCTAssertNotEqual(a2.next(), c.next(), "split paths are ordered")
    }

    func testPerSampleStreamsIndependentOfThreadCount() {
        func draw(threads: Int) -> [UInt64] {
            var out = [UInt64](repeating: 0, count: 64)
            out.withUnsafeMutableBufferPointer { buf in
                let p = UnsafeSendable(buf.baseAddress!)
                Parallel.withThreads(threads) {
                    Parallel.forEach(count: 64) { i in
                        var r = RandomStream(seed: 1).split(2).split(i)
                        p.value[i] = r.next()
                    }
                }
            }
            return out
        }
        XCTAssertEqual(draw(threads: 1), draw(threads: 2))
        XCTAssertEqual(draw(threads: 1), draw(threads: 7))
    }

    func testPhiloxMatchesRandom123KnownAnswer() {
        // Random123's known-answer vector for philox4x32-10: counter 0, key 0.
        let block = RandomStream.philox(0, (0, 0))
        XCTAssertEqual(block.0, 0x6627_E8D5)
        XCTAssertEqual(block.1, 0xE169_C58D)
        XCTAssertEqual(block.2, 0xBC57_AC4C)
        XCTAssertEqual(block.3, 0x9B00_DBD8)
    }

    func testUniformStaysInUnitInterval() {
        var r = RandomStream(seed: 3)
        for _ in 0..<10_000 {
            let u = r.uniform()
            XCTAssert(u >= 0 && u < 1)
        }
    }

    func testNormalMoments() {
        var r = RandomStream(seed: 11)
        let n = 50_000
        let xs = (0..<n).map { _ in Double(r.normal()) }
        let mean = xs.reduce(0, +) / Double(n)
        let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
        XCTAssertEqual(mean, 0, accuracy: 0.02)
        XCTAssertEqual(variance, 1, accuracy: 0.03)
    }

    func testPermutationIsAPermutation() {
        var r = RandomStream(seed: 5)
        let p = r.permutation(1000)
        XCTAssertEqual(p.sorted(), Array(0..<1000))
        XCTAssertNotEqual(p, Array(0..<1000))
    }

    func testIntBelowCoversRange() {
        var r = RandomStream(seed: 9)
        var seen = Set<Int>()
        for _ in 0..<1000 { seen.insert(r.int(below: 10)) }
        XCTAssertEqual(seen, Set(0..<10))
    }
}
