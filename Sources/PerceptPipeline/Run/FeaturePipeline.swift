import Foundation
import PerceptAugment
import PerceptCore
import PerceptIO

/// A model's inputs: items of a data set, decoded and run through a feature chain. The
/// deterministic steps before the chain's first random stage are computed once per input and
/// cached on disk (`FeatureCache`); the rest runs per request, random stages only for training
/// samples with fresh seeded draws each epoch (seed / epoch / sample / stage).
///
///     let f = FeaturePipeline(dataset: ds, chain: spec.chain, items: spec.items, seed: 7, augment: true, cache: cache)
///     let x = try f.sample(ds.train[0], index: 0, epoch: 3)     // augmented
///     let y = try f.sample(ds.test[0], index: 0, epoch: nil)    // clean
public final class FeaturePipeline: @unchecked Sendable {
    public let dataset: Dataset
    public let chain: AugmentationChain
    public let seed: UInt64
    /// Whether training samples get the random stages.
    public let augment: Bool
    /// Steps `0..<prefixEnd` are deterministic and cached.
    public let prefixEnd: Int
    let cache: FeatureCache?
    /// The part of the cache key that describes the chain prefix.
    let prefixKey: String
    private let lock = NSLock()
    private var hits = 0, misses = 0

    /// The shape every model input has (the chain's output for the data's first sample).
    public let inputShape: SampleShape

    /// `items` is the chain as written (its first `prefixEnd` entries key the cache); `first` is
    /// a decoded sample of the data, from which every stage's shape is checked.
    public init(dataset: Dataset, chain: AugmentationChain, items: Value, seed: UInt64, augment: Bool,
                cacheDirectory: String?, first: SampleShape) throws {
        self.dataset = dataset; self.chain = chain; self.seed = seed; self.augment = augment
        prefixEnd = chain.firstRandomStep
        let written = items.items ?? []
        let prefix = written.prefix(prefixEnd).map(\.canonical).joined(separator: ",")
        prefixKey = "percept \(PerceptVersion.string)|\(dataset.spec.kind.rawValue)|\(dataset.spec.sampleRate ?? 0)|[\(prefix)]"
        let clean = try chain.outputShape(for: first, 0..<chain.steps.count, randomStages: false)
        if augment {
            let trained = try chain.outputShape(for: first, 0..<chain.steps.count, randomStages: true)
            guard trained.dims == clean.dims else {
                throw PerceptError.invalidArgument(field: "features", "random stages change the shape from \(clean.dims) to \(trained.dims); add a stage that fixes the size (fix_length, resize) after them")
            }
        }
        inputShape = clean
        // Nothing to save when the prefix is empty: decoding is all there is.
        if prefixEnd > 0, let dir = cacheDirectory {
            let p = try chain.outputShape(for: first, 0..<prefixEnd, randomStages: false)
            cache = FeatureCache(directory: dir, kind: p.kind, sampleRate: p.sampleRate)
        } else {
            cache = nil
        }
    }

    /// Cache hits and computed prefixes since creation.
    public var cacheCounts: (hits: Int, computed: Int) { lock.lock(); defer { lock.unlock() }; return (hits, misses) }

    /// Makes sure every item's cached prefix exists (computing the missing ones in parallel);
    /// returns how many were already cached and how many were computed. Without a cache it
    /// does nothing.
    public func warm(_ items: [DataItem]) throws -> (hits: Int, computed: Int) {
        guard let cache else { return (0, 0) }
        let before = cacheCounts
        let failure = FirstFailure()
        Parallel.forEachDynamic(count: items.count, state: { () }) { _, i in
            do {
                let key = try cacheKey(items[i])
                if cache.exists(key) { lock.lock(); hits += 1; lock.unlock(); return }
                _ = try base(items[i], cache: cache, key: key)
            } catch { failure.record(i, error) }
        }
        try failure.rethrow()
        let after = cacheCounts
        return (after.hits - before.hits, after.computed - before.computed)
    }

    /// The decoded input after the deterministic prefix (from the cache when it is there).
    public func base(_ item: DataItem) throws -> Sample {
        guard let cache else { return try chain.apply(0..<prefixEnd, to: dataset.sample(item), randomStages: false, seed: seed, epoch: 0, index: 0) }
        return try base(item, cache: cache, key: try cacheKey(item))
    }

    /// The item's cache key: its content, the prefix's stages and options, the version.
    func cacheKey(_ item: DataItem) throws -> String { FeatureCache.key(prefixKey + "|" + (try dataset.contentKey(item))) }

    func base(_ item: DataItem, cache: FeatureCache, key: String) throws -> Sample {
        if let s = cache.load(key) {
            lock.lock(); hits += 1; lock.unlock()
            return s
        }
        let s = try chain.apply(0..<prefixEnd, to: dataset.sample(item), randomStages: false, seed: seed, epoch: 0, index: 0)
        try cache.store(s, key: key)
        lock.lock(); misses += 1; lock.unlock()
        return s
    }

    /// The model's input for `item`: `epoch` nil for evaluation and prediction (no random
    /// stages), else the training epoch; `index` is the item's place in its split (it seeds the draws).
    public func sample(_ item: DataItem, index: Int, epoch: Int?) throws -> Sample {
        let b = try base(item)
        let random = epoch != nil && augment
        return try chain.apply(prefixEnd..<chain.steps.count, to: b, randomStages: random, seed: seed, epoch: epoch ?? 0, index: index)
    }
}

/// Deterministic features on disk, one float32 .npy per input and chain prefix, keyed by the
/// input's content hash, the stages and their options, and Percept's version: a changed file or
/// option misses only what it affects. Writes are atomic; a corrupt entry is recomputed.
public final class FeatureCache: @unchecked Sendable {
    public let directory: String
    let kind: SampleKind
    let sampleRate: Int

    /// `kind` and `sampleRate` describe what the cached prefix produces.
    public init(directory: String, kind: SampleKind, sampleRate: Int) {
        self.directory = directory; self.kind = kind; self.sampleRate = sampleRate
    }

    /// The cache key of a description (SHA-256, hex): stable across runs and machines.
    public static func key(_ text: String) -> String { SHA256.hex(Array(text.utf8)) }

    func path(_ key: String) -> String { directory + "/" + Self.relativePath(key) }

    /// Where an entry lies inside the cache folder (`ab/ab12….npy`): the same on every machine.
    static func relativePath(_ key: String) -> String { "\(key.prefix(2))/\(key).npy" }

    func exists(_ key: String) -> Bool { FileManager.default.fileExists(atPath: path(key)) }

    func load(_ key: String) -> Sample? {
        let p = path(key)
        guard FileManager.default.fileExists(atPath: p), let t = try? Npy.loadTensor(p) else { return nil }
        return try? Sample(kind, data: t, sampleRate: sampleRate)
    }

    func store(_ s: Sample, key: String) throws {
        let p = path(key)
        try FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Npy.save(s.data, to: p)
    }
}
