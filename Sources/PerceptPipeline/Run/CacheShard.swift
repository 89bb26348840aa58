import Foundation
import PerceptCore
import PerceptIO

/// A pipeline's feature cache filled by shards of a job array (`percept run FILE --shard I/N`),
/// checked by `percept run FILE --merge`, so that one `percept run FILE` then trains on cached
/// features only. Each shard computes the cached chain prefix (`FeaturePipeline`) of its
/// round-robin part of the pipeline's items, sorted by UTF-8 bytes of `data/chain:item`, and
/// writes a manifest (`ShardManifest`: the cached prefixes, version, I/N, the item list's hash,
/// each entry's file and SHA-256) under CACHE/.percept-shards/NAME. Nothing is trained and no
/// run folder is written.
///
///     let filled = try CacheShard.fill(runner, shard: try ShardSpec.parse("1/3", environment: [:]))   // filled.done, filled.manifest
public enum CacheShard {
    /// What one shard did.
    public struct Filled: Sendable {
        /// The cache folder and the manifest written in it.
        public var cache: String, manifest: String
        /// Entries of the whole pipeline; this shard's; of those, how many were in the cache already.
        public var total: Int, done: Int, cached: Int
        /// One line per model whose chain caches nothing, saying why.
        public var uncached: [String]
    }

    /// What a merge checked.
    public struct Merged: Sendable {
        public var cache: String
        public var count: Int
        /// Entries of the pipeline, and the files they are (identical inputs share one).
        public var entries: Int, files: Int
        public var uncached: [String]
    }

    /// Fills shard `shard` of the cache of `runner`'s pipeline (its `--only` models); a rerun
    /// redoes only missing or unreadable entries and rewrites the manifest.
    public static func fill(_ runner: PipelineRunner, shard: ShardSpec) throws -> Filled {
        let work = try Work(runner, field: "--shard")
        let path = work.folder + "/" + ShardManifest.fileName(index: shard.index, count: shard.count)
        // A rerun killed half-way must leave the shard unfinished, not claiming the earlier run's files.
        try removeIfPresent(path)
        let mine = shard.positions(of: work.units.count).map { work.units[$0] }
        let entries = UnsafeMutableBufferPointer<ShardManifest.Entry?>.allocate(capacity: mine.count)
        entries.initialize(repeating: nil)
        let cached = UnsafeMutableBufferPointer<Bool>.allocate(capacity: mine.count)
        cached.initialize(repeating: false)
        defer { entries.deallocate(); cached.deallocate() }
        let box = UnsafeSendable((entries, cached))
        let failure = FirstFailure()
        Parallel.forEachDynamic(count: mine.count, state: { () }) { _, i in
            do {
                let u = mine[i]
                guard let cache = u.features.cache else { return }
                let key = try u.features.cacheKey(u.item)
                // An entry that does not load (cut short, corrupt) is computed again.
                let had = cache.load(key) != nil
                if !had { _ = try u.features.base(u.item, cache: cache, key: key) }
                let sha = try SHA256.hex(file: cache.path(key))
                box.value.0[i] = ShardManifest.Entry(input: u.id, output: FeatureCache.relativePath(key), sha256: sha)
                box.value.1[i] = had
            } catch { failure.record(i, error) }
        }
        try failure.rethrow()
        try work.manifest(index: shard.index, count: shard.count, files: entries.compactMap { $0 }).write(to: path)
        return Filled(cache: work.spec.cache, manifest: path, total: work.units.count, done: mine.count,
                      cached: cached.count { $0 }, uncached: work.uncached)
    }

