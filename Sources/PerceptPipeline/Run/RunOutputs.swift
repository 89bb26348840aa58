import Foundation
import PerceptCore
import PerceptIO
import PerceptNN
import Yams

/// The run folder (`runs/<name>/`): `pipeline.yaml` (the resolved file), `metrics.json`, and per
/// model `models/<model>/model.safetensors`, `checkpoint.safetensors` (resumable) and
/// `history.csv`. Every file is written atomically, so a crash never leaves half of one.
///
///     let o = RunOutputs(directory: "runs/quickstart"); print(o.modelPath("digits_cnn"))
public struct RunOutputs: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    public var metricsPath: String { "\(directory)/metrics.json" }
    public var pipelinePath: String { "\(directory)/pipeline.yaml" }
    public func modelDirectory(_ m: String) -> String { "\(directory)/models/\(m)" }
    public func modelPath(_ m: String) -> String { "\(modelDirectory(m))/model.safetensors" }
    public func checkpointPath(_ m: String) -> String { "\(modelDirectory(m))/checkpoint.safetensors" }
    public func historyPath(_ m: String) -> String { "\(modelDirectory(m))/history.csv" }
    public func telemetryPath(_ m: String) -> String { "\(modelDirectory(m))/telemetry.json" }
    public func misclassifiedPath(_ m: String) -> String { "\(modelDirectory(m))/misclassified.npz" }
    public func tensorboardDirectory(_ m: String) -> String { "\(directory)/tensorboard/\(m)" }
    public var environmentPath: String { "\(directory)/environment.json" }
    public var reportPath: String { "\(directory)/report.html" }

    func prepare(models: [String]) throws {
        for m in models { try FileManager.default.createDirectory(atPath: modelDirectory(m), withIntermediateDirectories: true) }
    }

    /// The resolved file (after `--set`), with the seed and versions recorded.
    func writePipeline(_ spec: PipelineSpec) throws {
        var root = spec.resolved
        if root["seed"] == nil, var e = root.entries {
            e.insert(Value.Entry("seed", .of(Int(spec.seed))), at: min(1, e.count))
            root = Value(.map(e), origin: root.origin)
        }
        let header = "# Resolved by percept \(PerceptVersion.string) from \(spec.file) (overrides applied).\n"
        try AtomicFile.write(Data((header + root.yaml).utf8), to: pipelinePath)
    }

    /// Results already recorded (an earlier, interrupted run), by model.
    func readResults() throws -> [String: ModelResult] {
        guard let data = FileManager.default.contents(atPath: metricsPath) else { return [:] }
        guard let file = try? JSONDecoder().decode(MetricsFile.self, from: data) else {
            throw PerceptError.badInput(file: metricsPath, "is not a metrics file written by percept")
        }
        return file.models
    }

    /// Models that have no final model file yet.
    func unfinishedModels(_ names: [String]) throws -> [String] {
        let done = try readResults()
        return names.filter { done[$0] == nil || !FileManager.default.fileExists(atPath: modelPath($0)) }
    }

    func writeMetrics(pipeline: String, seed: UInt64, results: [(String, ModelResult)]) throws {
        guard !results.isEmpty else { return }
        var models: [String: ModelResult] = [:]
        for (n, r) in results { models[n] = r }
        let file = MetricsFile(pipeline: pipeline, seed: seed, perceptVersion: PerceptVersion.string, models: models)
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let object = try JSONSerialization.jsonObject(with: try enc.encode(file))
        try AtomicFile.write(Data((RunOutputs.prettyJSON(object) + "\n").utf8), to: metricsPath)
    }
}

