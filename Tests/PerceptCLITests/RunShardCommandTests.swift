import Foundation
import XCTest

/// `percept run FILE --shard I/N` and `--merge`: a pipeline's feature cache filled by shards of a
/// job array is, once merged, byte for byte the cache one run fills, and the training run that
/// follows computes no feature; incomplete or mixed shard sets are refused with the shards to rerun.
final class RunShardCommandTests: CLITestCase {
    /// Neither scheduler's variables, whatever the machine running the tests has set (empty counts as unset).
    private let noScheduler = ["SLURM_ARRAY_TASK_ID": "", "JOB_COMPLETION_INDEX": "", "PERCEPT_SHARDS": ""]

    /// The quickstart's spoken digits, 3 clips per class (30 items), its cache in `cache`.
    private func pipeline(_ cache: String, _ extra: [String] = []) -> [String] {
        ["run", "Pipelines/quickstart.yaml", "--set", "+data.spoken.max_per_class=3", "--set", "+data.digits.max_per_class=3",
         "--set", "+cache=" + cache] + extra
    }

    private func shard(_ cache: String, _ spec: String, _ extra: [String] = [], env: [String: String] = [:]) throws -> Result {
        try run(pipeline(cache, extra + ["--shard", spec]), env: noScheduler.merging(env) { $1 })
    }

    private func merge(_ cache: String, _ extra: [String] = []) throws -> Result { try run(pipeline(cache, extra + ["--merge"])) }

    private func manifest(_ cache: String, _ i: Int, of n: Int) throws -> [String: Any] {
        let p = cache + "/.percept-shards/quickstart/shard-000\(i)-of-000\(n).json"
        let data = try XCTUnwrap(FileManager.default.contents(atPath: p), p)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func inputs(_ m: [String: Any]) -> [String] { ((m["files"] as? [[String: String]]) ?? []).compactMap { $0["input"] } }

    /// Shards 0..<n into `cache`, each checked to succeed and to name its manifest.
    private func shards(_ cache: String, _ n: Int) throws {
        for i in 0..<n {
            let r = try shard(cache, "\(i)/\(n)")
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stdout.hasSuffix("-> \(cache) (shard \(i)/\(n); manifest \(cache)/.percept-shards/quickstart/shard-000\(i)-of-000\(n).json)\n"), r.stdout)
            XCTAssertEqual(r.stderr, "percept: note: digits_cnn: chain 'pixels' is empty, the decoded input is all there is\n")
        }
    }

