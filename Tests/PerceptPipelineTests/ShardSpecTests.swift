import PerceptCore
import PerceptPipeline
import XCTest

/// `ShardSpec`: `--shard I/N`, `auto` and `auto/N` against an environment passed in (the
/// process's own is never read or changed), and the partition it makes.
final class ShardSpecTests: XCTestCase {
    private let slurm = ["SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "15", "SLURM_ARRAY_TASK_STEP": "2"]

    private func spec(_ text: String, _ env: [String: String] = [:]) throws -> (Int, Int) {
        let s = try ShardSpec.parse(text, environment: env)
        return (s.index, s.count)
    }

    /// The one-line message of the error `text` with `env` throws (failing when it parses).
    private func message(_ text: String, _ env: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let s = try ShardSpec.parse(text, environment: env)
            XCTFail("'\(text)' parsed as \(s.text)", file: file, line: line)
        } catch let e as PerceptError {
            XCTAssertEqual(e.field, "--shard", file: file, line: line)
            XCTAssertEqual(e.exitCode, 2, file: file, line: line)
            XCTAssertFalse(e.description.contains("\n"), file: file, line: line)
            return e.description
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
        return ""
    }

    func testExplicitIndexAndCount() throws {
        XCTAssertTrue(try spec("0/1") == (0, 1))
        XCTAssertTrue(try spec("7/8") == (7, 8))
        XCTAssertNil(try ShardSpec.parse("2/8", environment: [:]).source, "nothing to report where it came from")
    }

    func testExplicitValuesOutOfRangeOrNotNumbersAreRefused() {
        XCTAssertTrue(message("3/3").contains("index 3 is not below the count 3"))
        XCTAssertTrue(message("0/0").contains("at least 1"))
        for bad in ["x/3", "1/y", "-1/3", "1/-3", "+1/3", " 1/3", "1.0/3", "1/3/5", "3", "/3", "1/", "", "99999999999999999999/3"] {
            XCTAssertTrue(message(bad).contains("--shard:"), bad)
        }
    }

    func testSlurmArrayStartingAtOneWithStepTwo() throws {
        // --array=1-15:2 runs tasks 1, 3, …, 15: eight shards; task 5 is the third.
        var env = slurm
        env["SLURM_ARRAY_TASK_ID"] = "5"
        let s = try ShardSpec.parse("auto", environment: env)
        XCTAssertEqual(s.index, 2)
        XCTAssertEqual(s.count, 8)
        XCTAssertEqual(s.source, "Slurm array (SLURM_ARRAY_TASK_ID=5, MIN=1, MAX=15, STEP=2)")
        env["SLURM_ARRAY_TASK_ID"] = "15"
        XCTAssertTrue(try spec("auto", env) == (7, 8))
        XCTAssertTrue(try spec("auto/8", env) == (7, 8), "a count given as well must agree")
    }

    func testSlurmArrayFromZero() throws {
        let env = ["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "7",
                   "SLURM_ARRAY_TASK_STEP": "1", "SLURM_ARRAY_TASK_COUNT": "8"]
        XCTAssertTrue(try spec("auto", env) == (3, 8))
    }

    func testSlurmMaxOffTheStepGridStillCountsTheTasksThatRun() throws {
        // --array=1-10:2 runs 1, 3, 5, 7, 9.
        let env = ["SLURM_ARRAY_TASK_ID": "9", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "10", "SLURM_ARRAY_TASK_STEP": "2"]
        XCTAssertTrue(try spec("auto", env) == (4, 5))
    }

    func testInconsistentSlurmValuesAreRefused() {
        var env = slurm
        env["SLURM_ARRAY_TASK_ID"] = "4"
        XCTAssertTrue(message("auto", env).contains("not one of the array's tasks"), "4 is not on the grid 1, 3, 5, …")
        env["SLURM_ARRAY_TASK_ID"] = "17"
        XCTAssertTrue(message("auto", env).contains("not one of the array's tasks"), "above MAX")
        env["SLURM_ARRAY_TASK_ID"] = "0"
        XCTAssertTrue(message("auto", env).contains("not one of the array's tasks"), "below MIN")
        env["SLURM_ARRAY_TASK_ID"] = "5"
        XCTAssertTrue(message("auto/3", env).contains("has 8 tasks"))
        XCTAssertTrue(message("auto", env.merging(["SLURM_ARRAY_TASK_STEP": "0"]) { $1 }).contains("STEP must be at least 1"))
        XCTAssertTrue(message("auto", env.merging(["SLURM_ARRAY_TASK_MIN": "9"]) { $1 }).contains("not one of the array's tasks"))
        XCTAssertTrue(message("auto", env.merging(["SLURM_ARRAY_TASK_MAX": "0"]) { $1 }).contains("MIN is above MAX"))
        XCTAssertTrue(message("auto", env.merging(["SLURM_ARRAY_TASK_MAX": "fifteen"]) { $1 }).contains("SLURM_ARRAY_TASK_MAX: 'fifteen' is not a whole number"))
        XCTAssertTrue(message("auto", env.merging(["SLURM_ARRAY_TASK_COUNT": "3"]) { $1 }).contains("not a list"), "--array=1,3,7 style")
        XCTAssertTrue(message("auto", env.filter { $0.key != "SLURM_ARRAY_TASK_STEP" }).contains("SLURM_ARRAY_TASK_STEP is not"))
        XCTAssertTrue(message("auto", ["SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "1", "SLURM_ARRAY_TASK_STEP": "1"]).contains("'x' is not a whole number"))
    }

    func testAHugeSlurmArrayIsRefusedNotOverflowed() {
        let env = ["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": String(Int.max), "SLURM_ARRAY_TASK_STEP": "1"]
        XCTAssertTrue(message("auto", env).contains("too large"))
    }

    func testKubernetesIndexWithTheCountFromTheOptionOrTheEnvironment() throws {
        XCTAssertTrue(try spec("auto/3", ["JOB_COMPLETION_INDEX": "2"]) == (2, 3))
        let fromEnv = try ShardSpec.parse("auto", environment: ["JOB_COMPLETION_INDEX": "0", "PERCEPT_SHARDS": "4"])
        XCTAssertEqual(fromEnv.text, "0/4")
        XCTAssertEqual(fromEnv.source, "Kubernetes Indexed Job (JOB_COMPLETION_INDEX=0, count from PERCEPT_SHARDS=4)")
        XCTAssertTrue(try spec("auto/4", ["JOB_COMPLETION_INDEX": "1", "PERCEPT_SHARDS": "4"]) == (1, 4))
    }

    func testInconsistentKubernetesValuesAreRefused() {
        XCTAssertTrue(message("auto", ["JOB_COMPLETION_INDEX": "2"]).contains("--shard auto/N or PERCEPT_SHARDS"))
        XCTAssertTrue(message("auto/3", ["JOB_COMPLETION_INDEX": "3"]).contains("index 3 is not below the count 3"))
        XCTAssertTrue(message("auto/0", ["JOB_COMPLETION_INDEX": "0"]).contains("at least 1"))
        XCTAssertTrue(message("auto", ["JOB_COMPLETION_INDEX": "0", "PERCEPT_SHARDS": "0"]).contains("at least 1"))
        XCTAssertTrue(message("auto/3", ["JOB_COMPLETION_INDEX": "0", "PERCEPT_SHARDS": "4"]).contains("PERCEPT_SHARDS says 4"))
        XCTAssertTrue(message("auto/3", ["JOB_COMPLETION_INDEX": "two"]).contains("'two' is not a whole number"))
        XCTAssertTrue(message("auto", ["JOB_COMPLETION_INDEX": "0", "PERCEPT_SHARDS": "many"]).contains("PERCEPT_SHARDS: 'many'"))
    }

    func testAutoWithoutOrWithBothSchedulersIsRefused() {
        XCTAssertTrue(message("auto").contains("neither SLURM_ARRAY_TASK_ID"))
        XCTAssertTrue(message("auto/3", ["SLURM_ARRAY_TASK_ID": "", "JOB_COMPLETION_INDEX": ""]).contains("neither"), "empty counts as unset")
        XCTAssertTrue(message("auto/8", slurm.merging(["SLURM_ARRAY_TASK_ID": "1", "JOB_COMPLETION_INDEX": "0"]) { $1 }).contains("both"))
        XCTAssertTrue(message("automatic").contains("is not I/N, auto or auto/N"))
    }

    func testShardsDealTheOrderedListRoundRobinCoveringEachInputOnce() throws {
        let total = 10, n = 3
        var seen = [Int]()
        for i in 0..<n {
            let s = try ShardSpec(index: i, count: n)
            let mine = Array(s.positions(of: total))
            XCTAssertTrue(mine.allSatisfy { ShardSpec.owner(of: $0, count: n) == i })
            seen += mine
        }
        XCTAssertEqual(seen.sorted(), Array(0..<total))
        XCTAssertEqual(Array(try ShardSpec(index: 4, count: 8).positions(of: 3)), [], "more shards than inputs: some have none")
    }

    func testOrderIsByBytesWhateverTheListingOrder() {
        // "é" precomposed (C3 A9) and decomposed (65 CC 81) are equal Strings but different names.
        let names = ["b.wav", "a/z.wav", "\u{e9}.wav", "e\u{301}.wav", "B.wav", "a.wav"]
        let ordered = ShardSpec.ordered(names)
        XCTAssertEqual(ordered.map { Array($0.utf8) }, names.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) })
        XCTAssertEqual(ShardSpec.ordered(names.reversed()).map { Array($0.utf8) }, ordered.map { Array($0.utf8) })
        XCTAssertEqual(ShardSpec.fingerprint(ordered), ShardSpec.fingerprint(ShardSpec.ordered(names.shuffled())))
        XCTAssertNotEqual(ShardSpec.fingerprint(["ab", "c"]), ShardSpec.fingerprint(["a", "bc"]), "names are separated, not run together")
    }
}
