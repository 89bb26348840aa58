import Foundation
import PerceptCore
import PerceptNN
import XCTest

/// Training throughput of a one-layer LSTM / GRU (hidden 128, 100 frames × 40 features, batch 32,
/// linear head to 10 classes, Adam), for comparison with Fixtures/rnn/bench_torch.py. Not a timed
/// test: opt-in with `PERCEPT_BENCH=1 swift test -c release --filter RecurrentBenchmarkTests`.
final class RecurrentBenchmarkTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["PERCEPT_BENCH"] == "1", "set PERCEPT_BENCH=1 to run")
    }

    private func samplesPerSecond(_ cell: String, threads: Int, steps: Int = 30) throws -> Double {
        try Parallel.withThreads(threads) { try samplesPerSecond(cell, steps: steps) }
    }

    private func samplesPerSecond(_ cell: String, steps: Int) throws -> Double {
        let model = try Sequential([LayerSpec(cell, ["hidden_size": "128"]), LayerSpec("dense", ["out_features": "10"])],
                                   inputShape: [100, 40], seed: 0)
        let loss = try LossRegistry.make("cross_entropy"), opt = try OptimizerRegistry.make("adam", ["lr": "0.001"])
        let params = model.namedParameters
        let x = randomValues(32 * 100 * 40, seed: 1)
        let y = (0..<32).map { Float($0 % 10) }
        var g = [Float](repeating: 0, count: 32 * 10)
        func step() {
            x.withUnsafeBufferPointer { xb in
                let out = model.forward(xb.baseAddress!, batch: 32, training: true, rng: RandomStream(seed: 0))
                _ = g.withUnsafeMutableBufferPointer { loss.compute(output: out, targets: y, batch: 32, width: 10, grad: $0.baseAddress!) }
                g.withUnsafeBufferPointer { model.backward($0.baseAddress!, batch: 32) }
                opt.update(params)
            }
        }
        for _ in 0..<5 { step() }
        var best = 0.0
        for _ in 0..<3 {
            let t = Date()
            for _ in 0..<steps { step() }
            best = max(best, Double(steps * 32) / Date().timeIntervalSince(t))
        }
        return best
    }

    func testPrintRecurrentTrainingThroughput() throws {
        // PERCEPT_BENCH_CELLS=lstm times one cell only (for profiling).
        let cells = ProcessInfo.processInfo.environment["PERCEPT_BENCH_CELLS"]?.split(separator: ",").map(String.init) ?? ["lstm", "gru"]
        for cell in cells {
            for threads in [1, 2] {
                let sps = try samplesPerSecond(cell, threads: threads)
                print("percept \(cell) threads=\(threads): \(Int(sps)) samples/s")
                XCTAssertGreaterThan(sps, 0)
            }
        }
    }
}
