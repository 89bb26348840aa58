import PerceptAudio
import PerceptCore
import PerceptVision

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
            Gain.self, AddGaussianSNR.self, AddColorNoise.self, AddBackgroundNoise.self, Shift.self, TimeStretch.self, PitchShift.self,
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

    /// Builds a chain step by name: an augmentation stage, else a transform from
    /// `TransformRegistry` (`fix_length`, `melspectrogram`…); an unknown name is rejected as an
    /// unknown augmentation stage with the closest one.
    ///
    ///     let mel = try StageRegistry.step("melspectrogram", ["n_mels": 64, "db": true])
    public static func step(_ name: String, _ values: [String: Value] = [:], path: String? = nil, origin: Origin = .code) throws -> AugmentationChain.Step {
        if shared.entry(named: name) == nil, TransformRegistry.shared.entry(named: name) != nil {
            return .transform(try TransformRegistry.shared.make(name, values, path: path, origin: origin))
        }
        return try shared.make(name, values, path: path, origin: origin)
    }

    /// Builds every item of a stage list (`[fix_length: {size: 16000}, gain, melspectrogram]`);
    /// items are named `path[i]` in errors.
    public static func steps(_ value: Value, path: String) throws -> [AugmentationChain.Step] {
        guard let items = value.items else {
            throw PerceptError.invalidArgument(field: path + value.origin.suffix, "expected a list of \(shared.kind)s, got \(value)")
        }
        return try items.enumerated().map { i, item in
            let (name, options) = try componentItem(item, path: "\(path)[\(i)]")
            return try step(name, options, path: "\(path)[\(i)]", origin: item.origin)
        }
    }
}

/// Every deterministic stage over samples by name — features as chainable stages (`spectrogram`,
/// `melspectrogram`, `mfcc`, `delta`, `hog`, `sobel`…), shape fixes (`fix_length`, `gray`,
/// `pyramid_level`, `resample`, `resize`, `center_crop`, `pad`, `flatten`), pooling (`stats_pool`) and scaling
/// (`normalize`, `standardize`). AUG.yaml chains take them beside augmentation stages. Register your own
/// transform to use it there too.
///
///     let mel = try TransformRegistry.make("melspectrogram", ["n_mels": 64])
public enum TransformRegistry {
    public static let shared: Registry<any Transform> = {
        let r = Registry<any Transform>(kind: "transform")
        for t: any Transform.Type in [
            FixLengthStage.self, SpectrogramStage.self, MelSpectrogramStage.self, MFCCStage.self, DeltaStage.self,
            GrayStage.self, SobelStage.self, HOGStage.self, PyramidLevelStage.self,
            ResampleStage.self, ResizeStage.self, CenterCropStage.self, PadStage.self, NormalizeStage.self, StandardizeStage.self,
            FlattenStage.self, StatsPoolStage.self,
        ] { r.register(t) }
        return r
    }()

    /// Builds a transform from option values; an unknown name is rejected with the closest valid one.
    public static func make(_ name: String, _ values: [String: Value] = [:], path: String? = nil, origin: Origin = .code) throws -> any Transform {
        try shared.make(name, values, path: path, origin: origin)
    }
}

extension Registry where Product == any Transform {
    /// Registers a transform (listed with the kinds of sample it takes).
    public func register(_ type: any Transform.Type) {
        func add<T: Transform>(_ t: T.Type) { register(t, detail: T.accepts.map(\.rawValue).joined(separator: ", ")) { try T($0) } }
        add(type)
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
        func add<S: BatchAugmentationStage>(_ t: S.Type) { register(t, detail: "batch stage") { .batch(try S($0)) } }
        add(type)
    }
}
