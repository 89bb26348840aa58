import PerceptAugment

/// What the CLI shows about augmentation without importing PerceptAugment itself.
public enum AugmentPipeline {
    /// Every stage name AUG.yaml accepts.
    public static var stageNames: [String] { StageRegistry.shared.names }
}
