import PerceptCore
import PerceptNN
import XCTest

/// Residual blocks: identity and projection shortcuts, names, finite differences.
final class ResidualTests: XCTestCase {
    func testIdentityShortcutAddsTheInput() throws {
        // A body of one dense layer with zero weights leaves relu(x).
        let (layer, out) = try buildLayer("residual", ["body": [["dense": ["out_features": 3]]]], input: [3])
        XCTAssertEqual(out, [3])
        for p in layer.weights { p.value.zero(p.count) }
        XCTAssertEqual(forward(layer, [1, -2, 3], batch: 1, count: 3), [1, 0, 3])
        let (lin, _) = try buildLayer("residual", ["body": [["dense": ["out_features": 3]]], "activation": "none"], input: [3])
        for p in lin.weights { p.value.zero(p.count) }
        XCTAssertEqual(forward(lin, [1, -2, 3], batch: 1, count: 3), [1, -2, 3])
    }

    func testDenseBlockGradientsMatchFiniteDifferences() throws {
        let (layer, out) = try buildLayer("residual", ["body": [["dense": ["out_features": 4]], "tanh", ["dense": ["out_features": 4]]], "activation": "none"], input: [4])
        try assertGradients(layer, input: [4], output: out, batch: 3)
    }

    func testConvBlockWithBatchNormGradientsMatchFiniteDifferences() throws {
        let body: Value = [["conv2d": ["out_channels": 2, "kernel_size": 3, "padding": 1]], "batchnorm2d", "tanh", ["conv2d": ["out_channels": 2, "kernel_size": 3, "padding": 1]]]
        let (layer, out) = try buildLayer("residual", ["body": body, "activation": "none"], input: [2, 3, 3])
        XCTAssertEqual(layer.weights.map(\.name), ["body.0.weight", "body.0.bias", "body.1.weight", "body.1.bias", "body.3.weight", "body.3.bias"])
        XCTAssertEqual((layer as? any StatefulLayer)?.buffers.map(\.name), ["body.1.running_mean", "body.1.running_var"])
        try assertGradients(layer, input: [2, 3, 3], output: out, batch: 2, training: true, atol: 3e-3)
    }

    func testDownsamplingBlockLearnsAProjection() throws {
        let body: Value = [["conv2d": ["out_channels": 4, "kernel_size": 3, "stride": 2, "padding": 1]], "tanh", ["conv2d": ["out_channels": 4, "kernel_size": 3, "padding": 1]]]
        let (layer, out) = try buildLayer("residual", ["body": body, "activation": "none"], input: [2, 5, 5])
        XCTAssertEqual(out, [4, 3, 3])
        XCTAssertEqual(layer.weights.last?.name, "projection.weight")
        XCTAssertEqual(layer.weights.last?.shape, [4, 2, 1, 1])
        try assertGradients(layer, input: [2, 5, 5], output: out, batch: 2)
    }

    func testConv1DBlockInSequentialNamesItsParameters() throws {
        let model = try Sequential([
            LayerSpec("conv1d", ["out_channels": "4", "kernel_size": "3", "padding": "same"]),
            LayerSpec("residual", ["body": [["conv1d": ["out_channels": 4, "kernel_size": 3, "padding": "same"]], "batchnorm1d", "relu", ["conv1d": ["out_channels": 4, "kernel_size": 3, "padding": "same"]]]]),
            LayerSpec("to_sequence"), LayerSpec("gru", ["hidden_size": "5"]), LayerSpec("dense", ["out_features": "3"]),
        ], inputShape: [2, 12])
        XCTAssertEqual(model.outputShape, [3])
        XCTAssertTrue(model.namedParameters.map(\.name).contains("1.body.3.weight"))
        XCTAssertEqual(model.namedBuffers.map(\.name), ["1.body.1.running_mean", "1.body.1.running_var"])
    }

    func testBadBodiesAreErrors() {
        XCTAssertThrowsError(try LayerRegistry.make("residual", [:])) { e in XCTAssertTrue("\(e)".contains("body"), "\(e)") }
        XCTAssertThrowsError(try LayerRegistry.make("residual", ["body": [["dense": 3]]])) { e in XCTAssertTrue("\(e)".contains("options must be a mapping"), "\(e)") }
        XCTAssertThrowsError(try LayerRegistry.make("residual", ["body": [["densse": ["out_features": 3]]]])) { e in XCTAssertTrue("\(e)".contains("dense"), "\(e)") }
        XCTAssertThrowsError(try Sequential([LayerSpec("residual", ["body": ["flatten"]])], inputShape: [2, 3, 3])) { e in
            XCTAssertTrue("\(e)".contains("layer 0 (residual)"), "\(e)")
        }
    }

    func testBlockTensorsShareTheInnerLayersStorage() throws {
        let (layer, _) = try buildLayer("residual", ["body": [["dense": ["out_features": 3]], "batchnorm1d"], "activation": "none"], input: [3])
        let block = try XCTUnwrap(layer as? Residual)
        // An optimizer or a checkpoint writes the block's tensor: the inner layer reads it at once.
        block.weights[0].value.ptr[0] = 42
        XCTAssertEqual(block.body[0].weights[0].value.ptr[0], 42)
        XCTAssertTrue(block.weights[0].value === block.body[0].weights[0].value)
        XCTAssertTrue(block.weights[0].grad === block.body[0].weights[0].grad)
        // Running statistics moved by a training pass are the block's buffers without a copy back.
        let x = randomValues(4 * 3, seed: 3)
        _ = forward(layer, x, batch: 4, count: 12, training: true)
        let inner = try XCTUnwrap((block.body[1] as? any StatefulLayer)?.buffers[0])
        XCTAssertEqual(block.buffers[0].value.array(3), inner.value.array(3))
        XCTAssertNotEqual(inner.value.array(3), [0, 0, 0])
    }
}
