import Foundation
import PerceptCore
import XCTest

final class ParallelTests: XCTestCase {
    /// Runs `body(threads)` with `Parallel.threads` set to each of 1, 2 and 3 workers.
    private func forThreadCounts(_ body: (Int) -> Void) {
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        for threads in [1, 2, 3] {
            Parallel.threads = threads
            body(threads)
        }
    }

    func testForEachVisitsEveryIndexOnce() {
        forThreadCounts { threads in
            var hits = [Int](repeating: 0, count: 1001)
            hits.withUnsafeMutableBufferPointer { buf in
                let p = UnsafeSendable(buf.baseAddress!)
                Parallel.forEach(count: 1001) { i in p.value[i] += 1 }
            }
            XCTAssertEqual(hits, [Int](repeating: 1, count: 1001), "threads = \(threads)")
        }
    }

    func testForEachDynamicVisitsEveryIndexOnceWithOneStatePerWorker() {
        forThreadCounts { threads in
            var hits = [Int](repeating: 0, count: 500)
            let made = Counter(), finished = Counter(), visitsInStates = Counter()
            hits.withUnsafeMutableBufferPointer { buf in
                let p = UnsafeSendable(buf.baseAddress!)
                Parallel.forEachDynamic(count: 500, state: { () -> Int in made.add(1); return 0 },
                                        finish: { visitsInStates.add($0); finished.add(1) }) { visits, i in
                    p.value[i] += 1
                    visits += 1
                }
            }
            XCTAssertEqual(hits, [Int](repeating: 1, count: 500), "threads = \(threads)")
            XCTAssertEqual(made.value, threads, "one state per worker")
            XCTAssertEqual(finished.value, threads, "every state is finished")
            XCTAssertEqual(visitsInStates.value, 500, "each index is seen by exactly one worker's state")
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

/// A thread-safe running total for the tests above.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var total = 0
    var value: Int { lock.lock(); defer { lock.unlock() }; return total }
    func add(_ n: Int) { lock.lock(); total += n; lock.unlock() }
}
