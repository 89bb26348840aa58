import PerceptCore
import XCTest

final class ParallelTests: XCTestCase {
    func testForEachVisitsEveryIndexOnce() {
        for threads in [1, 2, 3] {
            let saved = Parallel.threads
            Parallel.threads = threads
            defer { Parallel.threads = saved }
            var hits = [Int](repeating: 0, count: 1001)
            hits.withUnsafeMutableBufferPointer { buf in
                let p = UnsafeSendable(buf.baseAddress!)
                Parallel.forEach(count: 1001) { i in p.value[i] += 1 }
            }
            XCTAssertEqual(hits, [Int](repeating: 1, count: 1001), "threads = \(threads)")
        }
    }

    func testForChunksCoverTheRangeWithoutOverlap() {
        let saved = Parallel.threads
        Parallel.threads = 4
        defer { Parallel.threads = saved }
        var hits = [Int](repeating: 0, count: 37)
        hits.withUnsafeMutableBufferPointer { buf in
            let p = UnsafeSendable(buf.baseAddress!)
            Parallel.forChunks(count: 37) { r in for i in r { p.value[i] += 1 } }
        }
        XCTAssertEqual(hits, [Int](repeating: 1, count: 37))
    }

    func testThreadsNeverBelowOne() {
        let saved = Parallel.threads
        Parallel.threads = 0
        XCTAssertEqual(Parallel.threads, 1)
        Parallel.threads = saved
    }
}
