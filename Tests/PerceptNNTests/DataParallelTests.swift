import Foundation
import PerceptCore
import PerceptNN
import XCTest

/// Data-parallel training between threads (`LocalCollective`): the trainer's side of
/// `mpirun -np K percept run`, checked against one process with the same global batch.
final class DataParallelTests: XCTestCase {
    /// The small net without dropout: dropout draws one stream per rank, so only nets without
    /// it can match a single process step for step.
    static let net: [LayerSpec] = [
        LayerSpec("conv2d", ["out_channels": "4", "kernel_size": "3", "padding": "1"]), LayerSpec("relu"),
        LayerSpec("maxpool2d", ["kernel_size": "2"]), LayerSpec("flatten"), LayerSpec("dense", ["out_features": "3"]),
    ]

    struct Outcome { let weights: [[Float]]; let reports: [EpochReport] }

    /// Trains `net` on toy data, in one process (`ranks` 1) or over `ranks` threads; returns each
    /// rank's final weights and epoch reports. Rank r > 0 initialises with another seed, so only
    /// the broadcast of rank 0's weights can make them agree.
    func train(ranks: Int, epochs: Int = 3, batch: Int = 10, optimizer: String = "adam", validation: Double = 0.2) throws -> [Outcome] {
        let (x, y) = CheckpointTests.toyData(47, seed: 3)
        let world: [LocalCollective?] = ranks == 1 ? [nil] : LocalCollective.world(ranks)
        let outcomes = Shared([Outcome?](repeating: nil, count: world.count))
        let failures = Shared([Error]())
        Self.onThreads(world.count) { r in
            do {
                let model = try Sequential(Self.net, inputShape: [1, 8, 8], seed: UInt64(11 + r))
                var o = TrainingOptions(); o.epochs = epochs; o.batchSize = batch; o.validationSplit = validation; o.seed = 5
                let t = Trainer(model: model, loss: try LossRegistry.make("cross_entropy"),
                                optimizer: try OptimizerRegistry.make(optimizer, ["lr": "0.01"]), options: o)
                t.collective = world[r]
                let reports = try t.fit(x, .classes(y))
                outcomes.update { $0[r] = Outcome(weights: model.snapshot(), reports: reports) }
            } catch {
                world[r]?.abandon()
                failures.update { $0.append(error) }
            }
        }
        if let e = failures.value.first { throw e }
        return outcomes.value.map { $0! }
    }

    /// A value threads update under a lock.
    final class Shared<T>: @unchecked Sendable {
        private let lock = NSLock()
        private var v: T
        init(_ v: T) { self.v = v }
        var value: T { lock.lock(); defer { lock.unlock() }; return v }
        func update(_ f: (inout T) -> Void) { lock.lock(); f(&v); lock.unlock() }
    }

    /// Runs `body(r)` for r in 0..<k on k threads of their own and waits for all: ranks block in
    /// each exchange until every rank arrives, so a pool narrower than k (GCD's, on 2 cores) would hang.
    static func onThreads(_ k: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let done = DispatchGroup()
        for r in 0..<k {
            done.enter()
            Thread { body(r); done.leave() }.start()
        }
        done.wait()
    }

    func testTwoRanksMatchOneProcessWithTheSameGlobalBatch() throws {
        let single = try train(ranks: 1)[0]
        let parallel = try train(ranks: 2)
        // Both ranks hold the same weights, bit for bit (every rank applies the same summed update).
        XCTAssertEqual(parallel[0].weights, parallel[1].weights)
        // And they are the single process's, to float reduction-order tolerance: the mean gradient is
        // (n₀/b)·mean₀ + (n₁/b)·mean₁ instead of one sum over b, so the last bits differ, and Adam
        // amplifies nothing here in 3 epochs of 4 steps.
        for (a, b) in zip(parallel[0].weights, single.weights) { assertClose(a, b, tol: 1e-4, "weights") }
        for (p, s) in zip(parallel[0].reports, single.reports) {
            XCTAssertEqual(p.trainLoss, s.trainLoss, accuracy: 1e-5)
            XCTAssertEqual(p.trainAccuracy, s.trainAccuracy)
            XCTAssertEqual(p.validation?.samples, s.validation?.samples)
            XCTAssertEqual(p.validation?.loss ?? 0, s.validation?.loss ?? 1, accuracy: 1e-5)
            XCTAssertEqual(p.validation?.classification?.confusion, s.validation?.classification?.confusion)
        }
    }

    func testThreeRanksWithUnevenSharesAndSGDMomentumMatchOneProcess() throws {
        // 38 training samples in batches of 10: shares 3/3/4 and a last batch of 8 (2/3/3).
        let single = try train(ranks: 1, optimizer: "sgd")[0]
        let parallel = try train(ranks: 3, optimizer: "sgd")
        XCTAssertEqual(parallel[0].weights, parallel[2].weights)
        for (a, b) in zip(parallel[1].weights, single.weights) { assertClose(a, b, tol: 1e-4, "weights") }
        XCTAssertEqual(parallel[2].reports.last?.trainLoss ?? 0, single.reports.last?.trainLoss ?? 1, accuracy: 1e-5)
    }

    func testARankWithNoShareOfASmallBatchStillTakesPart() throws {
        // Batches of 2 over 3 ranks: one rank has nothing in every step and contributes zeros.
        let single = try train(ranks: 1, epochs: 1, batch: 2, validation: 0)[0]
        let parallel = try train(ranks: 3, epochs: 1, batch: 2, validation: 0)
        for (a, b) in zip(parallel[0].weights, single.weights) { assertClose(a, b, tol: 1e-4, "weights") }
    }

    func testSlicesCoverTheBatchOnceInRankOrder() {
        for b in [1, 2, 7, 64, 65] {
            for k in [1, 2, 3, 8] {
                let parts = (0..<k).map { DataParallel.slice(b, rank: $0, of: k) }
                XCTAssertEqual(parts.first?.lowerBound, 0)
                XCTAssertEqual(parts.last?.upperBound, b)
                for (p, q) in zip(parts, parts.dropFirst()) { XCTAssertEqual(p.upperBound, q.lowerBound) }
                XCTAssertLessThanOrEqual(parts.map(\.count).max()! - parts.map(\.count).min()!, 1)
            }
        }
    }

    func testLocalSumsAreIdenticalOnEveryRankAndAFailedRankWakesTheOthers() throws {
        let world = LocalCollective.world(2)
        let results = Shared([[Float]](repeating: [], count: 2))
        Self.onThreads(2) { r in
            var v: [Float] = [Float(r) + 0.5, 1e-8 * Float(r + 1)]
            try? world[r].sum(&v, count: 2)
            results.update { $0[r] = v }
        }
        XCTAssertEqual(results.value[0], [2, 3e-8])
        XCTAssertEqual(results.value[0], results.value[1])
        let lonely = LocalCollective.world(2)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) { lonely[1].abandon() }
        var v: [Float] = [1]
        XCTAssertThrowsError(try lonely[0].sum(&v, count: 1))
    }
}