extension RunOutputs {
    /// Indented JSON with sorted keys, where lists of numbers or text stay on one line (a
    /// confusion matrix reads as a matrix).
    public static func prettyJSON(_ object: Any, indent: String = "") -> String {
        let inner = indent + "  "
        if let d = object as? [String: Any] {
            if d.isEmpty { return "{}" }
            let body = d.keys.sorted().map { "\(inner)\(scalar($0)): \(prettyJSON(d[$0]!, indent: inner))" }
            return "{\n" + body.joined(separator: ",\n") + "\n\(indent)}"
        }
        if let a = object as? [Any] {
            if a.allSatisfy({ !($0 is [Any]) && !($0 is [String: Any]) }) { return "[" + a.map(scalar).joined(separator: ", ") + "]" }
            return "[\n" + a.map { inner + prettyJSON($0, indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        }
        return scalar(object)
    }

    private static func scalar(_ v: Any) -> String {
        guard let d = try? JSONSerialization.data(withJSONObject: v, options: [.fragmentsAllowed, .withoutEscapingSlashes]) else { return "null" }
        return String(decoding: d, as: UTF8.self)
    }
}

/// `metrics.json`.
struct MetricsFile: Codable {
    let pipeline: String
    let seed: UInt64
    let perceptVersion: String
    let models: [String: ModelResult]
    enum CodingKeys: String, CodingKey { case pipeline, seed, perceptVersion = "percept_version", models }
}

/// A model's `history.csv`: one row per epoch, rewritten atomically after each.
struct HistoryLog {
    static let header = "epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds"
    let path: String
    private(set) var rows: [String] = []

    init(path: String) { self.path = path }

    /// Keeps the first `epochs` rows of the file on disk (a resumed run continues after them):
    /// only whole rows numbered 1, 2, … in order, so a file damaged outside Percept (a torn last
    /// line, a missing file) costs the rows from there on, never the resume.
    mutating func keep(epochs: Int) {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let fields = HistoryLog.header.split(separator: ",").count
        rows = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().prefix(epochs) {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            guard cells.count == fields, cells[0] == String(rows.count + 1), Double(cells[fields - 1]) != nil else { break }
            rows.append(String(line))
        }
    }

    /// Seconds of the rows kept from an earlier run.
    var earlierSeconds: Double { rows.compactMap { $0.split(separator: ",").last.flatMap { Double($0) } }.reduce(0, +) }

    mutating func append(_ r: EpochReport) {
        func f(_ x: Double?) -> String { x.map { String(format: "%.6g", $0) } ?? "" }
        rows.append([String(r.epoch + 1), f(r.trainLoss), f(r.trainAccuracy), f(r.validation?.loss), f(r.validation?.accuracy),
                     String(format: "%.6g", Double(r.learningRate)), String(format: "%.3f", r.seconds)].joined(separator: ","))
    }

    func write() throws {
        try AtomicFile.write(Data((([HistoryLog.header] + rows).joined(separator: "\n") + "\n").utf8), to: path)
    }
}

extension Value {
    /// The value as compact JSON text (map keys sorted).
    public var json: String {
        guard let d = try? JSONSerialization.data(withJSONObject: jsonObject, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed]) else { return "null" }
        return String(decoding: d, as: UTF8.self)
    }

    /// The value as a YAML document, keys in their written order.
    public var yaml: String {
        (try? Yams.serialize(node: yamlNode, sortKeys: false)) ?? json
    }

    var yamlNode: Node {
        switch content {
        case .null: return Node("null", Tag(.null))
        case .bool(let b): return Node(b ? "true" : "false", Tag(.bool))
        case .int(let i): return Node(String(i), Tag(.int))
        case .float(let f): return Node(f.isFinite ? "\(f)" : (f.isNaN ? ".nan" : (f > 0 ? ".inf" : "-.inf")), Tag(.float))
        case .string(let s): return Node(s, Tag(.str), YAMLValue.needsQuotes(s) ? .singleQuoted : .plain)
        case .list(let items):
            let flow = items.allSatisfy { $0.entries == nil && $0.items == nil } && items.count <= 8
            return Node.sequence(Node.Sequence(items.map(\.yamlNode), Tag(.seq), flow ? .flow : .block))
        case .map(let entries):
            let flow = !entries.isEmpty && entries.count <= 4 && entries.allSatisfy { $0.value.entries == nil && $0.value.items == nil }
            return Node.mapping(Node.Mapping(entries.map { (Node($0.key), $0.value.yamlNode) }, Tag(.map), flow ? .flow : .block))
        }
    }
}

extension YAMLValue {
    /// True when plain text would read back as another type (`true`, `1.5`, `~`) or break the syntax.
    static func needsQuotes(_ s: String) -> Bool {
        if s.isEmpty { return true }
        if let v = try? parse(s, file: ""), case .string(let back) = v.content, back == s { return s.contains(": ") || s.contains(" #") }
        return true
    }
}
