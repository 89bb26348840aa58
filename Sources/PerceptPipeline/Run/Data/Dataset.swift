import Foundation
import PerceptAudio
import PerceptCore
import PerceptIO

/// A data set ready for training: class names, the train / validation / test items (seeded,
/// stratified splits) and the decoding of one item into a `Sample`. Items are decoded on demand,
/// so a folder of 100,000 clips is never held in memory at once; IDX images are kept as bytes.
///
///     let data = try Dataset.load(spec, seed: 7)
///     let first = try data.sample(data.train[0])     // Sample(image: [1, 28, 28])
public final class Dataset: @unchecked Sendable {
    public let spec: DataSpec
    /// Class names in label order: sorted (numerically when every name is a whole number, so
    /// IDX labels read "0"…"9" and "10" follows "9").
    public let classes: [String]
    public let train: [DataItem], validation: [DataItem], test: [DataItem]
    /// Files in folder sources, in or beside the class folders, that are not of the data's kind (skipped).
    public let skipped: Int
    /// Audio: the rate every `sample` has (the spec's, else the first training file's); nil for images.
    public let sampleRate: Int?

    private let idx: [String: IDXImages]
    private let lock = NSLock()
    private var fileKeys: [String: String] = [:]

    private init(spec: DataSpec, classes: [String], train: [DataItem], validation: [DataItem], test: [DataItem],
                 skipped: Int, sampleRate: Int?, idx: [String: IDXImages]) {
        self.spec = spec; self.classes = classes; self.train = train; self.validation = validation; self.test = test
        self.skipped = skipped; self.sampleRate = sampleRate; self.idx = idx
    }

