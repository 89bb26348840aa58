import PerceptCore
import PerceptNN
import XCTest

/// Padding masks: padded frames change neither outputs nor gradients; bad masks are errors.
final class SequenceMaskTests: XCTestCase {
    /// The same recurrent layer run on a short sequence alone and on it padded with junk.
    private func assertPaddingIsInvisible(_ type: String, bidirectional: Bool, returnSequences: Bool,
                                          file: StaticString = #filePath, line: UInt = #line) throws {
        let values: [String: Value] = ["hidden_size": "4", "bidirectional": "\(bidirectional)", "return_sequences": "\(returnSequences)", "num_layers": "2"]
        let T = 7, L = 4, F = 3
        let (short, shortOut) = try buildLayer(type, values, input: [L, F], seed: 9)
        let (long, longOut) = try buildLayer(type, values, input: [T, F], seed: 9)
        let x = randomValues(L * F, seed: 1)
        let padded = x + randomValues((T - L) * F, seed: 2, scale: 5)
        let mask = try SequenceMask(frames: T)
        try mask.connect(try XCTUnwrap(long as? any MaskConsumer), name: type)
        try mask.set(lengths: [L], batch: 1)
        let dyShort = randomValues(Tensor.count(of: shortOut), seed: 3)
        // Padded frames of a sequence output get gradient too: it must be ignored.
        var dyLong = dyShort
        if returnSequences { dyLong += randomValues(Tensor.count(of: longOut) - dyShort.count, seed: 4) }
        let (ys, dxs) = forwardBackward(short, x, dyShort, batch: 1, outCount: dyShort.count, inCount: L * F)
        let (yl, dxl) = forwardBackward(long, padded, dyLong, batch: 1, outCount: dyLong.count, inCount: T * F)
        assertClose(Array(yl.prefix(ys.count)), ys, tol: 1e-6, "\(type) valid outputs", file: file, line: line)
        if returnSequences { XCTAssertTrue(yl.dropFirst(ys.count).allSatisfy { $0 == 0 }, "padded outputs are zero", file: file, line: line) }
        assertClose(Array(dxl.prefix(L * F)), dxs, tol: 1e-6, "\(type) dx", file: file, line: line)
        XCTAssertTrue(dxl.dropFirst(L * F).allSatisfy { $0 == 0 }, "padded frames get no gradient", file: file, line: line)
        for (a, b) in zip(short.weights, long.weights) {
            assertClose(b.grad.array(b.count), a.grad.array(a.count), tol: 1e-5, "\(type) d\(a.name)", file: file, line: line)
        }
    }

    func testPaddedLSTMMatchesTheUnpaddedSequence() throws {
        try assertPaddingIsInvisible("lstm", bidirectional: true, returnSequences: false)
        try assertPaddingIsInvisible("lstm", bidirectional: true, returnSequences: true)
    }

    func testPaddedGRUMatchesTheUnpaddedSequence() throws {
        try assertPaddingIsInvisible("gru", bidirectional: true, returnSequences: false)
        try assertPaddingIsInvisible("gru", bidirectional: false, returnSequences: true)
    }

