import Foundation
import PerceptCore
import PerceptNN

/// The learning curve of a comparison: every contender retrained from scratch on n training
/// samples per class (the same seeded subset for all), tested on the whole test split — where
/// hand-engineered features win on little data and where learned ones overtake.
///
///     let items = LearningCurve.subset(ds.train, perClass: 20, classes: 10, seed: 3)
enum LearningCurve {
    /// The first `n` items of each class in a seeded shuffle of `train` (so every voice or
    /// writer may appear, whatever order the split lists them in). Subsets are nested: the 5
    /// per class are among the 20.
    static func subset(_ train: [DataItem], perClass n: Int, classes: Int, seed: UInt64) -> [DataItem] {
        var rng = RandomStream(seed: seed).split(0x6C63)   // "lc": apart from every other draw of the seed
        var taken = [Int](repeating: 0, count: classes)
        var out: [DataItem] = []
        for i in rng.permutation(train.count) {
            let c = train[i].label
            guard c >= 0, c < classes, taken[c] < n else { continue }
            taken[c] += 1
            out.append(train[i])
        }
        return out
    }

    /// The fewest training samples of any class, and that class's index.
    static func smallestClass(_ train: [DataItem], classes: Int) -> (count: Int, index: Int) {
        var counts = [Int](repeating: 0, count: classes)
        for item in train where item.label >= 0 && item.label < classes { counts[item.label] += 1 }
        let i = counts.indices.min { counts[$0] < counts[$1] } ?? 0
        return (counts.isEmpty ? 0 : counts[i], i)
    }

    /// Trains a fresh copy of the plan's model (same layers, initialisation and training
    /// settings) on `items`, for at least `minSteps` optimizer steps, and returns its accuracy on
    /// `test`. No validation, early stopping or files: this point of the curve is one number.
    static func point(_ runner: PipelineRunner, _ p: ModelPlan, items: [DataItem], test: [DataItem], minSteps: Int,
                      perClass: Int) throws -> CompareRecord.CurvePoint {
        let t = p.spec.train
        let model = try Sequential(p.layers, inputShape: p.features.inputShape.dims, seed: runner.spec.seed)
        var o = TrainingOptions()
        let stepsPerEpoch = Swift.max(1, (items.count + t.batchSize - 1) / t.batchSize)
        o.epochs = Swift.max(t.epochs, (minSteps + stepsPerEpoch - 1) / stepsPerEpoch)
        o.batchSize = t.batchSize; o.seed = runner.spec.seed; o.clipNorm = t.clipNorm; o.evalBatchSize = t.evalBatchSize
        let trainer = Trainer(model: model, loss: try t.makeLoss(), optimizer: try t.makeOptimizer(), schedule: try t.makeSchedule(), options: o)
        let started = Date()
        _ = try Interrupts.cooperate { try trainer.fit(try runner.source(p, items)) }
        let seconds = Date().timeIntervalSince(started)
        let accuracy = try trainer.evaluate(try runner.source(p, test)).accuracy ?? 0
        return CompareRecord.CurvePoint(contender: p.spec.name, perClass: perClass, trainSamples: items.count, accuracy: accuracy,
                                        epochs: o.epochs, seconds: seconds)
    }
}
