import Foundation
import PerceptCore
import PerceptIO

/// What one shard of a folder run did, written as JSON under OUT_DIR/.percept-shards when the
/// shard finishes: enough for `percept merge` to check that the shards belong together (same
/// feature and options, percept version, shard count and input list) and that each output on
/// disk is the one the shard wrote.
///
///     let m = try ShardManifest.read(from: "out/.percept-shards/shard-0002-of-0008.json")   // m.ok, m.files
public struct ShardManifest: Codable, Sendable, Equatable {
    /// One input of the shard: its output (relative to OUT_DIR) and the SHA-256 of the bytes
    /// written, or the error when it failed.
    public struct Entry: Codable, Sendable, Equatable {
        public var input: String
        public var output: String?
        public var sha256: String?
        public var error: String?

        public init(input: String, output: String? = nil, sha256: String? = nil, error: String? = nil) {
            self.input = input; self.output = output; self.sha256 = sha256; self.error = error
        }
    }

    public static let formatName = "percept-shard-manifest/1"
    /// The folder under OUT_DIR that holds the manifests; hidden, so no folder run lists it.
    public static let folder = ".percept-shards"

    public var format = formatName
    public var version: String
    public var feature: String
    /// Every option of the feature with its resolved value (the default where none was given).
    public var options: [String: String]
    /// SHA-256 of the feature name and `options`: equal when the configuration is.
    public var config: String
    public var index: Int
    public var count: Int
    /// How many inputs the whole run has, and the fingerprint of their ordered list.
    public var inputs: Int
    public var inputsSHA256: String
    public var ok: Int
    public var failed: Int
    /// Files of other kinds in the input tree (each shard sees them all).
    public var skipped: Int
    public var files: [Entry]

    public init(version: String, feature: String, options: [String: String], index: Int, count: Int,
                inputs: Int, inputsSHA256: String, skipped: Int, files: [Entry]) {
        self.version = version; self.feature = feature; self.options = options
        config = Self.fingerprint(feature: feature, options: options)
        self.index = index; self.count = count; self.inputs = inputs; self.inputsSHA256 = inputsSHA256
        self.skipped = skipped
        self.files = files.sorted { $0.input.utf8.lexicographicallyPrecedes($1.input.utf8) }
        ok = files.count { $0.error == nil }
        failed = files.count - ok
    }

    /// The manifest of a finished shard of `runner`'s folder run over the `ordered` input list.
    init(runner: ExtractRunner, shard: ShardSpec, ordered: [String], summary: ExtractRunner.Summary, files: [Entry]) {
        self.init(version: PerceptVersion.string, feature: runner.featureType.name, options: runner.resolvedOptions,
                  index: shard.index, count: shard.count, inputs: ordered.count, inputsSHA256: ShardSpec.fingerprint(ordered),
                  skipped: summary.skipped, files: files)
    }

    /// The file name of shard `index` of `count`: `shard-0002-of-0008.json`.
    public static func fileName(index: Int, count: Int) -> String {
        func padded(_ n: Int) -> String { let s = String(n); return String(repeating: "0", count: max(0, 4 - s.count)) + s }
        return "shard-\(padded(index))-of-\(padded(count)).json"
    }

    /// Where shard `index` of `count` keeps its manifest under `outputDir`.
    public static func path(in outputDir: String, index: Int, count: Int) -> String {
        outputDir + "/" + folder + "/" + fileName(index: index, count: count)
    }

    /// The configuration fingerprint of a feature and its resolved options.
    public static func fingerprint(feature: String, options: [String: String]) -> String {
        var h = SHA256()
        h.update(feature + "\u{0}")
        for key in options.keys.sorted() { h.update(key + "=" + (options[key] ?? "") + "\u{0}") }
        return h.hex()
    }

    /// Writes the manifest atomically as OUT_DIR/.percept-shards/shard-IIII-of-NNNN.json; returns its path.
    @discardableResult
    public func write(in outputDir: String) throws -> String {
        let path = Self.path(in: outputDir, index: index, count: count)
        try write(to: path)
        return path
    }

    /// Writes the manifest atomically to `path` (a pipeline's cache shards keep theirs per pipeline).
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(self), to: path)
    }

    /// The `feature` of a pipeline's cache shards (`pipeline quickstart`): their options are the
    /// cached chain prefixes, named `data/chain`, not a feature's flags.
    static func pipelineFeature(_ name: String) -> String { "pipeline " + name }

    /// How an option key reads in messages: `--n-mfcc` for a feature, `spoken/logmel` for a pipeline.
    func optionLabel(_ key: String) -> String { feature.hasPrefix("pipeline ") ? key : ParameterSpec.flag(key) }

    /// Reads a manifest; anything that is not one (other JSON, another format) is bad input naming the file.
    public static func read(from path: String) throws -> ShardManifest {
        guard let data = FileManager.default.contents(atPath: path) else { throw PerceptError.badInput(file: path, "cannot read") }
        let m: ShardManifest
        do { m = try JSONDecoder().decode(ShardManifest.self, from: data) } catch {
            throw PerceptError.badInput(file: path, "not a percept shard manifest (\(error.localizedDescription))")
        }
        guard m.format == formatName else { throw PerceptError.badInput(file: path, "format '\(m.format)', expected '\(formatName)'") }
        // Slurm's largest array is about 4 million tasks; a count far beyond is an edited file.
        guard m.count > 0, m.count <= 10_000_000, m.index >= 0, m.index < m.count else {
            throw PerceptError.badInput(file: path, "shard \(m.index) of \(m.count) is not a valid shard")
        }
        return m
    }
}
