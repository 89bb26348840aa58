import Foundation
import PerceptAugment
import PerceptCore
import Yams

/// Reads the AUG.yaml stage list (docs/augment.md) into an `AugmentationChain`.
///
/// The file is either a list of stages or a mapping whose `stages:` key holds that list (so a
/// pipeline file can embed it). A stage is a bare name or a one-key mapping of name to options;
/// list values (`[0.9, 1.1]`) become pairs:
///
///     stages:
///       - horizontal_flip
///       - random_crop: {padding: 4, padding_mode: reflect}
///       - gauss_noise: {p: 0.5, std_range: [0.01, 0.05]}
public enum AugmentConfig {
    /// Parses YAML text; `file` names the source in syntax errors.
    ///
    ///     let chain = try AugmentConfig.parse(yaml: "- horizontal_flip: {p: 1}", file: "aug.yaml")
    public static func parse(yaml text: String, file: String) throws -> AugmentationChain {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw PerceptError.badInput(file: file, "not valid YAML: \(oneLine(error))")
        }
        guard let root else { throw PerceptError.badInput(file: file, "is empty; expected a list of stages") }
        let list: Node.Sequence
        switch root {
        case let .sequence(seq): list = seq
        case let .mapping(map):
            for (k, _) in map where k.string != "stages" {
                let key = k.string ?? "?"
                let hint = closestName(to: key, in: ["stages"]).map { " (did you mean '\($0)'?)" } ?? ""
                throw PerceptError.invalidArgument(field: key, "unknown key in \(file)\(hint); the stage list goes under 'stages'")
            }
            guard let stages = map["stages"] else { throw PerceptError.badInput(file: file, "has no 'stages' list") }
            guard case let .sequence(seq) = stages else { throw PerceptError.badInput(file: file, "'stages' must be a list") }
            list = seq
        case .scalar, .alias:
            throw PerceptError.badInput(file: file, "expected a list of stages")
        }
        return try parse(stages: .sequence(list), file: file)
    }

    /// Parses an already-read stage list (a YAML sequence node), for files that embed one,
    /// such as pipeline files.
    ///
    ///     let chain = try AugmentConfig.parse(stages: augmentNode, file: "pipeline.yaml")
    public static func parse(stages node: Node, file: String) throws -> AugmentationChain {
        guard case let .sequence(list) = node else { throw PerceptError.badInput(file: file, "the stages must be a list") }
        var steps = [AugmentationChain.Step]()
        for (i, item) in list.enumerated() {
            let (name, values) = try stage(item, index: i + 1, file: file)
            steps.append(try StageRegistry.make(name, values: values))
        }
        return AugmentationChain(steps)
    }

    /// Reads and parses an AUG.yaml file.
    public static func load(_ path: String) throws -> AugmentationChain {
        guard FileManager.default.fileExists(atPath: path) else { throw PerceptError.badInput(file: path, "no such file") }
        guard let data = FileManager.default.contents(atPath: path) else { throw PerceptError.badInput(file: path, "cannot read") }
        guard let text = String(data: data, encoding: .utf8) else { throw PerceptError.badInput(file: path, "is not UTF-8 text") }
        return try parse(yaml: text, file: path)
    }

    /// One list item: `name` or `{name: {option: value, …}}` (options may be empty / null).
    static func stage(_ node: Node, index: Int, file: String) throws -> (String, [String: String]) {
        switch node {
        case let .scalar(s):
            return (s.string, [:])
        case let .mapping(map):
            guard map.count == 1, let (k, v) = map.first, let name = k.string else {
                throw PerceptError.badInput(file: file, "stage \(index): write one stage per list item, as `- name: {options}`")
            }
            switch v {
            case let .scalar(s) where ["", "~", "null", "Null", "NULL"].contains(s.string):
                return (name, [:])
            case let .mapping(opts):
                var values = [String: String]()
                for (ok, ov) in opts {
                    guard let key = ok.string else { throw PerceptError.badInput(file: file, "stage \(index) (\(name)): option names must be text") }
                    values[key] = try value(ov, field: "\(name).\(key)")
                }
                return (name, values)
            default:
                throw PerceptError.invalidArgument(field: name, "options must be a mapping such as {p: 0.5}")
            }
        default:
            throw PerceptError.badInput(file: file, "stage \(index): expected a stage name or `name: {options}`")
        }
    }

    /// A scalar as written, or a flat list joined by commas (`[0.9, 1.1]` → `0.9,1.1`).
    static func value(_ node: Node, field: String) throws -> String {
        switch node {
        case let .scalar(s): return s.string
        case let .sequence(seq):
            var parts = [String]()
            for n in seq {
                guard case let .scalar(s) = n else { throw PerceptError.invalidArgument(field: field, "list items must be numbers or words") }
                parts.append(s.string)
            }
            return parts.joined(separator: ",")
        default:
            throw PerceptError.invalidArgument(field: field, "expected a value or a list, not a mapping")
        }
    }

    private static func oneLine(_ error: Error) -> String {
        "\(error)".split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
    }
}
