import Foundation
import PerceptAugment
import PerceptCore
import PerceptNN

/// The JSON Schema of pipeline files, generated from the same parameter specs that validate
/// them, so an editor (VS Code's YAML extension, say) completes and checks every key and every
/// component's options. `percept schema` prints it; Pipelines/schema.json is a copy kept current
/// by a test.
///
///     let text = PipelineSchema.json()   // draft-07, keys sorted
public enum PipelineSchema {
    /// The schema as an object tree (JSONSerialization types).
    public static func object() -> [String: Any] {
        var defs: [String: Any] = [:]
        defs["stage"] = componentItem(StageRegistry.shared.listed + TransformRegistry.shared.listed, allowClasses: false)
        defs["layer"] = componentItem(LayerRegistry.shared.listed, allowClasses: true)
        defs["layers"] = ["type": "array", "items": ["$ref": "#/definitions/layer"], "description": "a layer list; shapes are inferred"]
        defs["loss"] = componentItem(LossRegistry.shared.listed, allowClasses: false)
        defs["optimizer"] = componentItem(OptimizerRegistry.shared.listed, allowClasses: false)
        let scheduleOptions = options(ScheduleRegistry.shared.listed.first?.parameters ?? [], allowClasses: false)
        defs["schedule"] = ["oneOf": [["type": "string", "enum": (scheduleOptions["properties"] as? [String: Any])?["kind"].flatMap { ($0 as? [String: Any])?["enum"] } ?? []],
                                       scheduleOptions]]
        var data = options(DataSpec.parameters, allowClasses: false)
        data["required"] = ["kind", "train"]
        var dataProps = data["properties"] as? [String: Any] ?? [:]
        for key in ["train", "validation", "test"] { dataProps[key] = merged(["$ref": "#/definitions/source"], doc: DataSpec.parameters, key) }
        dataProps["split"] = ["type": "object", "additionalProperties": false, "description": doc(DataSpec.parameters, "split"),
                              "properties": ["validation": ["type": "number"], "test": ["type": "number"]]]
        data["properties"] = dataProps
        defs["data"] = data
        defs["source"] = ["type": "object", "minProperties": 1, "maxProperties": 1, "additionalProperties": false,
                          "properties": DataSpec.sourceSchemas, "description": "where samples come from: idx, folder or manifest"]
        var train = options(TrainSpec.parameters, allowClasses: false)
        var trainProps = train["properties"] as? [String: Any] ?? [:]
        trainProps["loss"] = merged(["$ref": "#/definitions/loss"], doc: TrainSpec.parameters, "loss")
        trainProps["optimizer"] = merged(["$ref": "#/definitions/optimizer"], doc: TrainSpec.parameters, "optimizer")
        trainProps["schedule"] = merged(["$ref": "#/definitions/schedule"], doc: TrainSpec.parameters, "schedule")
        trainProps["early_stopping"] = ["oneOf": [["type": "boolean"], options(TrainSpec.earlyStoppingParameters, allowClasses: false)],
                                        "description": doc(TrainSpec.parameters, "early_stopping")]
        train["properties"] = trainProps
        defs["train"] = train
        var model = options(ModelSpec.parameters, allowClasses: false)
        var modelProps = model["properties"] as? [String: Any] ?? [:]
        modelProps["layers"] = merged(["$ref": "#/definitions/layers"], doc: ModelSpec.parameters, "layers")
        modelProps["train"] = merged(["$ref": "#/definitions/train"], doc: ModelSpec.parameters, "train")
        modelProps["tensorboard"] = ["oneOf": [["type": "boolean"], options(TensorBoardSpec.parameters, allowClasses: false)],
                                     "description": doc(ModelSpec.parameters, "tensorboard")]
        model["properties"] = modelProps
        model["required"] = ["data", "layers"]
        defs["model"] = model

        var top = options(PipelineSpec.parameters, allowClasses: false)
        var props = top["properties"] as? [String: Any] ?? [:]
        props["data"] = ["type": "object", "minProperties": 1, "additionalProperties": ["$ref": "#/definitions/data"], "description": doc(PipelineSpec.parameters, "data")]
        props["features"] = ["type": "object", "additionalProperties": ["type": ["array", "null"], "items": ["$ref": "#/definitions/stage"]],
                             "description": doc(PipelineSpec.parameters, "features")]
        props["models"] = ["type": "object", "minProperties": 1, "additionalProperties": ["$ref": "#/definitions/model"], "description": doc(PipelineSpec.parameters, "models")]
        props["exports"] = ["type": "object", "additionalProperties": options(ExportSpec.parameters, allowClasses: false),
                            "description": doc(PipelineSpec.parameters, "exports")]
        var compare = options(CompareSpec.parameters, allowClasses: false)
        var compareProps = compare["properties"] as? [String: Any] ?? [:]
        compareProps["robustness"] = ["oneOf": [["const": false],
                                                ["type": "object", "additionalProperties": ["type": "array", "items": ["$ref": "#/definitions/stage"]]]],
                                      "description": doc(CompareSpec.parameters, "robustness")]
        compare["properties"] = compareProps
        props["compare"] = merged(compare, doc: PipelineSpec.parameters, "compare")
        top["properties"] = props
        top["required"] = ["name", "data"]
        top["$schema"] = "http://json-schema.org/draft-07/schema#"
        top["$id"] = "https://percept.dev/schema/pipeline-\(PerceptVersion.string).json"
        top["title"] = "Percept pipeline file"
        top["definitions"] = defs
        return top
    }

