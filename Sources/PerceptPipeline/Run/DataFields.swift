import PerceptCore

extension DataSpec {
    /// The keys of a `data.NAME` entry, for the JSON Schema and docs/pipelines.md (`DataSpec.parse`
    /// checks them).
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("kind", .choice, choices: ["image", "audio"], doc: "image: decoded to [C, H, W] float32 in [0, 1]; audio: mono float32 [1, frames]"),
        ParameterSpec("sample_rate", .int, doc: "audio: clips at another rate are resampled (soxr) to this; default: all clips must share one rate"),
        ParameterSpec("train", .map, doc: "the training source: {idx: {images, labels}}, {folder: DIR} or {manifest: CSV}"),
        ParameterSpec("validation", .map, doc: "a separate validation source (or split one off with `split` / `validation_split`)"),
        ParameterSpec("test", .map, doc: "a separate test source (or split one off with `split`)"),
        ParameterSpec("split", .map, doc: "{validation: F, test: F}: seeded splits of `train`, stratified by class (each class gets max(1, round(F × its count)))"),
        ParameterSpec("validation_split", .float, doc: "shorthand for split: {validation: F}"),
        ParameterSpec("group_by", .string, doc: "a manifest column (a speaker): all samples of one group land in the same split"),
        ParameterSpec("max_per_class", .int, doc: "keep at most N samples per class (a seeded choice, before splitting), for quick runs"),
    ]

    /// The three kinds of source, as JSON Schema properties.
    static var sourceSchemas: [String: Any] {
        [
            "idx": ["type": "object", "required": ["images", "labels"], "additionalProperties": false,
                    "properties": ["images": ["type": "string"], "labels": ["type": "string"]],
                    "description": "IDX files (MNIST's format, .gz or plain): images and labels"],
            "folder": ["type": "string", "description": "one sub-folder per class, named by the class; PNG for images, WAV/FLAC/OGG for audio; hidden files skipped"],
            "manifest": ["oneOf": [
                ["type": "string"],
                ["type": "object", "required": ["file"], "additionalProperties": false,
                 "properties": ["file": ["type": "string"], "path_column": ["type": "string", "default": "path"],
                                "label_column": ["type": "string", "default": "label"], "split_column": ["type": "string"]]],
            ], "description": "a CSV with path and label columns (paths relative to the CSV); optional split and group columns"],
        ]
    }
}
