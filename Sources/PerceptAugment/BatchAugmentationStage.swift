import PerceptCore

/// Samples with their labels (one-hot or soft label vectors), as batch stages see them.
///
///     var batch = Batch(samples: images, labels: oneHots)
public struct Batch: Sendable, Equatable {
    public var samples: [Sample]
    public var labels: [Tensor]
    public init(samples: [Sample], labels: [Tensor]) {
        self.samples = samples; self.labels = labels
    }
}

/// A stage that sees many samples and labels at once (mixup, cutmix); like `AugmentationStage`
/// it draws its parameters in one step and applies them in another.
///
///     let mixup = try Mixup(alpha: 0.4)
///     let params = mixup.draw(rng: &rng, count: batch.samples.count, shape: batch.samples[0].shape)
///     try mixup.apply(params, to: &batch)
public protocol BatchAugmentationStage: Sendable, Component {
    associatedtype Params: Codable & Sendable & Equatable
    /// Probability that the stage runs on a batch.
    var p: Float { get }
    init(_ params: Parameters) throws
    func draw(rng: inout RandomStream, count: Int, shape: SampleShape) -> Params
    func apply(_ params: Params, to batch: inout Batch) throws
}

extension BatchAugmentationStage {
    func drawRecord(_ stream: RandomStream, count: Int, shape: SampleShape) -> StageDraw {
        var r = stream
        guard r.uniform() < p else { return StageDraw(stage: Self.name, applied: false, params: nil) }
        return StageDraw(stage: Self.name, applied: true, params: draw(rng: &r, count: count, shape: shape))
    }

    /// Checks, draws (with the `p` gate) and applies in one go.
    func run(_ stream: RandomStream, on batch: inout Batch) throws {
        try checkBatch(batch)
        guard let first = batch.samples.first else { return }
        var r = stream
        guard r.uniform() < p else { return }
        let params = draw(rng: &r, count: batch.samples.count, shape: first.shape)
        try apply(params, to: &batch)
    }

    func applyRecord(_ record: StageDraw, to batch: inout Batch) throws {
        guard record.stage == Self.name else {
            throw PerceptError.invalidArgument(field: Self.name, "the replayed record is for stage '\(record.stage)'")
        }
        guard record.applied else { return }
        guard let params = record.params as? Params else {
            throw PerceptError.invalidArgument(field: Self.name, "the replayed record has no parameters")
        }
        try apply(params, to: &batch)
    }

    /// Checks that the batch can be mixed: equal shapes, one label per sample, equal label sizes.
    func checkBatch(_ batch: Batch) throws {
        guard batch.labels.count == batch.samples.count else {
            throw PerceptError.invalidArgument(field: Self.name, "\(batch.samples.count) samples but \(batch.labels.count) labels")
        }
        guard let first = batch.samples.first else { return }
        for s in batch.samples where s.data.shape != first.data.shape {
            throw PerceptError.invalidArgument(field: Self.name, "samples must share one shape to be mixed, got \(first.data.shape) and \(s.data.shape)")
        }
        for l in batch.labels where l.shape != batch.labels[0].shape {
            throw PerceptError.invalidArgument(field: Self.name, "labels must share one shape, got \(batch.labels[0].shape) and \(l.shape)")
        }
    }
}