    /// Checks that every shard of `runner`'s pipeline finished, that all were cut from the
    /// pipeline file as it is now, and that every entry is on disk with the bytes its shard wrote;
    /// then removes the manifests, leaving the cache as one run fills it. Problems are thrown one
    /// per line, ending with the shards to rerun (bad input, exit 2).
    public static func merge(_ runner: PipelineRunner) throws -> Merged {
        let work = try Work(runner, field: "--merge")
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: work.folder, isDirectory: &isDir), isDir.boolValue else {
            throw PerceptError.badInput(file: work.folder, "does not exist: no shard of pipeline '\(work.spec.name)' has finished (percept run FILE --shard I/N), or they are merged already")
        }
        let group = try ShardMerge.checkSet(folder: work.folder, outputs: work.spec.cache,
                                            expected: { work.manifest(index: 0, count: $0, files: []) }, sharedOutputs: true, listed: 20)
        let entries = group.flatMap(\.files)
        try FileManager.default.removeItem(atPath: work.folder)
        // The shards folder goes too unless another pipeline's shards share the cache.
        let parent = (work.folder as NSString).deletingLastPathComponent
        if (try? FileManager.default.contentsOfDirectory(atPath: parent))?.isEmpty == true { try? FileManager.default.removeItem(atPath: parent) }
        return Merged(cache: work.spec.cache, count: group[0].count, entries: entries.count,
                      files: Set(entries.compactMap(\.output)).count, uncached: work.uncached)
    }

    private static func removeIfPresent(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        do { try FileManager.default.removeItem(atPath: path) } catch {
            throw PerceptError.runtime("\(path): cannot remove (\((error as NSError).localizedDescription))")
        }
    }

    /// The cache entries a pipeline needs: every item of every split of each data set, through
    /// each distinct cached chain prefix (models sharing data and prefix share entries).
    struct Work {
        struct Unit { let id: String; let features: FeaturePipeline; let item: DataItem }

        let spec: PipelineSpec
        /// In shard order: by UTF-8 bytes of `id`, the same on every machine.
        let units: [Unit]
        /// `data/chain` → the cached prefix (kind, rate, stages with their options, as the cache keys it).
        let options: [String: String]
        let skipped: Int
        let uncached: [String]

        /// `field` names the option in the error when nothing is cached.
        init(_ runner: PipelineRunner, field: String) throws {
            spec = runner.spec
            var options = [String: String](), units = [String: Unit](), skipped = [String: Int](), uncached = [String]()
            for p in try runner.plan() {
                guard p.features.cache != nil else { uncached.append(Self.whyUncached(p)); continue }
                // The first model's names label a prefix the later ones share.
                let label = options.first { $0.value == p.features.prefixKey && $0.key.hasPrefix(p.spec.data + "/") }?.key
                    ?? "\(p.spec.data)/\(p.spec.features)"
                options[label] = p.features.prefixKey
                skipped[p.spec.data] = p.dataset.skipped
                for item in p.dataset.train + p.dataset.validation + p.dataset.test {
                    let id = label + ":" + item.displayName
                    if units[id] == nil { units[id] = Unit(id: id, features: p.features, item: item) }
                }
            }
            guard !units.isEmpty else {
                let why = uncached.isEmpty ? "it has no model" : uncached.joined(separator: "; ")
                throw PerceptError.invalidArgument(field: field, "pipeline '\(spec.name)' has nothing to cache: the cache keeps a chain's stages before its first random one (\(why)); run it without \(field)")
            }
            self.units = units.values.sorted { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
            self.options = options; self.skipped = skipped.values.reduce(0, +); self.uncached = uncached
        }

        /// Where the shards of this pipeline keep their manifests.
        var folder: String { spec.cache + "/" + ShardManifest.folder + "/" + spec.name }

        func manifest(index: Int, count: Int, files: [ShardManifest.Entry]) -> ShardManifest {
            ShardManifest(version: PerceptVersion.string, feature: ShardManifest.pipelineFeature(spec.name), options: options,
                          index: index, count: count, inputs: units.count, inputsSHA256: ShardSpec.fingerprint(units.map(\.id)),
                          skipped: skipped, files: files)
        }

        /// `digits_cnn: chain 'pixels' is empty` — why a model's chain caches nothing.
        static func whyUncached(_ p: ModelPlan) -> String {
            guard let first = p.features.chain.steps.first else {
                return p.spec.name + ": " + (p.spec.features.isEmpty ? "no feature chain" : "chain '\(p.spec.features)' is empty") + ", the decoded input is all there is"
            }
            return "\(p.spec.name): chain '\(p.spec.features)' starts with the random stage \(first.name), so nothing before it is cached"
        }
    }
}
