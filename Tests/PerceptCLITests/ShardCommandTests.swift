import Foundation
import PerceptIO
import XCTest

/// `percept extract … --shard I/N` and `percept merge`: shards of a folder run, merged, give
/// exactly the tree of one run; incomplete, mixed or tampered shard sets are refused with
/// the shards to rerun.
final class ShardCommandTests: CLITestCase {
    /// Neither scheduler's variables, whatever the machine running the tests has set (empty counts as unset).
    private let noScheduler = ["SLURM_ARRAY_TASK_ID": "", "JOB_COMPLETION_INDEX": "", "PERCEPT_SHARDS": ""]

    private func extract(_ out: String, _ extra: [String] = [], input: String? = nil, env: [String: String] = [:]) throws -> Result {
        try run(["extract", "melspectrogram", input ?? sample("spoken"), "-o", out, "--n-mels", "32"] + extra,
                env: noScheduler.merging(env) { $1 })
    }

    private func manifests(_ out: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: out + "/.percept-shards")) ?? []).sorted()
    }

    /// Three shards of `input` into `out`, each expected to exit `status`.
    private func threeShards(_ out: String, input: String? = nil) throws {
        for i in 0..<3 {
            let r = try extract(out, ["--shard", "\(i)/3"], input: input)
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stdout.hasSuffix("(shard \(i)/3; manifest \(out)/.percept-shards/shard-000\(i)-of-0003.json)\n"), r.stdout)
        }
    }

    func testThreeShardsMergedAreByteForByteOneRun() throws {
        let one = try extract(path("one"))
        XCTAssertEqual(one.status, 0, one.stderr)
        try threeShards(path("three"))
        XCTAssertEqual(manifests(path("three")), (0..<3).map { "shard-000\($0)-of-0003.json" })
        let merged = try run(["merge", path("three")])
        XCTAssertEqual(merged.status, 0, merged.stderr)
        XCTAssertEqual(merged.stderr, "")
        let lines = merged.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines, ["merge: 3 shards of melspectrogram, 100 outputs checked",
                               "extract: 100 ok, 0 failed, 1 skipped (not audio) -> \(path("three"))"])
        XCTAssertEqual(one.stdout.split(separator: "\n").last.map(String.init), "extract: 100 ok, 0 failed, 1 skipped (not audio) -> \(path("one"))")
        let a = tree(path("one")), b = tree(path("three"))
        XCTAssertEqual(a.count, 100)
        XCTAssertEqual(a.keys.sorted(), b.keys.sorted(), "the same files, and no .percept-shards left")
        XCTAssertTrue(a == b, "the same bytes")
    }

    func testShardsSplitTheInputsRoundRobinInByteOrder() throws {
        let r = try extract(path("out"), ["--shard", "1/3"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("extract: 33 ok, 0 failed, 1 skipped (not audio)"), r.stdout)
        let data = try XCTUnwrap(FileManager.default.contents(atPath: path("out/.percept-shards/shard-0001-of-0003.json")))
        let m = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let inputs = try DirectoryTree.files(under: sample("spoken"), extensions: ["wav"]).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let expected = stride(from: 1, to: inputs.count, by: 3).map { inputs[$0] }
        let files = try XCTUnwrap(m["files"] as? [[String: String]])
        XCTAssertEqual(files.map { $0["input"] }, expected)
        XCTAssertEqual(tree(path("out")).keys.filter { $0.hasSuffix(".npy") }.sorted(), expected.map { String($0.dropLast(4)) + ".npy" }.sorted(),
                       "a shard writes only its own outputs")
        for f in files {
            let bytes = try XCTUnwrap(FileManager.default.contents(atPath: path("out/" + (f["output"] ?? ""))))
            XCTAssertEqual(f["sha256"], SHA256.hex([UInt8](bytes)))
        }
        XCTAssertEqual(m["count"] as? Int, 3)
        XCTAssertEqual(m["index"] as? Int, 1)
        XCTAssertEqual(m["feature"] as? String, "melspectrogram")
        XCTAssertEqual((m["options"] as? [String: String])?["n_mels"], "32")
        XCTAssertEqual((m["options"] as? [String: String])?["n_fft"], "2048", "defaults are part of the configuration")
        XCTAssertEqual(m["inputs"] as? Int, 100)
        XCTAssertEqual(m["ok"] as? Int, 33)
        XCTAssertEqual(m["failed"] as? Int, 0)
    }

    func testMergeListsTheMissingShardsToRerun() throws {
        for i in [0, 2] { XCTAssertEqual(try extract(path("out"), ["--shard", "\(i)/4"]).status, 0) }
        let r = try run(["merge", path("out")])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").map(String.init), [
            "percept: error: \(path("out")): no manifests from shards 1, 3 (2 of 4 not finished)",
            "percept: error: \(path("out")): rerun only these, then merge again: --shard 1/4 --shard 3/4",
        ])
        XCTAssertEqual(manifests(path("out")).count, 2, "nothing removed")
        // Rerunning only those completes the set.
        for i in [1, 3] { XCTAssertEqual(try extract(path("out"), ["--shard", "\(i)/4"]).status, 0) }
        XCTAssertEqual(try run(["merge", path("out")]).status, 0)
    }

    func testMergeRefusesShardsRunWithOtherOptionsOrAnotherCount() throws {
        XCTAssertEqual(try extract(path("out"), ["--shard", "0/2"]).status, 0)
        XCTAssertEqual(try run(["extract", "melspectrogram", sample("spoken"), "-o", path("out"), "--n-mels", "16", "--shard", "1/2"]).status, 0)
        XCTAssertEqual(try extract(path("out"), ["--shard", "2/3"]).status, 0)
        let r = try run(["merge", path("out")])
        XCTAssertEqual(r.status, 2, r.stderr)
        let lines = r.stderr.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines, [
            "percept: error: \(path("out"))/.percept-shards/shard-0001-of-0002.json: from another run: options differ: --n-mels 16 (the others 32); rerun shard 1/2 with the others' settings",
            "percept: error: \(path("out"))/.percept-shards/shard-0002-of-0003.json: from another run: one of 3 shards, the others of 2; remove it",
            "percept: error: \(path("out")): rerun only these, then merge again: --shard 1/2",
        ])
        XCTAssertEqual(manifests(path("out")).count, 3)
    }

    func testMergeNamesOutputsThatAreMissingOrChanged() throws {
        try threeShards(path("out"))
        let data = try XCTUnwrap(FileManager.default.contents(atPath: path("out/.percept-shards/shard-0002-of-0003.json")))
        let files = try XCTUnwrap((JSONSerialization.jsonObject(with: data) as? [String: Any])?["files"] as? [[String: String]])
        let (gone, edited) = (try XCTUnwrap(files[0]["output"]), try XCTUnwrap(files[1]["output"]))
        try FileManager.default.removeItem(atPath: path("out/" + gone))
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path("out/" + edited)))
        try h.seekToEnd(); h.write(Data([0])); try h.close()
        let r = try run(["merge", path("out")])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").map(String.init), [
            "percept: error: \(path("out"))/\(gone): missing since shard 2/3 wrote it",
            "percept: error: \(path("out"))/\(edited): changed since shard 2/3 wrote it",
            "percept: error: \(path("out")): rerun only these, then merge again: --shard 2/3",
        ])
        XCTAssertEqual(try extract(path("out"), ["--shard", "2/3"]).status, 0)
        XCTAssertEqual(try run(["merge", path("out")]).status, 0)
    }

    func testAShardWithAFailedFileWritesItsManifestAndMergeExitsOneKeepingThem() throws {
        let src = path("in")
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        for d in 0..<3 { try FileManager.default.copyItem(atPath: sample("spoken/\(d)/en+f1_200_80.wav"), toPath: src + "/\(d).wav") }
        XCTAssertTrue(FileManager.default.createFile(atPath: src + "/3.wav", contents: Data("RIFF garbage".utf8)))
        // Byte order 0, 1, 2, 3.wav: shard 1 of 2 has 1.wav and the broken 3.wav.
        let good = try extract(path("out"), ["--shard", "0/2"], input: src)
        XCTAssertEqual(good.status, 0, good.stderr)
        let bad = try extract(path("out"), ["--shard", "1/2"], input: src)
        XCTAssertEqual(bad.status, 1, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("3.wav"), bad.stderr)
        XCTAssertTrue(bad.stdout.contains("1 ok, 1 failed"), bad.stdout)
        let r = try run(["merge", path("out")])
        XCTAssertEqual(r.status, 1, r.stderr)
        let errs = r.stderr.split(separator: "\n").map(String.init)
        XCTAssertEqual(errs.count, 2, r.stderr)
        XCTAssertTrue(errs[0].hasPrefix("percept: failed: \(src)/3.wav: "), errs[0])
        XCTAssertTrue(errs[1].hasSuffix("rerun only these, then merge again: --shard 1/2 (or remove the folder to keep the run as it is)"), errs[1])
        XCTAssertEqual(r.stdout.split(separator: "\n").last.map(String.init), "extract: 3 ok, 1 failed -> \(path("out"))")
        XCTAssertEqual(manifests(path("out")).count, 2, "kept for the rerun")
    }

    func testAutoReadsASlurmArrayThatStartsAtOneAndSteps() throws {
        // sbatch --array=1-5:2 runs tasks 1, 3 and 5: shards 0, 1 and 2 of 3.
        for (k, task) in [1, 3, 5].enumerated() {
            let r = try extract(path("out"), ["--shard", "auto"], env: ["SLURM_ARRAY_TASK_ID": "\(task)", "SLURM_ARRAY_TASK_MIN": "1",
                                                                        "SLURM_ARRAY_TASK_MAX": "5", "SLURM_ARRAY_TASK_STEP": "2"])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(r.stderr, "percept: shard \(k)/3 from the Slurm array (SLURM_ARRAY_TASK_ID=\(task), MIN=1, MAX=5, STEP=2)\n")
            XCTAssertEqual(manifests(path("out")).last, "shard-000\(k)-of-0003.json")
        }
        XCTAssertEqual(try run(["merge", path("out")]).status, 0)
        XCTAssertEqual(try extract(path("one")).status, 0)
        XCTAssertTrue(tree(path("one")) == tree(path("out")))
    }

    func testAutoReadsAKubernetesCompletionIndexWithTheCountGiven() throws {
        let r = try extract(path("out"), ["--shard", "auto/3"], env: ["JOB_COMPLETION_INDEX": "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr, "percept: shard 2/3 from the Kubernetes Indexed Job (JOB_COMPLETION_INDEX=2, count from --shard auto/3)\n")
        XCTAssertEqual(manifests(path("out")), ["shard-0002-of-0003.json"])
        let fromEnv = try extract(path("out"), ["--shard", "auto"], env: ["JOB_COMPLETION_INDEX": "0", "PERCEPT_SHARDS": "3"])
        XCTAssertEqual(fromEnv.status, 0, fromEnv.stderr)
        XCTAssertTrue(fromEnv.stderr.contains("shard 0/3 from the Kubernetes Indexed Job (JOB_COMPLETION_INDEX=0, count from PERCEPT_SHARDS=3)"), fromEnv.stderr)
    }

    func testBadShardValuesAreOneLineExitTwoAndWriteNothing() throws {
        let slurm = ["SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "15", "SLURM_ARRAY_TASK_STEP": "2"]
        let cases: [(String, [String: String], String)] = [
            ("3/3", [:], "index 3 is not below the count 3"),
            ("0/0", [:], "at least 1"),
            ("x/3", [:], "'x' is not a whole number"),
            ("auto", [:], "neither SLURM_ARRAY_TASK_ID"),
            ("auto", slurm.merging(["SLURM_ARRAY_TASK_ID": "4"]) { $1 }, "not one of the array's tasks"),
            ("auto", slurm.merging(["SLURM_ARRAY_TASK_ID": "five"]) { $1 }, "'five' is not a whole number"),
            ("auto", ["JOB_COMPLETION_INDEX": "1"], "give --shard auto/N or PERCEPT_SHARDS"),
            ("auto/2", ["JOB_COMPLETION_INDEX": "2"], "index 2 is not below the count 2"),
            ("auto", ["JOB_COMPLETION_INDEX": "0", "PERCEPT_SHARDS": "0"], "at least 1"),
        ]
        for (text, env, fragment) in cases {
            let r = try extract(path("out"), ["--shard", text], env: env)
            XCTAssertEqual(r.status, 2, "\(text) \(env): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertTrue(r.stderr.hasPrefix("percept: error: --shard: ") && r.stderr.contains(fragment), "\(text) \(env): \(r.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: path("out")), "\(text): nothing written")
        }
    }

    func testShardWithOneInputFileIsAUsageError() throws {
        try assertBadInput(["extract", "mfcc", sample("spoken/3/en+f1_200_80.wav"), "-o", path("m.npy"), "--shard", "0/2"],
                           names: "--shard", "is one file")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("m.npy")))
    }

    func testMergeOfAFolderWithoutShardsSaysSo() throws {
        XCTAssertEqual(try extract(path("out")).status, 0)
        try assertBadInput(["merge", path("out")], names: path("out"), "holds no .percept-shards folder")
    }
}

extension CLITestCase {
    /// Every file under `root` (hidden ones included) by relative path, with its bytes.
    func tree(_ root: String) -> [String: Data] {
        var files = [String: Data]()
        for case let rel as String in FileManager.default.enumerator(atPath: root) ?? FileManager.DirectoryEnumerator() {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + rel, isDirectory: &isDir), !isDir.boolValue {
                files[rel] = FileManager.default.contents(atPath: root + "/" + rel)
            }
        }
        return files
    }
}
