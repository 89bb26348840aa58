import Foundation
import PerceptCore

/// One entry of a pipeline file's `data` section: what the samples are, where they come from
/// and how they are split. `Dataset.load` turns it into labelled items.
///
///     let spec = DataSpec.parse(root["data"]!["spoken"]!, name: "spoken", baseDirectory: ".", diagnostics: d)
public struct DataSpec: Sendable {
    public let name: String
    /// The YAML path for errors: `data.digits`.
    public let path: String
    /// `.image` (decoded to [C, H, W] in [0, 1]) or `.audio` (mono, [1, frames]).
    public let kind: SampleKind
    /// Audio: every clip is resampled to this rate when its own differs; nil → all clips must share one rate.
    public let sampleRate: Int?
    /// Part of `train` split off for validation (`validation_split` or `split.validation`).
    public let validationFraction: Double?
    /// Part of `train` split off for testing (`split.test`).
    public let testFraction: Double?
    /// A manifest column: all samples of one group (a speaker) go to the same split.
    public let groupBy: String?
    /// At most this many samples per class (a seeded choice, made before splitting).
    public let maxPerClass: Int?
    public let train: SourceSpec, validation: SourceSpec?, test: SourceSpec?
    /// Field names with their place in the file, by resolved path or by key (`train.manifest.path_column`).
    let origins: [String: String]

    static let keys = ["kind", "sample_rate", "train", "validation", "test", "split", "validation_split", "group_by", "max_per_class"]

    /// A spec for library use (paths as given; fractions in (0, 1)).
    ///
    ///     let spec = try DataSpec(name: "spoken", kind: .audio, train: .folder("Samples/spoken"), sampleRate: 16000, validationFraction: 0.1)
    public init(name: String, kind: SampleKind, train: SourceSpec, validation: SourceSpec? = nil, test: SourceSpec? = nil,
                sampleRate: Int? = nil, validationFraction: Double? = nil, testFraction: Double? = nil,
                groupBy: String? = nil, maxPerClass: Int? = nil) throws {
        self.init(name: name, kind: kind, sampleRate: sampleRate, validationFraction: validationFraction, testFraction: testFraction,
                  groupBy: groupBy, maxPerClass: maxPerClass, train: train, validation: validation, test: test, origins: [:])
        let d = Diagnostics()
        check(d)
        try d.throwIfAny()
    }

    init(name: String, kind: SampleKind, sampleRate: Int?, validationFraction: Double?, testFraction: Double?, groupBy: String?,
         maxPerClass: Int?, train: SourceSpec, validation: SourceSpec?, test: SourceSpec?, origins: [String: String]) {
        self.name = name; path = "data.\(name)"; self.kind = kind; self.sampleRate = sampleRate
        self.validationFraction = validationFraction; self.testFraction = testFraction; self.groupBy = groupBy
        self.maxPerClass = maxPerClass; self.train = train; self.validation = validation; self.test = test; self.origins = origins
    }

    /// A field of this spec as errors name it: `data.spoken.split.test (line 12, column 11)`.
    func field(_ key: String) -> String { origins[key] ?? "\(path).\(key)" }

    /// Checks that hold between fields (also for specs built in Swift).
    func check(_ d: Diagnostics) {
        if kind != .image && kind != .audio {
            d.record(.invalidArgument(field: field("kind"), "'\(kind.rawValue)' is not one of image, audio"))
        }
        if let r = sampleRate {
            if kind != .audio { d.record(.invalidArgument(field: field("sample_rate"), "is only for audio data")) }
            if r <= 0 { d.record(.invalidArgument(field: field("sample_rate"), "must be > 0, got \(r)")) }
        }
        for (key, f) in [("split.validation", validationFraction), ("split.test", testFraction)] {
            if let f, !(f > 0 && f < 1) { d.record(.invalidArgument(field: field(key), "must be between 0 and 1 (exclusive), got \(Value.of(f))")) }
        }
        if let v = validationFraction, let t = testFraction, v > 0, t > 0, v + t >= 1 {
            d.record(.invalidArgument(field: field("split"), "validation \(Value.of(v)) + test \(Value.of(t)) leave no training data"))
        }
        if validationFraction != nil, validation != nil {
            d.record(.invalidArgument(field: field("split.validation"), "the data has a validation source already; give one or the other"))
        }
        if testFraction != nil, test != nil {
            d.record(.invalidArgument(field: field("split.test"), "the data has a test source already; give one or the other"))
        }
        if let m = maxPerClass, m < 1 { d.record(.invalidArgument(field: field("max_per_class"), "must be > 0, got \(m)")) }
        var trainSplitColumn: String?
        if case let .manifest(_, _, _, s) = train { trainSplitColumn = s }
        if groupBy != nil, !train.isManifest {
            d.record(.invalidArgument(field: field("group_by"), "needs a manifest train source (groups are a CSV column)"))
        }
        if trainSplitColumn != nil, validationFraction != nil || testFraction != nil {
            d.record(.invalidArgument(field: field("train.manifest.split_column"), "assigns the splits already; remove split / validation_split"))
        }
        for (key, s) in [("validation", validation), ("test", test)] {
            if case let .manifest(_, _, _, col) = s, col != nil {
                d.record(.invalidArgument(field: field("\(key).manifest.split_column"), "is only for the train source"))
            }
        }
    }