    /// The schema as indented JSON text with sorted keys.
    public static func json() -> String {
        let d = (try? JSONSerialization.data(withJSONObject: object(), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: d, as: UTF8.self) + "\n"
    }

    /// The field reference of docs/pipelines.md: one table per section, from the same specs
    /// (a test keeps the docs equal to it).
    public static func markdownFields() -> String {
        let sections: [(String, String, [ParameterSpec])] = [
            ("Top level", "", PipelineSpec.parameters),
            ("Data", "`data.NAME.`", DataSpec.parameters),
            ("Models", "`models.NAME.`", ModelSpec.parameters),
            ("Training", "`models.NAME.train.`", TrainSpec.parameters),
            ("Early stopping", "`models.NAME.train.early_stopping.`", TrainSpec.earlyStoppingParameters),
            ("TensorBoard", "`models.NAME.tensorboard.`", TensorBoardSpec.parameters),
            ("Exports", "`exports.NAME.`", ExportSpec.parameters),
            ("Compare", "`compare.`", CompareSpec.parameters),
        ]
        var out = ""
        for (title, prefix, specs) in sections {
            out += "### \(title)\n\n"
            if !prefix.isEmpty { out += "Keys under \(prefix)\n\n" }
            out += "| key | type | default | meaning |\n|---|---|---|---|\n"
            for p in specs {
                let cell = { (t: String) in t.replacingOccurrences(of: "|", with: "\\|") }
                out += "| `\(p.name)` | \(cell(p.typeText)) | \(p.defaultText.map { "`\($0)`" } ?? "") | \(cell(p.doc)) |\n"
            }
            out += "\n"
        }
        return out
    }

    static func doc(_ specs: [ParameterSpec], _ name: String) -> String { specs.first { $0.name == name }?.doc ?? "" }

    static func merged(_ schema: [String: Any], doc specs: [ParameterSpec], _ name: String) -> [String: Any] {
        var s = schema
        s["description"] = doc(specs, name)
        return s
    }

    /// An object whose keys are the specs (no others).
    static func options(_ specs: [ParameterSpec], allowClasses: Bool) -> [String: Any] {
        var props: [String: Any] = [:]
        for p in specs { props[p.name] = schema(p, allowClasses: allowClasses) }
        return ["type": "object", "properties": props, "additionalProperties": false]
    }

    /// One parameter: its type, choices, default and doc.
    static func schema(_ p: ParameterSpec, allowClasses: Bool) -> [String: Any] {
        var s: [String: Any]
        let int: [String: Any] = allowClasses ? ["oneOf": [["type": "integer"], ["const": "classes"]]] : ["type": "integer"]
        switch p.kind {
        case .int: s = int
        case .float: s = ["type": "number"]
        case .bool: s = ["type": "boolean"]
        case .string where p.name == "padding":
            // PyTorch's padding: 'same' / 'valid', an int, or a pair.
            s = ["oneOf": [["type": "string"], int, ["type": "array", "items": int, "minItems": 1, "maxItems": 2]]]
        case .string: s = ["type": ["string", "number", "boolean"]]   // text as written: `7` names a class too
        case .path: s = ["type": "string"]
        case .choice: s = ["enum": p.choices]
        case .intPair: s = ["oneOf": [int, ["type": "array", "items": int, "minItems": 2, "maxItems": 2]]]
        case .floatPair: s = ["oneOf": [["type": "number"], ["type": "array", "items": ["type": "number"], "minItems": 2, "maxItems": 2]]]
        case .list where !p.choices.isEmpty: s = ["type": "array", "items": ["enum": p.choices]]
        case .list: s = ["type": "array"]
        case .map: s = ["type": ["object", "string"]]
        case .layers: s = ["$ref": "#/definitions/layers"]
        }
        s["description"] = p.doc
        if let d = p.defaultValue, !d.isNull {
            // Defaults written as text in a spec (`"0.1"`) are typed here, as an editor expects.
            switch p.kind {
            case .int: s["default"] = Parameters.int(d).map { $0 as Any } ?? d.jsonObject
            case .float: s["default"] = Parameters.float(d).map { Double("\($0)") ?? Double($0) } as Any? ?? d.jsonObject
            case .bool: s["default"] = d.scalarText.map { $0 == "true" } as Any? ?? d.jsonObject
            default: s["default"] = d.jsonObject
            }
        }
        return s
    }

    /// A component list item: its name, or `{name: {options}}`.
    static func componentItem(_ infos: [Registry<Any>.Info], allowClasses: Bool) -> [String: Any] {
        var names: [String] = []
        var withOptions: [[String: Any]] = []
        for info in infos.sorted(by: { $0.name < $1.name }) {
            let all = [info.name] + info.aliases
            names += all
            var opts = options(info.parameters, allowClasses: allowClasses)
            opts["type"] = ["object", "null"]
            for n in all {
                withOptions.append(["type": "object", "properties": [n: opts], "required": [n], "additionalProperties": false,
                                    "description": info.summary])
            }
        }
        return ["oneOf": [["type": "string", "enum": names]] + withOptions]
    }
}
