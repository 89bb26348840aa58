import Foundation
import PerceptCore
import XCTest

final class ParallelTests: XCTestCase {
    /// Runs `body(threads)` with `Parallel.threads` set to each of 1, 2 and 3 workers.
    private func forThreadCounts(_ body: (Int) -> Void) {
        for threads in [1, 2, 3] {
            Parallel.withThreads(threads) { body(threads) }
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
        var hits = [Int](repeating: 0, count: 37)
        hits.withUnsafeMutableBufferPointer { buf in
            let p = UnsafeSendable(buf.baseAddress!)
            Parallel.withThreads(4) { Parallel.forChunks(count: 37) { r in for i in r { p.value[i] += 1 } } }
        }
        XCTAssertEqual(hits, [Int](repeating: 1, count: 37))
    }

    func testDefaultThreadsShareTheCoresAmongTheRanksOnThisNode() {
        XCTAssertEqual(Parallel.defaultThreads([:], cores: 16), 16)
        XCTAssertEqual(Parallel.defaultThreads(["OMPI_COMM_WORLD_LOCAL_SIZE": "2"], cores: 16), 8)
        XCTAssertEqual(Parallel.defaultThreads(["MPI_LOCALNRANKS": "4"], cores: 2), 1)
        XCTAssertEqual(Parallel.defaultThreads(["OMPI_COMM_WORLD_LOCAL_SIZE": "2", "PERCEPT_NUM_THREADS": "3"], cores: 16), 3)
        XCTAssertEqual(Parallel.defaultThreads(["PERCEPT_NUM_THREADS": "0", "OMPI_COMM_WORLD_LOCAL_SIZE": "x"], cores: 0), 1)
    }

    func testThreadsNeverBelowOne() {
        XCTAssertEqual(Parallel.withThreads(0) { Parallel.threads }, 1)
        XCTAssertEqual(Parallel.withThreads(-3) { Parallel.threads }, 1)
    }

    func testWithThreadsIsScopedAndRestoredAfterwardsEvenWhenItThrows() {
        let outside = Parallel.threads
        Parallel.withThreads(outside + 2) {
            XCTAssertEqual(Parallel.threads, outside + 2)
            Parallel.withThreads(1) { XCTAssertEqual(Parallel.threads, 1, "the innermost scope wins") }
            XCTAssertEqual(Parallel.threads, outside + 2)
        }
        XCTAssertEqual(Parallel.threads, outside)
        XCTAssertThrowsError(try Parallel.withThreads(outside + 1) { throw PerceptError.runtime("stop") })
        XCTAssertEqual(Parallel.threads, outside)
    }

    func testWithThreadsIsInvisibleToOtherThreads() {
        let seen = Counter()
        Parallel.withThreads(Parallel.threads + 5) {
            let done = DispatchSemaphore(value: 0)
            Thread { seen.add(Parallel.threads); done.signal() }.start()
            XCTAssertEqual(done.wait(timeout: .now() + 30), .success)
        }
        XCTAssertEqual(seen.value, Parallel.threads, "a thread started by hand sees the process default")
    }

    func testFirstFailureReportsTheLowestFailingIndexWhateverTheOrder() {
        let failure = FirstFailure()
        XCTAssertNoThrow(try failure.rethrow(), "nothing recorded, nothing thrown")
        Parallel.withThreads(3) {
            Parallel.forEach(count: 300) { i in
                if i % 7 == 3 { failure.record(i, PerceptError.runtime("item \(i)")) }
            }
        }
        XCTAssertThrowsError(try failure.rethrow()) { XCTAssertEqual($0 as? PerceptError, .runtime("item 3")) }
        failure.record(10, PerceptError.runtime("item 10"))
        XCTAssertThrowsError(try failure.rethrow()) { XCTAssertEqual($0 as? PerceptError, .runtime("item 3"), "a later, higher index does not replace it") }
    }

    func testWorkersOfALoopSeeTheScopedSettingsOfItsCaller() {
        let setting = ScopedSetting("default")
        let values = Parallel.withThreads(3) {
            setting.withValue("scoped") {
                var seen = [String](repeating: "", count: 3)
                seen.withUnsafeMutableBufferPointer { buf in
                    let p = UnsafeSendable(buf.baseAddress!)
                    Parallel.forEach(count: 3) { i in p.value[i] = setting.value + " \(Parallel.threads)" }
                }
                return seen
            }
        }
        XCTAssertEqual(values, [String](repeating: "scoped 3", count: 3))
        XCTAssertEqual(setting.value, "default")
    }
}

/// A thread-safe running total for the tests above.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var total = 0
    var value: Int { lock.lock(); defer { lock.unlock() }; return total }
    func add(_ n: Int) { lock.lock(); total += n; lock.unlock() }
}
