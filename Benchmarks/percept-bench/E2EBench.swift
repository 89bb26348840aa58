// Whole pipelines as a user runs them: `percept run` as one timed process — decode, features,
// training, evaluation and every output file — against a PyTorch (+ librosa) script doing the same.
import Foundation
import PerceptCore

/// The spoken-digit quickstart model on ../shared/data/spoken-digits, split by voice: what
/// Benchmarks/spoken_e2e.py does.
let spokenE2EOverrides = [
    "data.spoken.train={manifest: {file: ../shared/data/spoken-digits/manifest.csv, path_column: file, label_column: digit}}",
    "+data.spoken.group_by=voice",
]

/// `percept run ARGS --out OUT --force --quiet` as one timed process; `cache` nil keeps the
/// pipeline's cache, else a fresh folder per run (`fresh`) or one warmed before timing.
private func runWorkload(_ name: String, summary: String, _ args: [String], items: Int, cache: String?, fresh: Bool) -> Workload {
    Workload(name: name, summary: summary, warmUp: false) { dir in
        let binary = try perceptBinary()
        let base = URL(fileURLWithPath: dir).deletingLastPathComponent()
        let out = base.appendingPathComponent("\(name)-percept").path
        let cacheDir = cache.map { base.appendingPathComponent($0).path }
        func run() throws -> ProcessUsage {
            if fresh, let c = cacheDir { try? FileManager.default.removeItem(atPath: c) }
            return try spawnTimed(binary, ["run"] + args + ["--out", out, "--force", "--quiet"]
                                  + (cacheDir.map { ["--set", "+cache=\($0)"] } ?? []))
        }
        if cacheDir != nil, !fresh { _ = try run() }   // warm the cache before the timed runs
        return {
            // One run, as the script's record says; time, faults and peak RSS are the process's.
            Work(items: items, shape: [1], process: try run())
        }
    }
}

let e2eWorkloads: [Workload] = [
    runWorkload("mnist-e2e", summary: "percept run Pipelines/mnist-cnn.yaml (decode, train 5 epochs, evaluate, write)",
                ["Pipelines/mnist-cnn.yaml"], items: 70_000, cache: nil, fresh: false),
    runWorkload("spoken-e2e-first", summary: "the quickstart's spoken CNN on 400 spoken-digit WAVs split by voice, empty feature cache",
                ["Pipelines/quickstart.yaml", "--only", "spoken_cnn"] + spokenE2EOverrides.flatMap { ["--set", $0] },
                items: 400, cache: "spoken-e2e-cache", fresh: true),
    runWorkload("spoken-e2e-cached", summary: "the same with the feature cache warm (nothing decoded)",
                ["Pipelines/quickstart.yaml", "--only", "spoken_cnn"] + spokenE2EOverrides.flatMap { ["--set", $0] },
                items: 400, cache: "spoken-e2e-cache-warm", fresh: false),
]
