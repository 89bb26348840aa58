import Foundation
import PerceptCore
import PerceptIO

/// Runs one feature over a file, or over a directory tree in parallel (mirroring the tree,
/// one output per input), writing outputs atomically.
public struct ExtractRunner: Sendable {
    public let feature: any FeatureExtractor
    public let featureType: any FeatureExtractor.Type
    /// The options as parsed, for the shard manifest's configuration fingerprint.
    public let parameters: Parameters

    /// Validates the options once, before any file is touched.
    public init(featureName: String, options: [String]) throws {
        featureType = try FeatureRegistry.feature(named: featureName)
        parameters = try FeatureOptions.parse(options, for: featureType)
        feature = try featureType.init(parameters)
    }

    /// Every option by snake_case name with its value, given or default ("null" when it has neither),
    /// written canonically so that equal configurations give equal text.
    public var resolvedOptions: [String: String] {
        Dictionary(uniqueKeysWithValues: parameters.specs.map { ($0.name, parameters.value($0.name)?.canonical ?? "null") })
    }

    /// One file: extract, then write `output` (.npy or .npz as the feature produces) and,
    /// when asked, the picture for people.
    ///
    ///     try ExtractRunner(featureName: "mfcc", options: []).runFile(input: "a.wav", output: "a.npy")
    public func runFile(input: String, output: String, picture: String? = nil) throws {
        // Every destination is checked before any work, so a bad --png never follows a written -o.
        try FileChecks.requireOutputFile(output, field: "-o")
        if let picture {
            try FileChecks.requireOutputFile(picture, field: "--png")
            guard !FileChecks.samePath(picture, output) else {
                throw PerceptError.invalidArgument(field: "--png", "'\(picture)' is also the -o output; the picture would overwrite the features")
            }
        }
        // A long audio file is computed in parts, never held whole, unless the picture needs it.
        var sample: Sample?
        let result: FeatureOutput
        if picture == nil, let partwise = feature as? any PartwiseFeature,
           let r = try aboutFile(input, { try partwise.extractPartwise(path: input) }) {
            result = try checked(r, path: input)
        } else {
            let s = try feature.load(path: input)
            sample = s
            result = try compute(s, path: input)
        }
        let ext = URL(fileURLWithPath: output).pathExtension.lowercased()
        guard ext == result.fileExtension else {
            throw PerceptError.invalidArgument(field: "-o", "\(featureType.name) writes .\(result.fileExtension), but the output is named '\(output)'")
        }
        var image: Tensor?
        if picture != nil, let sample {
            // From the output and the sample already read: the file is read once.
            guard let p = try feature.picture(of: result, input: sample) else {
                throw PerceptError.invalidArgument(field: "--png", "\(featureType.name) has no picture")
            }
            image = p
        }
        try write(result, to: output)
        if let picture, let image { try ImageFile.write(image, to: picture) }
    }

    /// The feature of one loaded file, checked: an option that does not fit this file is an error
    /// about the file (`photo.png: --pixels-per-cell: a 100000 × 100000 cell is larger than the
    /// 512 × 512 image`), and an output holding inf or NaN is refused rather than written as success.
    func compute(_ sample: Sample, path: String) throws -> FeatureOutput {
        try checked(aboutFile(path) { try feature.extract(sample, path: path) }, path: path)
    }