    func testOneAndThreeShardsMergedFillTheCacheOfOneRunAndTrainingComputesNothing() throws {
        let small = ["--only", "spoken_cnn", "--set", "models.spoken_cnn.train.epochs=1",
                     "--set", "models.spoken_cnn.layers=[flatten, {dense: {out_features: classes}}]"]
        let plain = try run(pipeline(path("c-run"), small + ["--out", path("run")]))
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertTrue(plain.stderr.contains("features of 30 samples: 0 from the cache, 30 computed"), plain.stderr)

        try shards(path("c1"), 1)
        try shards(path("c3"), 3)
        // Each shard takes every third of the items sorted by their bytes.
        let parts = try (0..<3).map { inputs(try manifest(path("c3"), $0, of: 3)) }
        let all = parts.flatMap { $0 }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        XCTAssertEqual(all.count, 30)
        XCTAssertTrue(all.allSatisfy { $0.hasPrefix("spoken/logmel:Samples/spoken/") }, "\(all)")
        for i in 0..<3 { XCTAssertEqual(parts[i], stride(from: i, to: 30, by: 3).map { all[$0] }) }
        let m = try manifest(path("c3"), 1, of: 3)
        XCTAssertEqual(m["feature"] as? String, "pipeline quickstart")
        XCTAssertEqual(Array((m["options"] as? [String: String] ?? [:]).keys), ["spoken/logmel"])
        XCTAssertEqual(m["inputs"] as? Int, 30)

        // A shard run again computes nothing and writes the same manifest.
        let before = try Data(contentsOf: URL(fileURLWithPath: path("c3/.percept-shards/quickstart/shard-0001-of-0003.json")))
        let again = try shard(path("c3"), "1/3")
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.hasPrefix("run: 10 of 30 cached features of quickstart, 0 computed, 10 in the cache already -> "), again.stdout)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path("c3/.percept-shards/quickstart/shard-0001-of-0003.json"))), before)

        for (cache, n) in [(path("c1"), 1), (path("c3"), 3)] {
            let r = try merge(cache)
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(r.stdout, "merge: \(n) shard\(n == 1 ? "" : "s") of quickstart, 30 cached features checked (30 files) -> \(cache)\n")
        }
        let one = tree(path("c-run"))
        XCTAssertEqual(one.count, 30)
        XCTAssertEqual(one.keys.sorted(), tree(path("c1")).keys.sorted(), "the same files, and no .percept-shards left")
        XCTAssertTrue(one == tree(path("c1")), "N = 1: the bytes of one run's cache")
        XCTAssertEqual(one.keys.sorted(), tree(path("c3")).keys.sorted())
        XCTAssertTrue(one == tree(path("c3")), "N = 3: the bytes of one run's cache")

        let trained = try run(pipeline(path("c3"), small + ["--out", path("run3")]))
        XCTAssertEqual(trained.status, 0, trained.stderr)
        XCTAssertTrue(trained.stderr.contains("features of 30 samples: 30 from the cache, 0 computed"), trained.stderr)
        let metrics = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("run3/metrics.json")))) as? [String: Any])
        let spoken = try XCTUnwrap((metrics["models"] as? [String: [String: Any]])?["spoken_cnn"])
        XCTAssertEqual(spoken["features_computed"] as? Int, 0)
        XCTAssertEqual(spoken["features_from_cache"] as? Int, 30)
    }

    func testMergeRefusesAMissingShardThenAShardOfAnotherConfiguration() throws {
        let cache = path("c")
        for i in [0, 2] { XCTAssertEqual(try shard(cache, "\(i)/3").status, 0) }
        let missing = try merge(cache)
        XCTAssertEqual(missing.status, 2, missing.stderr)
        XCTAssertEqual(missing.stderr.split(separator: "\n").map(String.init), [
            "percept: error: \(cache): no manifest from shard 1 (1 of 3 not finished)",
            "percept: error: \(cache): rerun only these, then merge again: --shard 1/3",
        ])
        // Shard 1 with another chain prefix: named, with what differs, and nothing is removed.
        XCTAssertEqual(try shard(cache, "1/3", ["--set", "features.logmel[0].fix_length.size=8000"]).status, 0)
        let mixed = try merge(cache)
        XCTAssertEqual(mixed.status, 2, mixed.stderr)
        let lines = mixed.stderr.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, mixed.stderr)
        XCTAssertTrue(lines[0].hasPrefix("percept: error: \(cache)/.percept-shards/quickstart/shard-0001-of-0003.json: from another run: options differ: spoken/logmel "), lines[0])
        XCTAssertTrue(lines[0].contains("size: 8000") && lines[0].contains("(the pipeline file ") && lines[0].hasSuffix("; rerun shard 1/3"), lines[0])
        XCTAssertEqual(lines[1], "percept: error: \(cache): rerun only these, then merge again: --shard 1/3")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cache + "/.percept-shards/quickstart").count, 3)
        // Shards over other items (another cap) are refused as well.
        let capped = try merge(cache, ["--set", "+data.spoken.max_per_class=4"])
        XCTAssertEqual(capped.status, 2)
        XCTAssertTrue(capped.stderr.contains("cut from another input list (30 inputs, the pipeline file 40"), capped.stderr)

        XCTAssertEqual(try shard(cache, "1/3").status, 0)
        XCTAssertEqual(try merge(cache).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: cache + "/.percept-shards"))
    }

    func testMergeNamesACacheEntryChangedSinceItsShardWroteIt() throws {
        let cache = path("c")
        try shards(cache, 2)
        let output = try XCTUnwrap((try manifest(cache, 1, of: 2)["files"] as? [[String: String]])?.first?["output"])
        XCTAssertTrue(FileManager.default.createFile(atPath: cache + "/" + output, contents: Data("not features".utf8)))
        let r = try merge(cache)
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").map(String.init), [
            "percept: error: \(cache)/\(output): changed since shard 1/2 wrote it",
            "percept: error: \(cache): rerun only these, then merge again: --shard 1/2",
        ])
        // The rerun recomputes the entry that no longer loads.
        let again = try shard(cache, "1/2")
        XCTAssertTrue(again.stdout.contains(", 1 computed, 14 in the cache already"), again.stdout)
        XCTAssertEqual(try merge(cache).status, 0)
    }

    func testIdenticalFilesInTwoShardsShareOneCacheEntry() throws {
        // b/2.wav is a copy of a/1.wav: byte order a/1, a/2, b/1, b/2 puts them in shards 0 and 1,
        // which both write (and record) the one entry their content keys.
        let src = path("data")
        for (dir, file, from) in [("a", "1", "0/en+f1_200_80"), ("a", "2", "0/en+f3_120_80"), ("b", "1", "1/en+f1_200_80"), ("b", "2", "0/en+f1_200_80")] {
            try FileManager.default.createDirectory(atPath: src + "/" + dir, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: sample("spoken/\(from).wav"), toPath: "\(src)/\(dir)/\(file).wav")
        }
        let yaml = """
        name: twins
        data:
          s: {kind: audio, sample_rate: 16000, train: {folder: \(src)}}
        features:
          f: [{fix_length: {size: 16000}}, {melspectrogram: {n_mels: 16}}]
        models:
          m: {data: s, features: f, layers: [flatten, {dense: {out_features: classes}}]}
        cache: \(path("c"))
        """
        XCTAssertTrue(FileManager.default.createFile(atPath: path("twins.yaml"), contents: Data(yaml.utf8)))
        for i in 0..<2 {
            let r = try run(["run", path("twins.yaml"), "--shard", "\(i)/2"], env: noScheduler)
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let merged = try run(["run", path("twins.yaml"), "--merge"])
        XCTAssertEqual(merged.status, 0, merged.stderr)
        XCTAssertEqual(merged.stdout, "merge: 2 shards of twins, 4 cached features checked (3 files) -> \(path("c"))\n")
        XCTAssertEqual(tree(path("c")).count, 3)
    }

    func testAutoTakesTheShardFromAKubernetesIndexedJob() throws {
        let r = try shard(path("c"), "auto/3", env: ["JOB_COMPLETION_INDEX": "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("percept: shard 2/3 from the Kubernetes Indexed Job (JOB_COMPLETION_INDEX=2, count from --shard auto/3)\n"), r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("run: 10 of 30 cached features of quickstart, 10 computed, 0 in the cache already -> "), r.stdout)
        let bad = try shard(path("c"), "auto", env: ["JOB_COMPLETION_INDEX": "0"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.hasPrefix("percept: error: --shard: auto: JOB_COMPLETION_INDEX=0 is set but not the shard count"), bad.stderr)
    }

    func testAPipelineWithNothingToCacheSaysSoAndWritesNothing() throws {
        for mode in [["--shard", "0/2"], ["--merge"]] {
            try assertBadInput(pipeline(path("c"), ["--only", "digits_cnn"] + mode), names: mode[0],
                               "pipeline 'quickstart' has nothing to cache: the cache keeps a chain's stages before its first random one (digits_cnn: chain 'pixels' is empty")
            XCTAssertFalse(FileManager.default.fileExists(atPath: path("c")))
        }
    }

    func testAShardDoesNotNeedTheMemoryTrainingNeeds() throws {
        // The spoken CNN's training takes about 130 MB (weights, Adam state, a batch of 16): a
        // cache-filling node with less is fine.
        let limit = ["--only", "spoken_cnn", "--max-memory", "64M"]
        try assertBadInput(pipeline(path("c"), limit + ["--dry-run"]), names: "models.spoken_cnn.layers", "training (weights, gradients, adam state")
        let r = try shard(path("c"), "0/2", limit)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("run: 15 of 30 cached features of quickstart, 15 computed"), r.stdout)
    }

    func testRunFolderOptionsAreRefusedWithShardOrMerge() throws {
        try assertBadInput(pipeline(path("c"), ["--shard", "0/2", "--out", path("o")]), names: "--out", "has no effect with --shard")
        try assertBadInput(pipeline(path("c"), ["--merge", "--force"]), names: "--force", "has no effect with --merge")
        try assertBadInput(pipeline(path("c"), ["--merge", "--shard", "0/2"]), names: "--merge", "cannot be given with --shard")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("c")))
    }

    func testMergeWithoutShardsSaysSoAndPerceptMergeOfACachePointsToRunMerge() throws {
        try assertBadInput(pipeline(path("c"), ["--merge"]), names: path("c") + "/.percept-shards/quickstart", "no shard of pipeline 'quickstart' has finished")
        XCTAssertEqual(try shard(path("c"), "0/2").status, 0)
        try assertBadInput(["merge", path("c")], names: path("c"), "holds the cache shards of pipeline quickstart: merge them with 'percept run PIPELINE.yaml --merge'")
    }
}