    func testMaskOfTheWrongLengthIsAnErrorNamingTheLayer() throws {
        let model = try Sequential([LayerSpec("lstm", ["hidden_size": "4"]), LayerSpec("dense", ["out_features": "2"])], inputShape: [10, 3])
        let mask = try SequenceMask.attach(to: model, frames: 10)
        XCTAssertThrowsError(try mask.set(lengths: [10, 5, 3], batch: 2)) { e in
            XCTAssertEqual("\(e)", "layer 0 (lstm): the mask has 3 lengths for a batch of 2")
        }
        XCTAssertThrowsError(try mask.set(lengths: [11, 5], batch: 2)) { e in XCTAssertTrue("\(e)".contains("outside 1...10"), "\(e)") }
        XCTAssertThrowsError(try mask.set(lengths: [0, 5], batch: 2))
        XCTAssertThrowsError(try mask.set(mask: Tensor(shape: [2, 9], repeating: 1))) { e in
            XCTAssertTrue("\(e)".contains("layer 0 (lstm)") && "\(e)".contains("[2, 9]"), "\(e)")
        }
        var holes = [Float](repeating: 1, count: 20); holes[3] = 0
        XCTAssertThrowsError(try mask.set(mask: Tensor(shape: [2, 10], data: holes))) { e in XCTAssertTrue("\(e)".contains("padding must come last"), "\(e)") }
        var ok = [Float](repeating: 1, count: 20); for i in 16..<20 { ok[i] = 0 }
        try mask.set(mask: Tensor(shape: [2, 10], data: ok))
        XCTAssertEqual(mask.lengths, [10, 6])
        let dense = try Sequential([LayerSpec("dense", ["out_features": "2"])], inputShape: [3])
        XCTAssertThrowsError(try SequenceMask.attach(to: dense, frames: 3))
    }

    func testMaskLengthsFollowTheFrontEndsDownsampling() throws {
        let model = try Sequential([
            LayerSpec("conv1d", ["out_channels": "3", "kernel_size": "3", "stride": "2", "padding": "1"]),
            LayerSpec("to_sequence"), LayerSpec("gru", ["hidden_size": "2"]),
        ], inputShape: [2, 20])
        let gru = try XCTUnwrap(model.layers[2] as? GRU)
        XCTAssertEqual(gru.maskFrames, 10)
        let mask = try SequenceMask.attach(to: model, frames: 20)
        try mask.set(lengths: [20, 7, 1], batch: 3)
        // Half the frames, rounded up; a batch of another size reads no lengths.
        let x = randomValues(3 * 40, seed: 8)
        let y = x.withUnsafeBufferPointer { model.forward($0.baseAddress!, batch: 3, training: false, rng: RandomStream(seed: 1)) }
        let padded = Array(UnsafeBufferPointer(start: y, count: 6))
        XCTAssertTrue(padded.allSatisfy(\.isFinite))
    }

    func testMaskedLossIgnoresPaddedFramesAndMatchesFiniteDifferences() throws {
        let loss = try MaskedCrossEntropyLoss(Parameters(owner: "masked_cross_entropy", specs: MaskedCrossEntropyLoss.parameters, values: ["classes": "3"]))
        let T = 4, K = 3, B = 2
        var out = randomValues(B * T * K, seed: 4)
        var targets = [Float](repeating: 0, count: B * T * K)
        let labels = [[2, 0, 1, 1], [1, 2, -1, -1]]   // -1: padding (all-zero target row)
        for b in 0..<B { for t in 0..<T where labels[b][t] >= 0 { targets[(b * T + t) * K + labels[b][t]] = 1 } }
        func value() -> Double { loss.compute(output: out, targets: targets, batch: B, width: T * K, grad: nil) }
        var grad = [Float](repeating: 0, count: B * T * K)
        let l = grad.withUnsafeMutableBufferPointer { loss.compute(output: out, targets: targets, batch: B, width: T * K, grad: $0.baseAddress!) }
        // Mean over the 6 valid frames of −log softmax at the label.
        var expected = 0.0
        for b in 0..<B { for t in 0..<T where labels[b][t] >= 0 {
            let x = (0..<K).map { Double(out[(b * T + t) * K + $0]) }
            expected += log(x.map(exp).reduce(0, +)) - x[labels[b][t]]
        } }
        XCTAssertEqual(l, expected / 6, accuracy: 1e-9)
        XCTAssertTrue(grad[(1 * T + 2) * K..<(B * T * K)].allSatisfy { $0 == 0 })
        for i in 0..<out.count {
            let keep = out[i]
            out[i] = keep + 1e-2; let fp = value()
            out[i] = keep - 1e-2; let fm = value()
            out[i] = keep
            XCTAssertEqual(Double(grad[i]), (fp - fm) / 2e-2, accuracy: 1e-4, "d/dx[\(i)]")
        }
        // With a mask, frames past the length are skipped even when they have targets.
        let mask = try SequenceMask(frames: T)
        loss.mask = mask
        try mask.set(lengths: [2, 2], batch: 2)
        var e2 = 0.0
        for b in 0..<B { for t in 0..<2 {
            let x = (0..<K).map { Double(out[(b * T + t) * K + $0]) }
            e2 += log(x.map(exp).reduce(0, +)) - x[labels[b][t]]
        } }
        XCTAssertEqual(value(), e2 / 4, accuracy: 1e-9)
    }
}