    /// `body`, with an option that does not fit the file reported as an error about the file.
    private func aboutFile<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let PerceptError.invalidArgument(field, message) {
            throw PerceptError.badInput(file: path, "\(field): \(message)")
        }
    }

    /// The output, refused when it holds inf or NaN.
    private func checked(_ result: FeatureOutput, path: String) throws -> FeatureOutput {
        let arrays: [Tensor]
        switch result {
        case let .array(t): arrays = [t]
        case let .archive(items): arrays = items.map(\.1)
        }
        // A vectorised check first; the count for the message only when something is wrong.
        for t in arrays where !t.allFinite {
            let bad = t.withUnsafeBufferPointer { b in b.reduce(0) { $0 + ($1.isFinite ? 0 : 1) } }
            throw PerceptError.badInput(file: path, "the \(featureType.name) holds \(bad) infinite or NaN value\(bad == 1 ? "" : "s") (float32 overflow: samples near its 3.4e38 limit, or a --power too large); nothing written")
        }
        return result
    }

    /// Creates the output folder of a directory run, or refuses a path that is something else, once
    /// rather than once per input file.
    static func prepareOutputFolder(_ path: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            guard isDir.boolValue else {
                throw PerceptError.badInput(file: path, "exists and is not a folder; with a folder as INPUT, -o names the folder that receives one output per input file")
            }
            return
        }
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw PerceptError.runtime("\(path): cannot create the output folder (\((error as NSError).localizedDescription))")
        }
    }

    /// `path` without trailing slashes ("/" stays).
    static func trimmed(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
        return String(p)
    }

    /// Writes one output of a directory run and returns its SHA-256 when `digest` is asked for
    /// (shard manifests). An array goes out as header + the tensor's storage, without the copy
    /// that joining them would make.
    private func written(_ result: FeatureOutput, to path: String, by writer: AtomicWriter, digest: Bool) throws -> String? {
        switch result {
        case let .array(t):
            return try Npy.withParts(t) { head, data in
                try writer.write(head, then: data, to: path)
                guard digest else { return nil }
                var h = SHA256()
                h.update(head)
                h.update(data)
                return h.hex()
            }
        case let .archive(items):
            let bytes = try Npz.encode(items.map { ($0.0, NpyArray($0.1)) })
            try writer.write(bytes, to: path)
            return digest ? SHA256.hex(bytes) : nil
        }
    }

    private func write(_ result: FeatureOutput, to path: String) throws {
        switch result {
        case let .array(t): try Npy.save(t, to: path)
        case let .archive(items): try Npz.save(items, to: path)
        }
    }

    /// Counts of a directory run: `skipped` files are those the feature does not read (other kinds).
    /// `note`: a line for stderr about housekeeping (temporary files of a killed earlier run removed).
    /// `manifest`: where a shard (`--shard`) wrote its manifest.
    public struct Summary: Sendable { public var ok = 0; public var failed = 0; public var skipped = 0; public var note: String?; public var manifest: String? }

    /// Every matching file under `inputDir`, relative paths sorted.
    public func inputs(in inputDir: String) throws -> [String] {
        try DirectoryTree.files(under: inputDir, extensions: featureType.inputKind.extensions)
    }

    /// The summary line of a directory run: `40 ok, 0 failed, 53 skipped (not audio)`.
    public func describe(_ s: Summary) -> String { Self.describe(s, noun: featureType.inputKind.noun) }

    /// The summary line for files that are not `noun` (`audio`), shared with `percept merge`.
    public static func describe(_ s: Summary, noun: String) -> String {
        "\(s.ok) ok, \(s.failed) failed" + (s.skipped > 0 ? ", \(s.skipped) skipped (not \(noun))" : "")
    }

    /// A directory: every matching file becomes OUTDIR/same/relative/path.npy, in parallel.
    /// Failures are reported through `report` and skipped; `progress(done, total)` is called
    /// after each file (serialised). With `shard`, only that shard's inputs (`ShardSpec.positions`
    /// of the byte-ordered list, broken links included) are done, and a `ShardManifest` is written
    /// under OUTDIR/.percept-shards at the end.
    public func runDirectory(input: String, output: String, shard: ShardSpec? = nil,
                             report: @escaping @Sendable (String, Error?) -> Void,
                             progress: @escaping @Sendable (Int, Int) -> Void) throws -> Summary {
        var listing = try DirectoryTree.scan(under: input, extensions: featureType.inputKind.extensions)
        let skipped = listing.skipped
        guard !listing.files.isEmpty || !listing.broken.isEmpty else {
            let exts = featureType.inputKind.extensions.sorted().joined(separator: ", ")
            let others = skipped > 0 ? " (\(skipped) other file\(skipped == 1 ? "" : "s"))" : ""
            throw PerceptError.badInput(file: input, "no \(featureType.inputKind.rawValue) files (\(exts)) found\(others)")
        }
        // Shards cut the byte-ordered list, broken links included: they are inputs that fail.
        let ordered = shard == nil ? [] : ShardSpec.ordered(listing.files + listing.broken.map(\.path))
        if let shard {
            let mine = Set(shard.positions(of: ordered.count).map { ordered[$0] })
            listing.files = listing.files.filter(mine.contains)
            listing.broken = listing.broken.filter { mine.contains($0.path) }
        }
        let files = listing.files
        let inDir = ExtractRunner.trimmed(input), outDir = ExtractRunner.trimmed(output)
        try ExtractRunner.prepareOutputFolder(outDir)
        // Hidden temporary files a killed earlier run left where this one writes (SIGKILL cannot be caught).
        // Not by a shard: the others write into the same folders, from hosts whose process ids
        // this one cannot check; `percept merge` removes them once every shard is done.
        let removed = shard != nil ? 0 : TemporaryFiles.removeLeftovers(in: [outDir] + files.map { ((outDir + "/" + $0) as NSString).deletingLastPathComponent })
        // A rerun shard's earlier manifest goes first: until this run finishes, the shard is not done.
        if let shard { unlink(ShardManifest.path(in: outDir, index: shard.index, count: shard.count)) }
        let lock = NSLock()
        // Links that lead nowhere were meant as inputs: each is a failure with its line.
        var summary = Summary(failed: listing.broken.count, skipped: skipped, note: TemporaryFiles.note(removed: removed, in: outDir))
        var entries = [ShardManifest.Entry]()
        for b in listing.broken {
            let error = PerceptError.badInput(file: inDir + "/" + b.path, b.reason)
            report(inDir + "/" + b.path, error)
            if shard != nil { entries.append(.init(input: b.path, error: error.description)) }
        }
        // Dynamic hand-out: file sizes differ, and the cores may be shared.
        Parallel.forEachDynamic(count: files.count, state: { AtomicWriter() }, finish: { $0.finish() }) { writer, i in
            let rel = files[i]
            let src = inDir + "/" + rel
            // Listed files all end in a known extension, so the last dot starts it.
            let stem = rel[..<(rel.lastIndex(of: ".") ?? rel.endIndex)]
            var failure: Error?
            var entry = ShardManifest.Entry(input: rel)
            do {
                let result = try compute(feature.load(path: src), path: src)
                let out = stem + "." + result.fileExtension
                let digest = try written(result, to: outDir + "/" + out, by: writer, digest: shard != nil)
                if shard != nil { (entry.output, entry.sha256) = (out, digest) }
            } catch {
                failure = error
                entry.error = (error as? PerceptError)?.description ?? "\(src): \(error)"
            }
            lock.lock()
            if failure == nil { summary.ok += 1 } else { summary.failed += 1 }
            if shard != nil { entries.append(entry) }
            report(src, failure)
            progress(summary.ok + summary.failed - listing.broken.count, files.count)
            lock.unlock()
        }
        if let shard {
            summary.manifest = try ShardManifest(runner: self, shard: shard, ordered: ordered, summary: summary, files: entries).write(in: outDir)
        }
        return summary
    }
}