    /// Parses `data.NAME` from a pipeline file; every error goes to `diagnostics` (nil if any).
    /// Relative paths resolve against `baseDirectory` (the pipeline file's folder).
    ///
    ///     let spec = DataSpec.parse(value, name: "digits", baseDirectory: "Pipelines", diagnostics: d)
    public static func parse(_ value: Value, name: String, baseDirectory: String, diagnostics: Diagnostics) -> DataSpec? {
        let path = "data.\(name)"
        let before = diagnostics.errors.count
        let d = diagnostics
        guard let entries = value.entries else {
            d.record(.invalidArgument(field: path + value.origin.suffix, "expected a mapping with kind and train, got \(value)"))
            return nil
        }
        var origins: [String: String] = [:]
        for e in entries {
            origins[e.key] = "\(path).\(e.key)" + e.value.origin.suffix
            if !keys.contains(e.key) {
                d.record(.invalidArgument(field: "\(path).\(e.key)" + e.keyOrigin.suffix, "unknown key\(didYouMean(e.key, in: keys))"))
            }
        }
        func int(_ key: String) -> Int? {
            guard let v = value[key], !v.isNull else { return nil }
            guard let i = Parameters.int(v) else { d.record(.invalidArgument(field: origins[key]!, "'\(v)' is not an integer")); return nil }
            return i
        }
        func fraction(_ v: Value, _ field: String) -> Double? {
            guard let f = Parameters.float(v), !f.isNaN else { d.record(.invalidArgument(field: field, "'\(v)' is not a number")); return nil }
            guard f > 0 && f < 1 else { d.record(.invalidArgument(field: field, "must be between 0 and 1 (exclusive), got \(v)")); return nil }
            return Double(v.scalarText.flatMap(Double.init) ?? Double(f))
        }

        var kind: SampleKind?
        if let k = value["kind"] {
            let kinds = ["image", "audio"]
            if let t = k.scalarText, kinds.contains(t) { kind = SampleKind(rawValue: t) } else {
                d.record(.invalidArgument(field: origins["kind"]!, "'\(k)' is not one of image, audio\(didYouMean(k.scalarText ?? "", in: kinds))"))
            }
        } else {
            d.record(.invalidArgument(field: path + value.origin.suffix, "'kind' is required (image or audio)"))
        }
        let sampleRate = int("sample_rate")
        let maxPerClass = int("max_per_class")

        var validationFraction: Double?, testFraction: Double?
        if let v = value["validation_split"], !v.isNull { validationFraction = fraction(v, origins["validation_split"]!) }
        if let s = value["split"], !s.isNull {
            if let m = s.entries {
                for e in m {
                    let f = "\(path).split.\(e.key)"
                    origins["split.\(e.key)"] = f + e.value.origin.suffix
                    guard ["validation", "test"].contains(e.key) else {
                        d.record(.invalidArgument(field: f + e.keyOrigin.suffix, "unknown key\(didYouMean(e.key, in: ["validation", "test"]))")); continue
                    }
                    let x = fraction(e.value, origins["split.\(e.key)"]!)
                    if e.key == "test" { testFraction = x } else if value["validation_split"] != nil {
                        d.record(.invalidArgument(field: origins["split.validation"]!, "validation_split says this already; give one or the other"))
                    } else { validationFraction = x }
                }
                if m.isEmpty { d.record(.invalidArgument(field: origins["split"]!, "expected {validation: FRACTION, test: FRACTION}")) }
            } else {
                d.record(.invalidArgument(field: origins["split"]!, "expected {validation: FRACTION, test: FRACTION}, got \(s)"))
            }
        }
        if origins["split.validation"] == nil, let v = origins["validation_split"] { origins["split.validation"] = v }

        var groupBy: String?
        if let g = value["group_by"], !g.isNull {
            if let t = g.scalarText, !t.isEmpty { groupBy = t } else { d.record(.invalidArgument(field: origins["group_by"]!, "expected a column name, got \(g)")) }
        }

        var sources: [String: SourceSpec] = [:]
        for key in ["train", "validation", "test"] {
            guard let v = value[key], !v.isNull else { continue }
            var found: [String: String] = [:]
            if let s = SourceSpec.parse(v, field: "\(path).\(key)", base: baseDirectory, diagnostics: d, origins: &found) { sources[key] = s }
            for (k, f) in found { origins[k.hasPrefix("\(path).") ? String(k.dropFirst(path.count + 1)) : k] = f }
        }
        if value["train"]?.isNull ?? true { d.record(.invalidArgument(field: path + value.origin.suffix, "'train' is required")) }

        guard d.errors.count == before, let kind, let train = sources["train"] else { return nil }
        let spec = DataSpec(name: name, kind: kind, sampleRate: sampleRate, validationFraction: validationFraction, testFraction: testFraction,
                            groupBy: groupBy, maxPerClass: maxPerClass, train: train, validation: sources["validation"], test: sources["test"],
                            origins: origins)
        spec.check(d)
        return d.errors.count == before ? spec : nil
    }

