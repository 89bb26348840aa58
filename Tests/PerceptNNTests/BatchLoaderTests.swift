import Foundation
import PerceptCore
import PerceptNN
import XCTest

/// `TrainingOptions.prefetch`: loading the next batch while this one trains changes nothing.
final class BatchLoaderTests: XCTestCase {
    /// Toy digits, "augmented" per epoch with noise keyed by sample and epoch, counting the loads.
    final class NoisySource: BatchSource, @unchecked Sendable {
        let base: StreamingSource
        let lock = NSLock()
        var loads = 0
        init(_ x: Tensor, _ y: [Int]) throws {
            let x = x.withUnsafeBufferPointer { Array($0) }
            base = try StreamingSource(count: y.count, sampleShape: [1, 8, 8], targets: .classes(y)) { i, epoch in
                var rng = RandomStream(seed: 99).split(UInt64(i)).split(UInt64((epoch ?? -1) + 1))
                let v = (0..<64).map { x[i * 64 + $0] + (epoch == nil ? 0 : rng.normal(mean: 0, std: 0.1)) }
                return Tensor(unchecked: [1, 8, 8], data: v)
            }
        }
        var count: Int { base.count }
        var sampleShape: [Int] { base.sampleShape }
        var targets: Targets { base.targets }
        var hasLengths: Bool { false }
        func fill(_ indices: ArraySlice<Int>, epoch: Int?, into dst: UnsafeMutablePointer<Float>) throws -> [Int]? {
            lock.lock(); loads += 1; lock.unlock()
            Thread.sleep(forTimeInterval: 0.001)   // a load that takes a while, so steps overlap it
            return try base.fill(indices, epoch: epoch, into: dst)
        }
    }

    func train(prefetch: Bool) throws -> ([[Float]], [EpochReport], Int) {
        let (x, y) = CheckpointTests.toyData(53, seed: 4)
        let source = try NoisySource(x, y)
        let model = try Sequential(CheckpointTests.smallNet, inputShape: [1, 8, 8], seed: 3)
        var o = TrainingOptions(); o.epochs = 3; o.batchSize = 8; o.validationSplit = 0.2; o.seed = 2; o.prefetch = prefetch
        let t = Trainer(model: model, loss: try LossRegistry.make("cross_entropy"), optimizer: try OptimizerRegistry.make("adam"), options: o)
        let reports = try t.fit(source)
        return (model.snapshot(), reports, source.loads)
    }

    func testPrefetchingTrainsBitIdenticallyToLoadingEachBatchInItsStep() throws {
        let (w1, r1, loads1) = try train(prefetch: false)
        let (w2, r2, loads2) = try train(prefetch: true)
        XCTAssertEqual(w1, w2)
        XCTAssertEqual(r1.map(\.trainLoss), r2.map(\.trainLoss))
        XCTAssertEqual(r1.map { $0.validation?.loss }, r2.map { $0.validation?.loss })
        // Every batch is loaded exactly once either way (42 training samples → 6 batches an epoch).
        XCTAssertEqual(loads1, loads2)
    }

    func testALoadThatFailsAheadFailsTheStepThatNeedsIt() throws {
        let (t, y) = CheckpointTests.toyData(40, seed: 4)
        let x = t.withUnsafeBufferPointer { Array($0) }
        let source = try StreamingSource(count: 40, sampleShape: [1, 8, 8], targets: .classes(y)) { i, _ in
            if i == 39 { throw PerceptError.badInput(file: "sample-39", "unreadable") }
            return Tensor(unchecked: [1, 8, 8], data: (0..<64).map { x[i * 64 + $0] })
        }
        let model = try Sequential(CheckpointTests.smallNet, inputShape: [1, 8, 8])
        var o = TrainingOptions(); o.epochs = 1; o.batchSize = 4; o.shuffle = false
        let trainer = Trainer(model: model, loss: try LossRegistry.make("cross_entropy"), optimizer: try OptimizerRegistry.make("sgd"), options: o)
        var steps = 0
        trainer.onStep.append { _ in steps += 1 }
        XCTAssertThrowsError(try trainer.fit(source)) { XCTAssertTrue("\($0)".contains("sample-39"), "\($0)") }
        XCTAssertEqual(steps, 9, "the nine batches before the failing one trained")
    }
}