    /// Lists the files (or reads the IDX labels and images), numbers the classes and makes the
    /// seeded splits. Every problem found is reported at once, each on its own line (exit code 2):
    /// missing inputs, empty class folders, manifest rows naming missing files, unknown columns,
    /// classes in validation / test absent from train, and splits or caps leaving a class no
    /// training sample. With `classes` (a checkpoint's, for evaluation) labels are numbered by
    /// those names instead, and a class not among them is an error.
    ///
    ///     let eval = try Dataset.load(spec, seed: 0, classes: checkpointClasses)
    public static func load(_ spec: DataSpec, seed: UInt64, classes known: [String]? = nil) throws -> Dataset {
        let d = Diagnostics()
        // Every missing input first, before any reading.
        for e in spec.missingInputs() { d.record(e) }
        try d.throwIfAny()

        var idx: [String: IDXImages] = [:]
        let sources: [(DataPart, SourceSpec?)] = [(.train, spec.train), (.validation, spec.validation), (.test, spec.test)]
        var listings: [DataPart: SourceListing] = [:]
        for (part, source) in sources {
            guard let source else { continue }
            if let l = SourceListing.list(source, role: part.name, spec: spec, idx: &idx, d: d) { listings[part] = l }
        }
        try d.throwIfAny()
        let trainListing = listings[.train]!
        guard !trainListing.entries.isEmpty else { throw PerceptError.badInput(file: spec.train.paths[0], "no samples (\(spec.field("train")))") }

        let classes = known ?? sortedClasses(Set(trainListing.entries.map(\.className)))
        let index = Dictionary(classes.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
        for part in known == nil ? [DataPart.validation, .test] : DataPart.allCases {
            guard let l = listings[part] else { continue }
            let unknown = Set(l.entries.map(\.className)).subtracting(classes)
            let whose = known == nil ? "the training data (its classes: " : "the model's classes ("
            for c in sortedClasses(unknown) {
                d.record(.invalidArgument(field: spec.field(part.name), "class '\(c)' is not in \(whose)\(classes.joined(separator: ", ")))"))
            }
        }
        try d.throwIfAny()

        let base = RandomStream(seed: seed).split(stableHash(spec.name))
        func items(_ entries: [SourceListing.Entry], part: DataPart) -> [SourceListing.Entry] {
            guard let m = spec.maxPerClass else { return entries }
            let kept = DataSplitter.cap(labels: entries.map { index[$0.className]! }, max: m, rng: base.split(1).split(part.rawValue))
            return kept.map { entries[$0] }
        }
        var parts: [DataPart: [SourceListing.Entry]] = [:]
        let pool = items(trainListing.entries, part: .train)
        let assigned: [DataPart]
        if case .manifest(_, _, _, _?) = spec.train {
            assigned = pool.map { $0.part! }
        } else if spec.groupBy != nil, spec.validationFraction != nil || spec.testFraction != nil {
            assigned = DataSplitter.grouped(groups: pool.map { $0.group ?? "" }, validation: spec.validationFraction,
                                            test: spec.testFraction, rng: base.split(3))
        } else {
            assigned = DataSplitter.stratified(labels: pool.map { index[$0.className]! }, validation: spec.validationFraction,
                                               test: spec.testFraction, rng: base.split(2))
        }
        for (e, p) in zip(pool, assigned) { parts[p, default: []].append(e) }
        for part in [DataPart.validation, .test] {
            if let l = listings[part] { parts[part, default: []] += items(l.entries, part: part) }
        }

        // Every class needs a training sample; say what took it away.
        let trainCount = Dictionary(grouping: parts[.train] ?? [], by: \.className).mapValues(\.count)
        let total = Dictionary(grouping: trainListing.entries, by: \.className).mapValues(\.count)
        for c in classes where known == nil && trainCount[c] == nil {
            let n = total[c] ?? 0, kept = pool.filter { $0.className == c }.count
            let capped = spec.maxPerClass.map { " (max_per_class: \($0) keeps \(kept) of \(n))" } ?? ""
            if case let .manifest(_, _, _, col?) = spec.train {
                d.record(.invalidArgument(field: spec.field("train.manifest.split_column"), "no row of class '\(c)' has \(col) = train; it needs a training sample"))
            } else if let g = spec.groupBy {
                d.record(.invalidArgument(field: spec.field("group_by"), "splitting by '\(g)' leaves class '\(c)' no training sample: all its \(kept) samples fell in validation / test groups\(capped)"))
            } else {
                let v = DataSplitter.share(spec.validationFraction, of: kept), t = DataSplitter.share(spec.testFraction, of: kept)
                let took = [v > 0 ? "\(v) for validation" : nil, t > 0 ? "\(t) for test" : nil].compactMap { $0 }.joined(separator: " and ")
                let field = spec.origins["split"] ?? spec.origins["validation_split"] ?? spec.field("split")
                d.record(.invalidArgument(field: field, "class '\(c)' has \(kept) sample\(kept == 1 ? "" : "s")\(capped); \(took) leave it no training sample"))
            }
        }
        try d.throwIfAny()

        func dataItems(_ part: DataPart) -> [DataItem] {
            (parts[part] ?? []).map { DataItem(location: $0.location, label: index[$0.className]!, group: $0.group) }
        }
        let trainItems = dataItems(.train)
        var rate = spec.sampleRate
        if spec.kind == .audio, rate == nil, case let .file(first)? = trainItems.first?.location {
            rate = try AudioFile.info(first).sampleRate
        }
        return Dataset(spec: spec, classes: classes, train: trainItems, validation: dataItems(.validation), test: dataItems(.test),
                       skipped: listings.values.map(\.skipped).reduce(0, +), sampleRate: rate, idx: idx)
    }

    /// How many items of each class `items` holds, in label order.
    ///
    ///     data.counts(data.train)   // [7, 7, 7, …]
    public func counts(_ items: [DataItem]) -> [Int] {
        var c = [Int](repeating: 0, count: classes.count)
        for i in items { c[i.label] += 1 }
        return c
    }

    /// Decodes one item: an image as [C, H, W] Float32 in [0, 1] (IDX: [1, rows, cols], byte / 255);
    /// audio as mono [1, frames] at `sampleRate` (resampled with soxr when the file's rate differs
    /// from the spec's `sample_rate`; without one, a file at another rate is an error).
    public func sample(_ item: DataItem) throws -> Sample {
        switch item.location {
        case let .idx(path, i):
            guard let images = idx[path], i >= 0, i < images.count else {
                throw PerceptError.invalidArgument(field: item.displayName, "no such IDX item in this data set")
            }
            let n = images.rows * images.cols
            var pixels = [Float](repeating: 0, count: n)
            images.bytes.withUnsafeBufferPointer { b in
                for k in 0..<n { pixels[k] = Float(b[i * n + k]) / 255 }
            }
            return try Sample(image: Tensor(unchecked: [1, images.rows, images.cols], data: pixels))
        case let .file(path):
            return try Dataset.decode(path, kind: spec.kind, sampleRate: sampleRate, strictFor: spec.sampleRate == nil ? spec.path : nil)
        }
    }

    /// Decodes one file as `Dataset.sample` does (for `predict` on files outside any data set):
    /// a PNG as [C, H, W] in [0, 1]; audio as mono [1, frames] at `sampleRate` (the file's own
    /// when nil), resampled with soxr when its rate differs.
    ///
    ///     let s = try Dataset.decode(file: "a.wav", kind: .audio, sampleRate: 16000)
    public static func decode(file path: String, kind: SampleKind, sampleRate: Int?) throws -> Sample {
        try decode(path, kind: kind, sampleRate: sampleRate, strictFor: nil)
    }

    /// `strictFor` (a data set's YAML path): the data has no sample_rate, so a file at another
    /// rate is an error naming where to set one.
    private static func decode(_ path: String, kind: SampleKind, sampleRate: Int?, strictFor owner: String?) throws -> Sample {
        if kind == .image { return try Sample(image: ImageFile.read(path).pixels) }
        let audio = try AudioFile.read(path)
        var y = audio.mono()
        let target = sampleRate ?? audio.sampleRate
        if audio.sampleRate != target {
            if let owner {
                throw PerceptError.badInput(file: path, "\(audio.sampleRate) Hz, but the data's other files are \(target) Hz; set sample_rate in \(owner) to resample")
            }
            y = try Resampler.resample(y, from: audio.sampleRate, to: target)
        }
        return try Sample(audio: Tensor(unchecked: [1, y.count], data: y), sampleRate: target)
    }

    /// A stable key of the item's content for caching features: the SHA-256 (hex) of the file's
    /// bytes, or for an IDX item the images file's digest and `#index`. Each file is hashed once
    /// (memoised; safe to call from many threads).
    public func contentKey(_ item: DataItem) throws -> String {
        switch item.location {
        case let .file(p): return try fileKey(p)
        case let .idx(p, i): return try fileKey(p) + "#\(i)"
        }
    }

    private func fileKey(_ path: String) throws -> String {
        lock.lock()
        let known = fileKeys[path]
        lock.unlock()
        if let known { return known }
        // Hashed outside the lock so threads hash different files at once.
        let key = try SHA256.hex(file: path)
        lock.lock()
        fileKeys[path] = key
        lock.unlock()
        return key
    }

    /// Sorted class names: numerically when every one is a whole number.
    static func sortedClasses(_ names: Set<String>) -> [String] {
        let ints = names.compactMap { Int($0) }
        if ints.count == names.count { return names.sorted { (Int($0)!, $0) < (Int($1)!, $1) } }
        return names.sorted()
    }

    /// FNV-1a of the data's name, so two data sets under one seed draw different splits.
    static func stableHash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }
}
