import Foundation
import PerceptCore
import PerceptNN
import XCTest

/// BatchNorm running statistics travel with the weights: checkpoints, restore-best and resume.
final class CheckpointBufferTests: XCTestCase {
    /// A small CNN with BatchNorm at the top level and inside a residual block.
    static let batchNormNet: [LayerSpec] = [
        LayerSpec("conv2d", ["out_channels": "4", "kernel_size": "3", "padding": "1"]), LayerSpec("batchnorm2d"),
        LayerSpec("relu"), LayerSpec("maxpool2d", ["kernel_size": "2"]), LayerSpec("flatten"),
        LayerSpec("residual", ["body": [["dense": ["out_features": 64]], "batchnorm1d"]]),
        LayerSpec("dense", ["out_features": "3"]),
    ]

    private func makeTrainer(seed: UInt64, epochs: Int, validationSplit: Double = 0.25, checkpoint: String? = nil,
                             earlyStopping: EarlyStopping? = EarlyStopping(monitor: "val_loss", patience: 50, restoreBest: true)) throws -> Trainer {
        let model = try Sequential(Self.batchNormNet, inputShape: [1, 8, 8], seed: seed)
        var o = TrainingOptions()
        o.epochs = epochs; o.batchSize = 10; o.seed = 21; o.validationSplit = validationSplit
        o.earlyStopping = earlyStopping
        o.checkpointPath = checkpoint
        return Trainer(model: model, loss: try LossRegistry.make("cross_entropy"),
                       optimizer: try OptimizerRegistry.make("adam", ["lr": "0.01"]), options: o)
    }

    private func buffers(_ model: Sequential) -> [String: [Float]] {
        Dictionary(uniqueKeysWithValues: model.namedBuffers.map { ($0.name, $0.param.value.array($0.param.count)) })
    }

    func testBuffersAreNamedByLayerIndexLikeParameters() throws {
        let model = try Sequential(Self.batchNormNet, inputShape: [1, 8, 8])
        XCTAssertEqual(model.namedBuffers.map(\.name),
                       ["1.running_mean", "1.running_var", "5.body.1.running_mean", "5.body.1.running_var"])
        XCTAssertEqual(model.namedState.count, model.namedParameters.count + 4)
    }

    func testCheckpointOfTrainedBatchNormModelReloadsToIdenticalEvalOutputs() throws {
        let dir = try temporaryDirectory(); defer { try? FileManager.default.removeItem(at: dir) }
        let (x, y) = CheckpointTests.toyData(43, seed: 5)
        let trainer = try makeTrainer(seed: 2, epochs: 2, validationSplit: 0, earlyStopping: nil)
        _ = try trainer.fit(x, .classes(y))
        let trained = trainer.model
        // Training moved the statistics away from their initial 0 / 1.
        XCTAssertTrue(buffers(trained)["1.running_mean"]?.contains { abs($0) > 1e-3 } ?? false)
        XCTAssertTrue(buffers(trained)["5.body.1.running_var"]?.contains { abs($0 - 1) > 1e-3 } ?? false)

        let modelPath = dir.appendingPathComponent("m.safetensors").path
        try Checkpoint.save(trained, to: modelPath)
        let file = try SafeTensors.read(modelPath)
        XCTAssertEqual(file.tensors["5.body.1.running_var"]?.storage, buffers(trained)["5.body.1.running_var"])
        let reloaded = try Checkpoint.loadModel(modelPath)
        XCTAssertEqual(buffers(reloaded), buffers(trained))
        XCTAssertEqual(try reloaded.predict(x), try trained.predict(x))

        // loadWeights into a fresh model of the same architecture, and the trainer's own checkpoint.
        let fresh = try Sequential(Self.batchNormNet, inputShape: [1, 8, 8], seed: 77)
        try Checkpoint.loadWeights(into: fresh, from: modelPath)
        XCTAssertEqual(try fresh.predict(x), try trained.predict(x))
        let runPath = dir.appendingPathComponent("run.safetensors").path
        try trainer.saveCheckpoint(to: runPath)
        let other = try makeTrainer(seed: 78, epochs: 2, validationSplit: 0, earlyStopping: nil)
        try other.loadCheckpoint(from: runPath)
        XCTAssertEqual(try other.predict(x), try trained.predict(x))
    }

    func testCheckpointWithoutRunningStatisticsIsAClearError() throws {
        let dir = try temporaryDirectory(); defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("old.safetensors").path
        let model = try Sequential(Self.batchNormNet, inputShape: [1, 8, 8])
        try SafeTensors.write(model.namedParameters.map { ($0.name, $0.param.tensor) }, metadata: [:], to: path)
        XCTAssertThrowsError(try Checkpoint.loadWeights(into: model, from: path)) { e in
            XCTAssertTrue("\(e)".contains("checkpoint has no tensor '1.running_mean'"), "\(e)")
        }
    }

    func testRestoreBestPutsBackTheBestEpochsRunningStatistics() throws {
        let (x, y) = CheckpointTests.toyData(40, seed: 2)
        // A min_delta nothing can beat: only the first epoch counts as an improvement.
        let t = try makeTrainer(seed: 3, epochs: 10, earlyStopping: EarlyStopping(monitor: "val_loss", patience: 2, minDelta: 1e9, restoreBest: true))
        var afterFirst: [String: [Float]] = [:], afterSecond: [String: [Float]] = [:]
        let model = t.model
        t.onEpoch.append { r in
            if r.epoch == 0 { afterFirst = self.buffers(model) }
            if r.epoch == 1 { afterSecond = self.buffers(model) }
        }
        let reports = try t.fit(x, .classes(y))
        XCTAssertEqual(reports.map(\.stopped), [false, false, true])
        XCTAssertNotEqual(afterSecond, afterFirst, "statistics moved after the best epoch")
        XCTAssertEqual(buffers(t.model), afterFirst)
    }

    func testResumedBatchNormTrainingEqualsUninterruptedRunBitForBit() throws {
        XCTAssertFalse(try makeTrainer(seed: 1, epochs: 1).model.namedBuffers.isEmpty)
        try CheckpointTests.assertResumedRunEqualsUninterrupted { try self.makeTrainer(seed: $0, epochs: $1, checkpoint: $2) }
    }

    func testFinalTrainingBatchOfOneWithBatchNormIsAnErrorBeforeAnyStep() throws {
        let (x, y) = CheckpointTests.toyData(41, seed: 4)
        let t = try makeTrainer(seed: 1, epochs: 1, validationSplit: 0, earlyStopping: nil)
        let before = t.model.snapshot()
        var steps = 0
        t.onStep.append { _ in steps += 1 }
        XCTAssertThrowsError(try t.fit(x, .classes(y))) { e in
            let text = "\(e)"
            XCTAssertTrue(text.hasPrefix("layer 5 (residual): body layer 1 (batchnorm1d): training needs more than one value per channel"), text)
            XCTAssertTrue(text.contains("the last batch holds 1 of 41 samples at batch size 10"), text)
        }
        XCTAssertEqual(steps, 0)
        XCTAssertEqual(t.model.snapshot(), before)
        // 42 samples leave a last batch of 2: fine.
        let (x2, y2) = CheckpointTests.toyData(42, seed: 4)
        XCTAssertEqual(try t.fit(x2, .classes(y2)).count, 1)
    }
}
