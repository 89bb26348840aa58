import Foundation
import PerceptAugment
import PerceptCore
import PerceptNN

/// A pipeline file, parsed and checked: named data sets, named feature chains, and the models
/// trained on them (docs/pipelines.md). Every error of the file is collected, each naming its
/// YAML path and line, before anything is read or trained.
///
///     let spec = try PipelineSpec.load("Pipelines/quickstart.yaml", overrides: ["models.digits_cnn.train.epochs=1"])
public struct PipelineSpec: Sendable {
    /// The top-level keys (drive validation, the JSON Schema and docs/pipelines.md).
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("name", .string, doc: "the run's name; outputs go to runs/<name>/ unless `output` says otherwise"),
        ParameterSpec("seed", .int, default: 0, doc: "seeds every random draw: splits, weights, shuffling, augmentation"),
        ParameterSpec("data", .map, doc: "named data sets (see Data)"),
        ParameterSpec("features", .map, doc: "named feature chains: lists of stages, `[]` for the decoded input as it is"),
        ParameterSpec("models", .map, doc: "named models, each trained on one data set through one feature chain (see Models)"),
        ParameterSpec("exports", .map, doc: "named feature exports: a few samples' features written as .npy and pictures (see Exports)"),
        ParameterSpec("compare", .map, doc: "how `percept compare` judges the models: learning curve, perturbations, probes, projections (see Compare)"),
        ParameterSpec("output", .path, doc: "the run folder (default runs/<name>)"),
        ParameterSpec("cache", .path, default: "runs/.cache", doc: "where computed features are cached between runs"),
    ]

    /// The file the spec came from (`--set` overrides applied).
    public let file: String
    public let name: String
    public let seed: UInt64
    public let data: [DataSpec]
    public let features: [FeatureSpec]
    public let models: [ModelSpec]
    public let exports: [ExportSpec]
    /// The `compare:` section (defaults when absent).
    public let compare: CompareSpec
    /// The run folder (`--out` replaces it).
    public var output: String
    public let cache: String
    /// The whole file after overrides, as values (written to the run folder as pipeline.yaml).
    public let resolved: Value

    public func data(named n: String) -> DataSpec? { data.first { $0.name == n } }
    public func feature(named n: String) -> FeatureSpec? { features.first { $0.name == n } }

    /// Reads, overrides and checks a pipeline file; throws every error found (one per line).
    public static func load(_ path: String, overrides: [String] = [], baseDirectory: String? = nil) throws -> PipelineSpec {
        var root = try YAMLValue.load(path)
        for o in overrides { root = try Overrides.apply(o, to: root) }
        let base = baseDirectory ?? "."   // relative paths stay relative in messages
        let d = Diagnostics()
        let spec = parse(root, file: path, baseDirectory: base, diagnostics: d)
        try d.throwIfAny()
        return spec!
    }

    /// Checks a parsed file, recording every error in `diagnostics`; nil when there was any.
    /// Relative paths resolve against `baseDirectory` (the current directory for the CLI).
    public static func parse(_ root: Value, file: String, baseDirectory: String, diagnostics d: Diagnostics) -> PipelineSpec? {
        guard let entries = root.entries else {
            d.record(.badInput(file: file, "expected a mapping of name, seed, data, features and models at the top level\(root.origin.suffix)"))
            return nil
        }
        guard let top = checked(entries, specs: parameters, owner: "pipeline", path: "", origin: root.origin, diagnostics: d) else { return nil }
        let name = d.check { () -> String in
            guard let n = top.optionalString("name"), !n.isEmpty else { throw top.invalid("name", "is required (the run's name)") }
            guard n.range(of: "^[A-Za-z0-9][A-Za-z0-9_.-]*$", options: .regularExpression) != nil else {
                throw top.invalid("name", "'\(n)' must be letters, digits, '_', '-' or '.' (it names the run folder)")
            }
            return n
        }
        let seed = d.check { () -> UInt64 in
            let s = try top.int("seed", atLeast: 0)
            return UInt64(s)
        }

        var data: [DataSpec] = []
        if let v = top.value("data"), let items = d.check({ try section(v, "data") }) {
            for e in items {
                if let ds = DataSpec.parse(e.value, name: e.key, baseDirectory: baseDirectory, diagnostics: d) { data.append(ds) }
            }
        } else if top.value("data") == nil {
            d.record(top.invalid("data", "is required: name at least one data set"))
        }

        var features: [FeatureSpec] = []
        if let v = top.value("features"), let items = d.check({ try section(v, "features") }) {
            for e in items {
                if let f = d.check({ try FeatureSpec(name: e.key, value: e.value) }) { features.append(f) }
            }
        }

        // Models may only name data sets and chains the file has (checked by name here, by shape
        // once the data is read); names that failed to parse still count, so they are not reported twice.
        let dataNames = top.value("data")?.entries?.map(\.key) ?? []
        let featureNames = top.value("features")?.entries?.map(\.key) ?? []
        var models: [ModelSpec] = []
        if let v = top.value("models"), let items = d.check({ try section(v, "models") }) {
            for e in items {
                if let m = ModelSpec.parse(e.value, name: e.key, dataNames: dataNames, featureNames: featureNames, diagnostics: d) { models.append(m) }
            }
        }
        var exports: [ExportSpec] = []
        if let v = top.value("exports"), let items = d.check({ try section(v, "exports") }) {
            for e in items {
                if let x = ExportSpec.parse(e.value, name: e.key, dataNames: dataNames, featureNames: featureNames, diagnostics: d) { exports.append(x) }
            }
        }
        if top.value("models") == nil, top.value("exports") == nil {
            d.record(top.invalid("models", "is required: name at least one model (or an export)"))
        }

        let compare = CompareSpec.parse(top.value("compare"), diagnostics: d)
        let output = top.optionalString("output").map { resolve($0, base: baseDirectory) }
            ?? name.map { resolve("runs/\($0)", base: baseDirectory) } ?? ""
        let cache = resolve((try? top.string("cache")) ?? "runs/.cache", base: baseDirectory)
        guard d.isEmpty, let name, let seed else { return nil }
        return PipelineSpec(file: file, name: name, seed: seed, data: data, features: features, models: models, exports: exports, compare: compare,
                            output: output, cache: cache, resolved: root)
    }

    /// The known keys of a mapping as `Parameters`, each unknown key recorded as an error with
    /// the closest known one (all of them, where `Parameters` would stop at the first).
    static func checked(_ entries: [Value.Entry], specs: [ParameterSpec], owner: String, path: String, origin: Origin,
                        diagnostics d: Diagnostics) -> Parameters? {
        var known: [String: Value] = [:]
        for e in entries {
            if specs.contains(where: { $0.name == e.key }) { known[e.key] = e.value; continue }
            let field = (path.isEmpty ? e.key : "\(path).\(e.key)") + e.keyOrigin.suffix
            d.record(.invalidArgument(field: field, "unknown key\(didYouMean(e.key, in: specs.map(\.name)))"))
        }
        return d.check { try Parameters(owner: owner, specs: specs, values: known, path: path, origin: origin) }
    }

    /// A section that must be a mapping (`models.cnn`, `models.cnn.train`), checked as `checked` does.
    static func mapping(_ value: Value, specs: [ParameterSpec], owner: String, path: String, expected: String,
                        diagnostics d: Diagnostics) -> Parameters? {
        guard let entries = value.entries else {
            d.record(.invalidArgument(field: path + value.origin.suffix, "expected a mapping with \(expected)"))
            return nil
        }
        return checked(entries, specs: specs, owner: owner, path: path, origin: value.origin, diagnostics: d)
    }

    static func mapValues(_ entries: [Value.Entry]) -> [String: Value] {
        var out: [String: Value] = [:]
        for e in entries { out[e.key] = e.value }
        return out
    }

    /// A named section (`data`, `features`, `models`): a non-empty mapping.
    static func section(_ v: Value, _ key: String) throws -> [Value.Entry] {
        guard let e = v.entries else {
            throw PerceptError.invalidArgument(field: key + v.origin.suffix, "expected a mapping of names to \(key) entries, got \(v)")
        }
        guard !e.isEmpty else { throw PerceptError.invalidArgument(field: key + v.origin.suffix, "is empty") }
        return e
    }

    static func resolve(_ path: String, base: String) -> String {
        if path.hasPrefix("/") { return path }
        if path.hasPrefix("~/") { return NSString(string: path).expandingTildeInPath }
        return base == "." || base.isEmpty ? path : (base as NSString).appendingPathComponent(path)
    }
}

/// One named feature chain: stages in order from the decoded input to what the model sees.
/// Random stages run on training samples only.
public struct FeatureSpec: Sendable {
    public let name: String
    public let path: String
    /// The stage list as written (recorded in checkpoints so `predict` rebuilds the chain).
    public let items: Value
    public let chain: AugmentationChain

    /// Parses `features.NAME: [stage, ...]`.
    ///
    ///     let f = try FeatureSpec(name: "logmel", value: [["melspectrogram": ["n_mels": 64]]])
    public init(name: String, value: Value) throws {
        self.name = name
        path = "features.\(name)"
        let v = value.isNull ? Value(.list([]), origin: value.origin) : value
        items = v
        let steps = try StageRegistry.steps(v, path: path)
        if let b = steps.first(where: { if case .batch = $0 { return true } else { return false } }) {
            throw PerceptError.invalidArgument(field: path + v.origin.suffix,
                                               "\(b.name) mixes samples of a batch and cannot run in a feature chain yet; use it with `percept augment`")
        }
        chain = AugmentationChain(steps)
    }
}
