import PerceptCore
import PerceptNN
import XCTest

/// Every layer's backward pass against central finite differences (Double accumulation).
final class GradientCheckTests: XCTestCase {
    func testDenseGradientsMatchFiniteDifferences() throws {
        try assertLayerGradients("dense", ["out_features": "4"], input: [5], batch: 3)
    }

    func testConv2DGradientsMatchFiniteDifferences() throws {
        try assertLayerGradients("conv2d", ["out_channels": "3", "kernel_size": "3", "padding": "1"], input: [2, 5, 4])
    }

    func testConv2DStridedDilatedGroupedGradientsMatchFiniteDifferences() throws {
        try assertLayerGradients("conv2d", ["out_channels": "4", "kernel_size": "3,2", "stride": "2,1", "padding": "2,1",
                                            "dilation": "2", "groups": "2"], input: [4, 7, 5])
    }

    func testConv2DChunkedBatchGradientsMatchFiniteDifferences() throws {
        // Batch 5 with tiny images runs several samples per im2col chunk (the gather/scatter path).
        try assertLayerGradients("conv2d", ["out_channels": "2", "kernel_size": "2", "padding": "same"], input: [1, 3, 3], batch: 5)
    }

    func testMaxPoolGradientsMatchFiniteDifferences() throws {
        try assertLayerGradients("maxpool2d", ["kernel_size": "2"], input: [2, 4, 6])
        try assertLayerGradients("maxpool2d", ["kernel_size": "3", "stride": "2", "padding": "1"], input: [1, 5, 5])
    }

    func testAvgPoolGradientsMatchFiniteDifferences() throws {
        try assertLayerGradients("avgpool2d", ["kernel_size": "3", "stride": "2", "padding": "1"], input: [2, 5, 6])
        try assertLayerGradients("avgpool2d", ["kernel_size": "3", "stride": "2", "padding": "1", "count_include_pad": "false"], input: [1, 5, 5])
    }

    func testGlobalAvgPoolGradientsMatchFiniteDifferences() throws {
        try assertLayerGradients("global_avg_pool", input: [3, 4, 5])
    }

    func testFlattenGradientsMatchFiniteDifferences() throws {
        try assertLayerGradients("flatten", input: [2, 3, 2])
    }

    func testDropoutGradientsMatchFiniteDifferencesWhileTraining() throws {
        try assertLayerGradients("dropout", ["p": "0.3"], input: [20], training: true)
    }

    func testActivationGradientsMatchFiniteDifferences() throws {
        try assertLayerGradients("relu", input: [3, 4])
        try assertLayerGradients("leaky_relu", ["negative_slope": "0.2"], input: [3, 4])
        try assertLayerGradients("elu", ["alpha": "0.7"], input: [3, 4])
        try assertLayerGradients("sigmoid", input: [3, 4])
        try assertLayerGradients("tanh", input: [3, 4])
    }

    func testSoftmaxGradientsMatchFiniteDifferences() throws {
        try assertLayerGradients("softmax", input: [6])
        try assertLayerGradients("softmax", input: [3, 2, 2])
    }

    func testMaxoutGradientsMatchFiniteDifferences() throws {
        try assertLayerGradients("maxout", ["pool_size": "3"], input: [6, 2])
    }

    func testDenseWeightGradientIsOuterProductOfUpstreamAndInput() throws {
        let (layer, _) = try buildLayer("dense", ["out_features": "2"], input: [3])
        let x: [Float] = [0.5, -1, 2]
        _ = forward(layer, x, batch: 1, count: 2)
        let dy: [Float] = [1, 0]
        _ = dy.withUnsafeBufferPointer { layer.backward($0.baseAddress!, batch: 1, inputGradient: true) }
        let g = layer.weights[0].grad.array(6)
        // dL/dW[0, j] = x[j] for L = y0: a sign error would show up here.
        XCTAssertEqual(g, [0.5, -1, 2, 0, 0, 0])
    }

    func testEveryLossGradientMatchesFiniteDifferences() throws {
        let batch = 3, width = 4
        let logits = spacedValues(batch * width, seed: 5, spacing: 0.17)
        let classes: [Float] = [2, 0, 3]
        let dense = randomValues(batch * width, seed: 6).map { 1 / (1 + exp(-$0)) }
        let cases: [(String, [String: Value])] = [
            ("cross_entropy", [:]), ("cross_entropy", ["label_smoothing": "0.2"]), ("bce_with_logits", [:]),
            ("mse", [:]), ("mae", [:]), ("hinge", [:]), ("hinge", ["margin": "0.5"]),
        ]
        for (name, values) in cases {
            let loss = try LossRegistry.make(name, values)
            let targets = loss.classTargets ? classes : dense
            var x = logits
            var grad = [Float](repeating: 0, count: batch * width)
            func value() -> Double {
                x.withUnsafeBufferPointer { xb in targets.withUnsafeBufferPointer { tb in
                    loss.compute(output: xb.baseAddress!, targets: tb.baseAddress!, batch: batch, width: width, grad: nil)
                } }
            }
            x.withUnsafeBufferPointer { xb in targets.withUnsafeBufferPointer { tb in grad.withUnsafeMutableBufferPointer { gb in
                _ = loss.compute(output: xb.baseAddress!, targets: tb.baseAddress!, batch: batch, width: width, grad: gb.baseAddress!)
            } } }
            let eps: Float = 1e-3
            for i in 0..<x.count {
                let keep = x[i]
                x[i] = keep + eps; let fp = value()
                x[i] = keep - eps; let fm = value()
                x[i] = keep
                let numeric = (fp - fm) / (2 * Double(eps))
                XCTAssertEqual(Double(grad[i]), numeric, accuracy: 1e-4 + 1e-3 * abs(numeric), "\(name) \(values) d/dx[\(i)]")
            }
        }
    }

