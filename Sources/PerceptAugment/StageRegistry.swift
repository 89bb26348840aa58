import PerceptCore

/// Every augmentation stage by name: the YAML parser, `StageDraw` decoding, the docs and
/// `percept list` read it. Register your own stage to use it in AUG.yaml and replay files.
///
///     let step = try StageRegistry.make("gain", ["min_gain_db": -6])
public enum StageRegistry {
    public static let shared: Registry<AugmentationChain.Step> = {
        let r = Registry<AugmentationChain.Step>(kind: "augmentation stage")
        for t: any AugmentationStage.Type in [
            HorizontalFlip.self, VerticalFlip.self, RandomCrop.self, RandomResizedCrop.self, Rotate.self, Affine.self,
            RandomBrightnessContrast.self, RandomGamma.self, ColorJitter.self, GaussNoise.self, GaussianBlur.self,
            CoarseDropout.self, RandomErasing.self,
            Gain.self, AddGaussianSNR.self, AddBackgroundNoise.self, Shift.self, TimeStretch.self, PitchShift.self,
            PolarityInversion.self,
            FrequencyMasking.self, TimeMasking.self, TimeWarp.self,
        ] { r.register(t) }
        for t: any BatchAugmentationStage.Type in [Mixup.self, CutMix.self] { r.register(t) }
        return r
    }()

    /// Builds a stage from option values; an unknown name is rejected with the closest valid one.
    public static func make(_ name: String, _ values: [String: Value] = [:], path: String? = nil, origin: Origin = .code) throws -> AugmentationChain.Step {
        try shared.make(name, values, path: path, origin: origin)
    }
}

extension Registry where Product == AugmentationChain.Step {
    /// Registers a per-sample stage (listed with the kind of sample it takes).
    public func register(_ type: any AugmentationStage.Type) {
        func add<S: AugmentationStage>(_ t: S.Type) { register(t, detail: S.kind.rawValue) { .sample(try S($0)) } }
        add(type)
    }

    /// Registers a batch stage (mixup, cutmix).
    public func register(_ type: any BatchAugmentationStage.Type) {
        func add<S: BatchAugmentationStage>(_ t: S.Type) { register(t, detail: "batch") { .batch(try S($0)) } }
        add(type)
    }
}