    /// Every file and folder the spec names (so all missing ones can be listed before any work).
    public var inputPaths: [String] {
        var seen = Set<String>()
        return ([train] + [validation, test].compactMap { $0 }).flatMap(\.paths).filter { seen.insert($0).inserted }
    }

    /// One error per input that is missing or of the wrong type (a file where a folder belongs),
    /// naming the field and line that gave it; empty when all are there.
    ///
    ///     for e in spec.missingInputs() { diagnostics.record(e) }
    public func missingInputs() -> [PerceptError] {
        let folders = Set([train, validation, test].compactMap { s -> String? in
            if case let .folder(f)? = s { return f }; return nil
        })
        return inputPaths.compactMap { p in
            var isDir: ObjCBool = false
            let field = origins[p] ?? path, folder = folders.contains(p)
            if !FileManager.default.fileExists(atPath: p, isDirectory: &isDir) {
                return .badInput(file: p, "no such \(folder ? "folder" : "file") (\(field))")
            }
            if isDir.boolValue != folder {
                return .badInput(file: p, folder ? "not a folder (\(field))" : "is a folder, expected a file (\(field))")
            }
            return nil
        }
    }

    /// The spec as a pipeline file's value (paths as resolved; `validation_split` written as `split.validation`).
    public var value: Value {
        var m: [Value.Entry] = [.init("kind", .of(kind.rawValue))]
        if let sampleRate { m.append(.init("sample_rate", .of(sampleRate))) }
        m.append(.init("train", train.value))
        if let validation { m.append(.init("validation", validation.value)) }
        if let test { m.append(.init("test", test.value)) }
        var split: [Value.Entry] = []
        if let validationFraction { split.append(.init("validation", .of(validationFraction))) }
        if let testFraction { split.append(.init("test", .of(testFraction))) }
        if !split.isEmpty { m.append(.init("split", Value(.map(split)))) }
        if let groupBy { m.append(.init("group_by", .of(groupBy))) }
        if let maxPerClass { m.append(.init("max_per_class", .of(maxPerClass))) }
        return Value(.map(m))
    }

    /// `path` joined to `base` unless absolute, with `.` and `..` folded lexically
    /// (`Pipelines` + `../Samples/mnist` → `Samples/mnist`).
    static func resolve(_ path: String, against base: String) -> String {
        let joined = path.hasPrefix("/") || base.isEmpty || base == "." ? path : base + "/" + path
        let absolute = joined.hasPrefix("/")
        var parts: [Substring] = []
        for p in joined.split(separator: "/", omittingEmptySubsequences: true) {
            if p == "." { continue }
            if p == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            if p == "..", absolute { continue }
            parts.append(p)
        }
        let body = parts.joined(separator: "/")
        return absolute ? "/" + body : (body.isEmpty ? "." : body)
    }
}