    func testModelBackwardMatchesFiniteDifferencesThroughAllLayers() throws {
        // End to end: conv → tanh → avgpool → flatten → dense → cross-entropy, gradients of every parameter.
        let model = try Sequential([
            LayerSpec("conv2d", ["out_channels": "2", "kernel_size": "3", "padding": "1"]), LayerSpec("tanh"),
            LayerSpec("avgpool2d", ["kernel_size": "2"]), LayerSpec("flatten"), LayerSpec("dense", ["out_features": "3"]),
        ], inputShape: [1, 4, 4], seed: 3)
        let loss = try LossRegistry.make("cross_entropy")
        let batch = 2
        let x = randomValues(batch * 16, seed: 8)
        let t: [Float] = [1, 2]
        func run(_ grad: UnsafeMutablePointer<Float>?) -> Double {
            x.withUnsafeBufferPointer { xb in t.withUnsafeBufferPointer { tb in
                let y = model.forward(xb.baseAddress!, batch: batch, training: true, rng: RandomStream(seed: 1))
                return loss.compute(output: y, targets: tb.baseAddress!, batch: batch, width: 3, grad: grad)
            } }
        }
        var g = [Float](repeating: 0, count: batch * 3)
        _ = g.withUnsafeMutableBufferPointer { run($0.baseAddress!) }
        g.withUnsafeBufferPointer { model.backward($0.baseAddress!, batch: batch) }
        for (name, p) in model.namedParameters {
            let analytic = p.grad.array(p.count)
            for i in 0..<p.count {
                let keep = p.value.ptr[i], eps: Float = 1e-2
                p.value.ptr[i] = keep + eps; let fp = run(nil)
                p.value.ptr[i] = keep - eps; let fm = run(nil)
                p.value.ptr[i] = keep
                let numeric = (fp - fm) / (2 * Double(eps))
                XCTAssertEqual(Double(analytic[i]), numeric, accuracy: 2e-4 + 1e-2 * abs(numeric), "\(name)[\(i)]")
            }
        }
    }

    func testFusedConvAndDenseReLUMatchUnfusedLayers() throws {
        // conv→relu and dense→relu are fused by Sequential; a flatten in between prevents fusion
        // without changing the maths, so both models must agree exactly.
        let fused = try Sequential([
            LayerSpec("conv2d", ["out_channels": "3", "kernel_size": "3"]), LayerSpec("relu"), LayerSpec("flatten"),
            LayerSpec("dense", ["out_features": "5"]), LayerSpec("relu"), LayerSpec("dense", ["out_features": "2"]),
        ], inputShape: [2, 6, 6], seed: 4)
        let plain = try Sequential([
            LayerSpec("conv2d", ["out_channels": "3", "kernel_size": "3"]), LayerSpec("flatten"), LayerSpec("relu"),
            LayerSpec("dense", ["out_features": "5"]), LayerSpec("dropout", ["p": "0"]), LayerSpec("relu"), LayerSpec("dense", ["out_features": "2"]),
        ], inputShape: [2, 6, 6], seed: 4)
        for (a, b) in zip(fused.namedParameters, plain.namedParameters) { try b.param.load(a.param.tensor, as: b.name) }
        let batch = 3
        let x = randomValues(batch * 72, seed: 9), g = randomValues(batch * 2, seed: 10)
        for m in [fused, plain] {
            x.withUnsafeBufferPointer { xb in _ = m.forward(xb.baseAddress!, batch: batch, training: true, rng: RandomStream(seed: 0)) }
            g.withUnsafeBufferPointer { m.backward($0.baseAddress!, batch: batch) }
        }
        XCTAssertEqual(try fused.predict(Tensor(unchecked: [batch, 2, 6, 6], data: x)), try plain.predict(Tensor(unchecked: [batch, 2, 6, 6], data: x)))
        for (a, b) in zip(fused.namedParameters, plain.namedParameters) {
            XCTAssertEqual(a.param.grad.array(a.param.count), b.param.grad.array(b.param.count), a.name)
            XCTAssertTrue(a.param.grad.array(a.param.count).contains { $0 != 0 }, a.name)
        }
    }

    func testConvGradientsAreBitIdenticalForOneAndTwoThreads() throws {
        // Weight gradients are summed over a fixed partition, so the worker count cannot change a bit.
        var results: [[[Float]]] = []
        for threads in [1, 2] {
            try Parallel.withThreads(threads) {
                let model = try Sequential([LayerSpec("conv2d", ["out_channels": "4", "kernel_size": "3"]), LayerSpec("relu"),
                                            LayerSpec("conv2d", ["out_channels": "3", "kernel_size": "3", "padding": "1"])],
                                           inputShape: [2, 12, 12], seed: 2)
                let batch = 37
                let x = randomValues(batch * 288, seed: 1), g = randomValues(batch * 300, seed: 2)
                x.withUnsafeBufferPointer { xb in _ = model.forward(xb.baseAddress!, batch: batch, training: true, rng: RandomStream(seed: 0)) }
                g.withUnsafeBufferPointer { model.backward($0.baseAddress!, batch: batch) }
                results.append(model.namedParameters.map { $0.param.grad.array($0.param.count) })
            }
        }
        XCTAssertEqual(results[0], results[1])
    }
}
