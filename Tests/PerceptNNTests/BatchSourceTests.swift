import Foundation
import PerceptCore
import PerceptNN
import XCTest

final class BatchSourceTests: XCTestCase {
    /// Sample `i` of length `3 + i % 4` frames of 2 features: value 100·i + frame (+ epoch when augmenting).
    private func sequence(_ i: Int, epoch: Int?) -> Tensor {
        let len = 3 + i % 4
        let shift = Float(epoch ?? 0) * 0.5
        return Tensor(unchecked: [2, len], data: (0..<(2 * len)).map { Float(100 * i + $0 % len) + shift })
    }

    func testStreamingSourcePadsTheLengthAxisAndReturnsLengths() throws {
        let src = try StreamingSource(count: 5, sampleShape: [2, 6], targets: .classes([0, 1, 0, 1, 0]), lengthAxis: 1) { i, e in
            self.sequence(i, epoch: e)
        }
        var out = [Float](repeating: -1, count: 3 * 12)
        let lengths = try out.withUnsafeMutableBufferPointer { try src.fill([4, 1, 2], epoch: nil, into: $0.baseAddress!) }
        XCTAssertEqual(lengths, [3, 4, 5])
        // Sample 4: 3 frames of each feature row, then zeros up to 6.
        XCTAssertEqual(Array(out[0..<12]), [400, 401, 402, 0, 0, 0, 400, 401, 402, 0, 0, 0])
        XCTAssertEqual(Array(out[12..<18]), [100, 101, 102, 103, 0, 0])
        XCTAssertEqual(Array(out[24..<30]), [200, 201, 202, 203, 204, 0])
    }

    func testStreamingSourceGivesTheSameBatchOnOneAndTwoThreads() throws {
        let src = try StreamingSource(count: 40, sampleShape: [2, 6], targets: .classes([Int](repeating: 0, count: 40)), lengthAxis: 1) { i, e in
            self.sequence(i, epoch: e)
        }
        func batch(threads: Int) throws -> ([Float], [Int]?) {
            try Parallel.withThreads(threads) {
                var out = [Float](repeating: 0, count: 40 * 12)
                let l = try out.withUnsafeMutableBufferPointer { try src.fill(ArraySlice((0..<40).reversed()), epoch: 3, into: $0.baseAddress!) }
                return (out, l)
            }
        }
        let (a, la) = try batch(threads: 1), (b, lb) = try batch(threads: 2)
        XCTAssertEqual(a, b)
        XCTAssertEqual(la, lb)
        XCTAssertEqual(a[0], 3900 + 1.5, "epoch 3 reaches the producer")
    }

    func testWrongShapesAreErrorsNamingTheSample() throws {
        let fixed = try StreamingSource(count: 3, sampleShape: [4], targets: .classes([0, 0, 0])) { i, _ in
            Tensor(unchecked: [i == 2 ? 5 : 4], data: [Float](repeating: 1, count: i == 2 ? 5 : 4))
        }
        var out = [Float](repeating: 0, count: 12)
        XCTAssertThrowsError(try out.withUnsafeMutableBufferPointer { try fixed.fill([0, 1, 2], epoch: nil, into: $0.baseAddress!) }) { e in
            XCTAssertEqual("\(e)", "sample 2: has shape [5], expected [4]")
        }
        let long = try StreamingSource(count: 1, sampleShape: [2, 2], targets: .classes([0]), lengthAxis: 1) { i, e in self.sequence(i, epoch: e) }
        XCTAssertThrowsError(try out.withUnsafeMutableBufferPointer { try long.fill([0], epoch: nil, into: $0.baseAddress!) }) { e in
            XCTAssertTrue("\(e)".hasPrefix("sample 0: has shape [2, 3]; expected [2, 2] with 1...2 along axis 1"), "\(e)")
        }
        XCTAssertThrowsError(try StreamingSource(count: 2, sampleShape: [3], targets: .classes([0])) { _, _ in Tensor(unchecked: [3], data: [0, 0, 0]) })
    }

    func testTrainingFromAStreamingSourceEqualsTrainingFromTheSameTensor() throws {
        let (x, y) = CheckpointTests.toyData(40, seed: 4)
        func trainer() throws -> Trainer {
            let model = try Sequential(CheckpointTests.smallNet, inputShape: [1, 8, 8], seed: 3)
            var o = TrainingOptions(); o.epochs = 2; o.batchSize = 8; o.validationSplit = 0.2; o.seed = 9
            return Trainer(model: model, loss: try LossRegistry.make("cross_entropy"), optimizer: try OptimizerRegistry.make("adam"), options: o)
        }
        let a = try trainer(), b = try trainer()
        let ra = try a.fit(x, .classes(y))
        let stream = try StreamingSource(count: 40, sampleShape: [1, 8, 8], targets: .classes(y)) { i, _ in
            Tensor(unchecked: [1, 8, 8], data: Array(x.storage[(i * 64)..<((i + 1) * 64)]))
        }
        let rb = try b.fit(stream)
        XCTAssertEqual(ra.map(\.trainLoss), rb.map(\.trainLoss))
        XCTAssertEqual(ra.map { $0.validation?.loss }, rb.map { $0.validation?.loss })
        XCTAssertEqual(a.model.snapshot(), b.model.snapshot())
    }

    func testAugmentingSourceSeesTheEpochInTrainingAndNilInEvaluation() throws {
        let (x, y) = CheckpointTests.toyData(20, seed: 4)
        let seen = EpochLog()
        let src = try StreamingSource(count: 20, sampleShape: [1, 8, 8], targets: .classes(y)) { i, epoch in
            seen.add(epoch)
            return Tensor(unchecked: [1, 8, 8], data: Array(x.storage[(i * 64)..<((i + 1) * 64)]))
        }
        let model = try Sequential(CheckpointTests.smallNet, inputShape: [1, 8, 8])
        var o = TrainingOptions(); o.epochs = 2; o.batchSize = 5; o.validationSplit = 0.25
        let t = Trainer(model: model, loss: try LossRegistry.make("cross_entropy"), optimizer: try OptimizerRegistry.make("sgd"), options: o)
        _ = try t.fit(src)
        // 15 training samples per epoch with epochs 0 and 1; 5 validation samples per epoch without one.
        XCTAssertEqual(seen.counts, [0: 15, 1: 15, -1: 10])
    }
}

/// Counts the epochs a producer was asked for (from several threads).
private final class EpochLog: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var counts: [Int: Int] = [:]
    func add(_ epoch: Int?) { lock.lock(); counts[epoch ?? -1, default: 0] += 1; lock.unlock() }
}
