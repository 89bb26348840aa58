import PerceptCore
import PerceptNN
import XCTest

/// BatchNorm 1-D and 2-D: training and evaluation against PyTorch, running statistics,
/// finite differences, thread-count independence, precision far from zero, and the batch-of-one error.
final class BatchNormTests: XCTestCase {
    private func assertMatchesTorch(_ type: String, _ name: String, input: [Int], batch: Int,
                                    file: StaticString = #filePath, line: UInt = #line) throws {
        let (layer, out) = try buildLayer(type, [:], input: input)
        XCTAssertEqual(out, input, file: file, line: line)
        try RNNFixture.loadWeights(layer, name)
        let n = batch * Tensor.count(of: input)
        let (y, dx) = forwardBackward(layer, try RNNFixture.array(name + "_x"), try RNNFixture.array(name + "_dy"),
                                      batch: batch, outCount: n, inCount: n, training: true)
        assertClose(y, try RNNFixture.array(name + "_y"), tol: 2e-5, "\(name) training forward", file: file, line: line)
        assertClose(dx, try RNNFixture.array(name + "_dx"), tol: 5e-5, "\(name) dx", file: file, line: line)
        try RNNFixture.assertWeightGradients(layer, name, tol: 1e-4, file: file, line: line)
        let bn = try XCTUnwrap(layer as? any StatefulLayer)
        XCTAssertEqual(bn.buffers.map(\.name), ["running_mean", "running_var"], file: file, line: line)
        assertClose(bn.buffers[0].value.array(input[0]), try RNNFixture.array(name + "_running_mean"), tol: 2e-6, "\(name) running_mean", file: file, line: line)
        assertClose(bn.buffers[1].value.array(input[0]), try RNNFixture.array(name + "_running_var"), tol: 2e-6, "\(name) running_var", file: file, line: line)
        let yEval = forward(layer, try RNNFixture.array(name + "_x_eval"), batch: batch, count: n, training: false)
        assertClose(yEval, try RNNFixture.array(name + "_y_eval"), tol: 2e-5, "\(name) eval forward", file: file, line: line)
    }

    func testBatchNorm1DOnFeaturesMatchesTorch() throws {
        try assertMatchesTorch("batchnorm1d", "bn1d_flat", input: [4], batch: 6)
    }

    func testBatchNorm1DOnSequencesMatchesTorch() throws {
        try assertMatchesTorch("batchnorm1d", "bn1d_seq", input: [3, 5], batch: 4)
    }

    func testBatchNorm2DMatchesTorch() throws {
        try assertMatchesTorch("batchnorm2d", "bn2d", input: [2, 4, 5], batch: 3)
    }

    func testTrainingGradientsMatchFiniteDifferences() throws {
        let (l1, o1) = try buildLayer("batchnorm2d", [:], input: [2, 3, 2])
        try assertGradients(l1, input: [2, 3, 2], output: o1, batch: 2, training: true, atol: 3e-3)
        let (l2, o2) = try buildLayer("batchnorm1d", [:], input: [3])
        try assertGradients(l2, input: [3], output: o2, batch: 4, training: true, atol: 3e-3)
    }

    func testEvaluationGradientsMatchFiniteDifferences() throws {
        let (layer, out) = try buildLayer("batchnorm1d", [:], input: [2, 3])
        let bn = try XCTUnwrap(layer as? any StatefulLayer)
        bn.buffers[0].value.ptr[1] = 0.4
        bn.buffers[1].value.ptr[0] = 2.5
        try assertGradients(layer, input: [2, 3], output: out, batch: 2, training: false)
    }

    func testEvaluationDoesNotMoveRunningStatistics() throws {
        let (layer, _) = try buildLayer("batchnorm1d", [:], input: [2])
        let bn = try XCTUnwrap(layer as? any StatefulLayer)
        _ = forward(layer, [1, 2, 3, 4, 5, 6], batch: 3, count: 6, training: false)
        XCTAssertEqual(bn.buffers[0].value.array(2), [0, 0])
        XCTAssertEqual(bn.buffers[1].value.array(2), [1, 1])
        _ = forward(layer, [1, 2, 3, 4, 5, 6], batch: 3, count: 6, training: true)
        // mean (3, 4), unbiased variance 4: 0.9·prior + 0.1·batch.
        assertClose(bn.buffers[0].value.array(2), [0.3, 0.4], tol: 1e-6, "running_mean")
        assertClose(bn.buffers[1].value.array(2), [1.3, 1.3], tol: 1e-6, "running_var")
    }

