import PerceptCore
import PerceptNN
import XCTest

/// Forward (and backward) outputs against PyTorch on fixed weights; fixtures from Fixtures/generate.py.
final class TorchParityTests: XCTestCase {
    /// Runs one layer on a fixture input with fixture weights; checks y, dx, dW, db against torch.
    private func checkLayer(_ prefix: String, _ type: String, _ values: [String: Value], input x: Tensor,
                            weights: [String] = [], tol: Float = 2e-5, file: StaticString = #filePath, line: UInt = #line) throws {
        let batch = x.shape[0]
        let (layer, outShape) = try buildLayer(type, values, input: Array(x.shape.dropFirst()))
        for (p, w) in zip(layer.weights, weights) { try p.load(try Fixture.load("\(prefix)_\(w)"), as: w) }
        let y = try Fixture.load("\(prefix)_y")
        XCTAssertEqual([batch] + outShape, y.shape, "\(prefix): output shape", file: file, line: line)
        let out = forward(layer, x.storage, batch: batch, count: y.count)
        assertClose(out, y.storage, tol: tol, "\(prefix) forward", file: file, line: line)
        let dy = try Fixture.load("\(prefix)_dy")
        let dx: [Float] = dy.storage.withUnsafeBufferPointer { b in
            guard let g = layer.backward(b.baseAddress!, batch: batch, inputGradient: true) else { return [] }
            return Array(UnsafeBufferPointer(start: g, count: x.count))
        }
        assertClose(dx, try Fixture.load("\(prefix)_dx").storage, tol: tol, "\(prefix) input gradient", file: file, line: line)
        for (p, w) in zip(layer.weights, weights) {
            assertClose(p.grad.array(p.count), try Fixture.load("\(prefix)_d\(w)").storage, tol: tol * 10, "\(prefix) d\(w)", file: file, line: line)
        }
    }

    func testConv2DMatchesTorchForStridePaddingDilationGroups() throws {
        let configs: [(String, [String: Value])] = [
            ("basic", ["out_channels": "4", "kernel_size": "3", "padding": "1"]),
            ("strided", ["out_channels": "3", "kernel_size": "3,2", "stride": "2", "padding": "1,2"]),
            ("dilated", ["out_channels": "3", "kernel_size": "3", "padding": "2", "dilation": "2"]),
            ("grouped", ["out_channels": "6", "kernel_size": "3", "stride": "1,2", "padding": "0,1", "groups": "2"]),
            ("same_even", ["out_channels": "3", "kernel_size": "4", "padding": "same"]),
            ("depthwise", ["out_channels": "3", "kernel_size": "3", "padding": "1", "groups": "3"]),
        ]
        for (name, values) in configs {
            try checkLayer("conv_\(name)", "conv2d", values, input: try Fixture.load("conv_\(name)_x"), weights: ["w", "b"], tol: 1e-4)
        }
    }

    func testConv2DMatchesTorchWithTwoThreadsAndLargeChunks() throws {
        // Same numbers whatever the worker count and chunking (partials are summed in chunk order).
        try Parallel.withThreads(2) {
            try Conv2D.withChunkColumns(4096) {
                try checkLayer("conv_basic", "conv2d", ["out_channels": "4", "kernel_size": "3", "padding": "1"],
                               input: try Fixture.load("conv_basic_x"), weights: ["w", "b"], tol: 1e-4)
            }
        }
    }

    func testDenseMatchesTorchLinear() throws {
        try checkLayer("dense", "dense", ["out_features": "5"], input: try Fixture.load("dense_x"), weights: ["w", "b"])
    }

    func testMaxPoolMatchesTorch() throws {
        let x = try Fixture.load("pool_x")
        try checkLayer("pool_max_k2", "maxpool2d", ["kernel_size": "2"], input: x)
        try checkLayer("pool_max_k3s2p1", "maxpool2d", ["kernel_size": "3", "stride": "2", "padding": "1"], input: x)
        try checkLayer("pool_max_k32_dil2", "maxpool2d", ["kernel_size": "3,2", "stride": "2,1", "dilation": "2"], input: x)
    }

    func testAvgPoolMatchesTorch() throws {
        let x = try Fixture.load("pool_x")
        try checkLayer("pool_avg_k2", "avgpool2d", ["kernel_size": "2"], input: x)
        try checkLayer("pool_avg_k3s2p1", "avgpool2d", ["kernel_size": "3", "stride": "2", "padding": "1"], input: x)
        try checkLayer("pool_avg_k3s2p1_nopad", "avgpool2d", ["kernel_size": "3", "stride": "2", "padding": "1", "count_include_pad": "false"], input: x)
    }

    func testEveryLossMatchesTorchValueAndGradient() throws {
        let logits = try Fixture.load("loss_logits")
        let labels = try Fixture.load("loss_labels"), soft = try Fixture.load("loss_targets")
        let batch = logits.shape[0], width = logits.shape[1]
        let cases: [(String, String, [String: Value])] = [
            ("cross_entropy", "cross_entropy", [:]), ("cross_entropy_ls", "cross_entropy", ["label_smoothing": "0.1"]),
            ("bce_with_logits", "bce_with_logits", [:]), ("mse", "mse", [:]), ("mae", "mae", [:]),
            ("hinge", "hinge", [:]), ("hinge_m05", "hinge", ["margin": "0.5"]),
        ]
        for (fixture, name, values) in cases {
            let loss = try LossRegistry.make(name, values)
            let targets = loss.classTargets ? labels : soft
            var grad = [Float](repeating: 0, count: logits.count)
            let value = logits.storage.withUnsafeBufferPointer { x in targets.storage.withUnsafeBufferPointer { t in
                grad.withUnsafeMutableBufferPointer { g in
                    loss.compute(output: x.baseAddress!, targets: t.baseAddress!, batch: batch, width: width, grad: g.baseAddress!)
                } } }
            let ref = try Fixture.load("loss_\(fixture)_value")[0]
            XCTAssertEqual(Float(value), ref, accuracy: 1e-5 * max(1, abs(ref)), fixture)
            assertClose(grad, try Fixture.load("loss_\(fixture)_grad").storage, tol: 1e-6, "\(fixture) gradient")
        }
    }
}