/// Large layers split the batch into fixed chunks of samples run on the workers.
final class RecurrentChunkingTests: XCTestCase {
    /// A batch of 17 (chunks of 16 and 1) against the same samples one at a time, with 1 and 2 threads.
    private func assertChunkedBatchMatchesSingleSamples(_ type: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let values: [String: Value] = ["hidden_size": "41", "bidirectional": "true", "return_sequences": "true"]   // H·G ≥ 4096: parallel path
        let B = 17, T = 3, F = 2, H2 = 82
        let x = randomValues(B * T * F, seed: 31), dy = randomValues(B * T * H2, seed: 32)
        var results: [([Float], [Float], [[Float]])] = []
        for threads in [1, 2] {
            try Parallel.withThreads(threads) {
                let (layer, _) = try buildLayer(type, values, input: [T, F], seed: 4)
                let mask = try SequenceMask(frames: T)
                try mask.connect(try XCTUnwrap(layer as? any MaskConsumer), name: type)
                let lengths = (0..<B).map { 1 + $0 % T }
                try mask.set(lengths: lengths, batch: B)
                let (y, dx) = forwardBackward(layer, x, dy, batch: B, outCount: B * T * H2, inCount: B * T * F)
                results.append((y, dx, layer.weights.map { $0.grad.array($0.count) }))
                guard threads == 1 else { return }
                var sums = layer.weights.map { [Double](repeating: 0, count: $0.count) }
                for b in 0..<B {
                    try mask.set(lengths: [lengths[b]], batch: 1)
                    let (y1, dx1) = forwardBackward(layer, Array(x[(b * T * F)..<((b + 1) * T * F)]), Array(dy[(b * T * H2)..<((b + 1) * T * H2)]),
                                                    batch: 1, outCount: T * H2, inCount: T * F)
                    assertClose(y1, Array(y[(b * T * H2)..<((b + 1) * T * H2)]), tol: 1e-6, "\(type) y sample \(b)", file: file, line: line)
                    assertClose(dx1, Array(dx[(b * T * F)..<((b + 1) * T * F)]), tol: 1e-6, "\(type) dx sample \(b)", file: file, line: line)
                    for (k, p) in layer.weights.enumerated() { for i in 0..<p.count { sums[k][i] += Double(p.grad.ptr[i]) } }
                }
                for (k, p) in layer.weights.enumerated() {
                    assertClose(results[0].2[k], sums[k].map { Float($0) }, tol: 1e-4, "\(type) d\(p.name)", file: file, line: line)
                }
            }
        }
        XCTAssertEqual(results[0].0, results[1].0, "outputs do not depend on the thread count", file: file, line: line)
        XCTAssertEqual(results[0].1, results[1].1, file: file, line: line)
        XCTAssertEqual(results[0].2, results[1].2, file: file, line: line)
    }

    func testChunkedLSTMBatchMatchesSingleSamplesAndThreadCounts() throws { try assertChunkedBatchMatchesSingleSamples("lstm") }
    func testChunkedGRUBatchMatchesSingleSamplesAndThreadCounts() throws { try assertChunkedBatchMatchesSingleSamples("gru") }
}