    /// Output, input gradient, weight gradients and running statistics after a training step
    /// and an evaluation pass, all concatenated.
    private func trainingStep(threads: Int, input: [Int], batch: Int) throws -> [Float] {
        try Parallel.withThreads(threads) {
            let (layer, _) = try buildLayer("batchnorm2d", [:], input: input)
            let n = batch * Tensor.count(of: input)
            for (i, p) in layer.weights.enumerated() {   // γ, β away from 1, 0 so they matter
                for j in 0..<p.count { p.value.ptr[j] = Float(i) * 0.1 + 0.5 + 0.01 * Float(j) }
            }
            let x = randomValues(n, seed: 21, scale: 3).map { $0 + 2 }, dy = randomValues(n, seed: 22)
            let (y, dx) = forwardBackward(layer, x, dy, batch: batch, outCount: n, inCount: n, training: true)
            let bn = try XCTUnwrap(layer as? any StatefulLayer)
            let (yEval, dxEval) = forwardBackward(layer, dy, x, batch: batch, outCount: n, inCount: n, training: false)
            return y + dx + layer.weights.flatMap { $0.grad.array($0.count) } + bn.buffers.flatMap { $0.value.array($0.count) }
                + yEval + dxEval
        }
    }

    func testOneAndTwoThreadsGiveBitIdenticalResults() throws {
        // 1,050 positions: a full 1,024-value block, a vector tail and a scalar tail per plane;
        // 32 × 1,050 values a channel, enough that 2 threads do split the 4 channels.
        let shape = [4, 30, 35]
        let one = try trainingStep(threads: 1, input: shape, batch: 32)
        let two = try trainingStep(threads: 2, input: shape, batch: 32)
        XCTAssertEqual(one.count, two.count)
        XCTAssertTrue(one.allSatisfy(\.isFinite))
        XCTAssertEqual(one.map(\.bitPattern), two.map(\.bitPattern))
    }

    func testBatchStatisticsStayPreciseFarFromZero() throws {
        // Values 1000 ± 0.01: a one-pass Σx² − (Σx)²/n in Float would lose the variance entirely.
        let (layer, _) = try buildLayer("batchnorm2d", [:], input: [1, 40, 40])
        let x = randomValues(8 * 1600, seed: 5, scale: 0.01).map { $0 + 1000 }
        let y = forward(layer, x, batch: 8, count: x.count, training: true)
        let mean = x.reduce(0.0) { $0 + Double($1) } / Double(x.count)
        let variance = x.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(x.count)
        let want = x.map { Float((Double($0) - mean) / (variance + 1e-5).squareRoot()) }
        // Float x itself is quantised at 6e-5 around 1000, i.e. 6e-3 of one standard deviation.
        assertClose(y, want, tol: 2e-3, "normalised")
        let bn = try XCTUnwrap(layer as? any StatefulLayer)
        let unbiased = variance * Double(x.count) / Double(x.count - 1)
        XCTAssertEqual(Double(bn.buffers[0].value.ptr[0]), 0.1 * mean, accuracy: 1e-4)
        // The running variance 0.9 + 1e-5 is a Float: 6e-8 apart, i.e. 0.6 % of the batch's share.
        XCTAssertEqual(Double(bn.buffers[1].value.ptr[0]), 0.9 + 0.1 * unbiased, accuracy: 1.2e-7)
    }

    func testBatchOfOneInTrainingIsAnErrorNamingTheLayer() throws {
        let model = try Sequential([LayerSpec("dense", ["out_features": "4"]), LayerSpec("batchnorm1d"), LayerSpec("relu")], inputShape: [3])
        XCTAssertThrowsError(try model.validate(batch: 1, training: true)) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("layer 1 (batchnorm1d)"), text)
            XCTAssertTrue(text.contains("more than one value per channel"), text)
        }
        XCTAssertNoThrow(try model.validate(batch: 1, training: false))
        XCTAssertNoThrow(try model.validate(batch: 2, training: true))
        // A [C, L] input has L values per channel even in a batch of one.
        let seq = try Sequential([LayerSpec("batchnorm1d")], inputShape: [3, 5])
        XCTAssertNoThrow(try seq.validate(batch: 1, training: true))
        XCTAssertEqual(seq.namedBuffers.map(\.name), ["0.running_mean", "0.running_var"])
    }

    func testBatchOfOneForwardFallsBackToRunningStatistics() throws {
        let (layer, _) = try buildLayer("batchnorm1d", [:], input: [2])
        let y = forward(layer, [3, -1], batch: 1, count: 2, training: true)
        XCTAssertTrue(y.allSatisfy(\.isFinite))
        assertClose(y, [3 / (1 + 1e-5).squareRoot(), -1 / (1 + 1e-5).squareRoot()], tol: 1e-6, "fallback")
    }
}
