import PerceptCore

/// Every augmentation stage by name, in one place: the YAML parser, `StageDraw` decoding,
/// the docs and `--help` all read these lists.
///
///     let step = try StageRegistry.make("gain", values: ["min_gain_db": "-6"])
public enum StageRegistry {
    public static let sampleStages: [any AugmentationStage.Type] = [
        HorizontalFlip.self, VerticalFlip.self, RandomCrop.self, RandomResizedCrop.self, Rotate.self, Affine.self,
        RandomBrightnessContrast.self, RandomGamma.self, ColorJitter.self, GaussNoise.self, GaussianBlur.self,
        CoarseDropout.self, RandomErasing.self,
        Gain.self, AddGaussianSNR.self, AddBackgroundNoise.self, Shift.self, TimeStretch.self, PitchShift.self,
        PolarityInversion.self,
        FrequencyMasking.self, TimeMasking.self, TimeWarp.self,
    ]

    public static let batchStages: [any BatchAugmentationStage.Type] = [Mixup.self, CutMix.self]

    public static var names: [String] { sampleStages.map { $0.name } + batchStages.map { $0.name } }

    public static func sampleStage(named name: String) -> (any AugmentationStage.Type)? {
        sampleStages.first { $0.name == name }
    }

    public static func batchStage(named name: String) -> (any BatchAugmentationStage.Type)? {
        batchStages.first { $0.name == name }
    }

    /// The options of a stage, or nil for an unknown name.
    public static func parameters(of name: String) -> [ParameterSpec]? {
        sampleStage(named: name)?.parameters ?? batchStage(named: name)?.parameters
    }

    /// Builds a stage from option values (text, as written in YAML); an unknown name is
    /// rejected with the closest valid one.
    public static func make(_ name: String, values: [String: String]) throws -> AugmentationChain.Step {
        if let t = sampleStage(named: name) {
            return .sample(try t.init(Parameters(owner: name, specs: t.parameters, values: values, naming: .yaml)))
        }
        if let t = batchStage(named: name) {
            return .batch(try t.init(Parameters(owner: name, specs: t.parameters, values: values, naming: .yaml)))
        }
        let hint = closestName(to: name, in: names).map { " (did you mean '\($0)'?)" } ?? ""
        throw PerceptError.invalidArgument(field: name, "unknown augmentation stage\(hint)")
    }
}
