import Foundation
import PerceptCore
import PerceptPipeline

extension RunCommand {
    /// `percept run FILE --shard I/N` fills the feature cache for one shard of a job array, and
    /// `percept run FILE --merge` checks the shards; neither trains nor writes a run folder
    /// (docs/scale-out.md).
    func fillOrMergeCache() throws {
        let mode = merge ? "--merge" : "--shard"
        if merge, shard != nil {
            throw PerceptError.invalidArgument(field: "--merge", "cannot be given with --shard: run every shard, then --merge once")
        }
        for (given, flag) in [(output != nil, "--out"), (dryRun, "--dry-run"), (force, "--force"), (resume, "--resume")] where given {
            throw PerceptError.invalidArgument(field: flag, "has no effect with \(mode): it fills the feature cache (the file's cache:) and writes no run folder")
        }
        // The shard before the file: a job started the wrong way fails before any reading.
        let part = try shard.map { try ShardSpec.parse($0, environment: ProcessInfo.processInfo.environment) }
        let spec = try PipelineSpec.load(file, overrides: overrides)
        var options = RunOptions()
        options.only = only; options.quiet = quiet; options.cacheOnly = true
        let runner = PipelineRunner(spec: spec, options: options) { FileHandle.standardError.write(Data($0.utf8)) }
        if let part {
            if let source = part.source { printError("percept: shard \(part.text) from the \(source)") }
            let f = try CacheShard.fill(runner, shard: part)
            if !quiet { for line in f.uncached { printError("percept: note: \(line)") } }
            print("run: \(f.done) of \(f.total) cached features of \(spec.name), \(f.done - f.cached) computed, \(f.cached) in the cache already -> \(f.cache) (shard \(part.text); manifest \(f.manifest))")
        } else {
            let m = try CacheShard.merge(runner)
            print("merge: \(m.count) shard\(m.count == 1 ? "" : "s") of \(spec.name), \(m.entries) cached features checked (\(m.files) files) -> \(m.cache)")
        }
    }
}
