import Foundation
import PerceptAugment
import PerceptCore

/// Reads the AUG.yaml stage list (docs/augment.md) into an `AugmentationChain`.
///
/// The file is either a list of stages or a mapping whose `stages:` key holds that list (so a
/// pipeline file can embed it). A stage — an augmentation stage or a transform
/// such as `fix_length` or `melspectrogram` — is a bare name or a one-key mapping of name to
/// options; list values (`[0.9, 1.1]`) become pairs:
///
///     stages:
///       - horizontal_flip
///       - random_crop: {padding: 4, padding_mode: reflect}
///       - gauss_noise: {p: 0.5, std_range: [0.01, 0.05]}
public enum AugmentConfig {
    /// Parses YAML text; `file` names the source in errors, which give line and column.
    ///
    ///     let chain = try AugmentConfig.parse(yaml: "- horizontal_flip: {p: 1}", file: "aug.yaml")
    public static func parse(yaml text: String, file: String) throws -> AugmentationChain {
        try parse(YAMLValue.parse(text, file: file), file: file)
    }

    /// Reads and parses an AUG.yaml file.
    public static func load(_ path: String) throws -> AugmentationChain {
        try parse(YAMLValue.load(path), file: path)
    }

    /// A stage list, or a mapping whose only key `stages` holds one (as embedded in other files).
    public static func parse(_ root: Value, file: String) throws -> AugmentationChain {
        if root.isNull { throw PerceptError.badInput(file: file, "is empty; expected a list of stages") }
        var list = root
        if let map = root.entries {
            for e in map where e.key != "stages" {
                throw PerceptError.invalidArgument(field: e.key + e.keyOrigin.suffix,
                                                   "unknown key in \(file)\(didYouMean(e.key, in: ["stages"])); the stage list goes under 'stages'")
            }
            guard let stages = root["stages"] else { throw PerceptError.badInput(file: file, "has no 'stages' list") }
            list = stages
        }
        guard list.items != nil else { throw PerceptError.badInput(file: file, "expected a list of stages") }
        return AugmentationChain(try StageRegistry.steps(list, path: "stages"))
    }
}
