import Foundation
import PerceptCore
import PerceptNN
import XCTest

/// The [C, F, T] → [T, C·F] reshape and CRNNs described as one model.
final class SequenceReshapeTests: XCTestCase {
    func testFeatureMapBecomesFramesOfChannelMajorFeatures() throws {
        let (layer, out) = try buildLayer("to_sequence", [:], input: [2, 3, 4])
        XCTAssertEqual(out, [4, 6])
        let x = (0..<24).map(Float.init)   // value = c·12 + f·4 + t
        let y = forward(layer, x, batch: 1, count: 24)
        for t in 0..<4 { for c in 0..<2 { for f in 0..<3 { XCTAssertEqual(y[t * 6 + c * 3 + f], Float(c * 12 + f * 4 + t)) } } }
    }

    func testReshapeGradientsMatchFiniteDifferences() throws {
        let (layer, out) = try buildLayer("to_sequence", [:], input: [2, 3, 5])
        try assertGradients(layer, input: [2, 3, 5], output: out, batch: 2)
        let (l2, o2) = try buildLayer("to_sequence", [:], input: [3, 4])
        XCTAssertEqual(o2, [4, 3])
        try assertGradients(l2, input: [3, 4], output: o2, batch: 2)
    }

    func testCRNNIsOneModelDescriptionAndTrainsEndToEnd() throws {
        let model = try Sequential([
            LayerSpec("conv2d", ["out_channels": "4", "kernel_size": "3", "padding": "1"]),
            LayerSpec("batchnorm2d"), LayerSpec("relu"),
            LayerSpec("maxpool2d", ["kernel_size": "2,1"]),
            LayerSpec("to_sequence"),
            LayerSpec("lstm", ["hidden_size": "6", "bidirectional": "true"]),
            LayerSpec("dense", ["out_features": "2"]),
        ], inputShape: [1, 6, 10], seed: 3)
        XCTAssertEqual(model.shapes[5], [10, 12])
        XCTAssertEqual(model.outputShape, [2])
        // Class 1 has a rising ridge, class 0 a falling one: the order of frames carries the label.
        var xs: [Float] = [], labels: [Int] = []
        var rng = RandomStream(seed: 5)
        for i in 0..<32 {
            let label = i % 2
            for f in 0..<6 { for t in 0..<10 {
                let ridge = label == 1 ? t * 6 / 10 : 5 - t * 6 / 10
                xs.append((f == ridge ? 1 : 0) + rng.normal(mean: 0, std: 0.1))
            } }
            labels.append(label)
        }
        let x = try Tensor(shape: [32, 1, 6, 10], data: xs)
        let trainer = Trainer(model: model, loss: try LossRegistry.make("cross_entropy"), optimizer: try OptimizerRegistry.make("adam", ["lr": "0.02"]))
        trainer.options.epochs = 15
        trainer.options.batchSize = 8
        let history = try trainer.fit(x, .classes(labels))
        let first = try XCTUnwrap(history.first?.trainLoss), last = try XCTUnwrap(history.last?.trainLoss)
        XCTAssertLessThan(last, first * 0.5)
        XCTAssertGreaterThanOrEqual(try trainer.evaluate(x, .classes(labels)).classification?.accuracy ?? 0, 0.9)
    }
}

/// Recurrent models persist through checkpoints under PyTorch-style names.
final class RecurrentCheckpointTests: XCTestCase {
    func testSequenceModelRoundTripsThroughACheckpoint() throws {
        let specs = [
            LayerSpec("conv1d", ["out_channels": "4", "kernel_size": "3", "padding": "same"]),
            LayerSpec("residual", ["body": [["conv1d": ["out_channels": 4, "kernel_size": 3, "padding": "same"]], "tanh", ["conv1d": ["out_channels": 4, "kernel_size": 3, "padding": "same"]]]]),
            LayerSpec("to_sequence"),
            LayerSpec("lstm", ["hidden_size": "5", "bidirectional": "true", "return_sequences": "true"]),
            LayerSpec("gru", ["hidden_size": "3", "num_layers": "2"]),
            LayerSpec("dense", ["out_features": "2"]),
        ]
        let model = try Sequential(specs, inputShape: [2, 9], seed: 11)
        XCTAssertTrue(model.namedParameters.map(\.name).contains("3.weight_hh_l0_reverse"))
        XCTAssertTrue(model.namedParameters.map(\.name).contains("4.bias_ih_l1"))
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("seq.safetensors").path
        try Checkpoint.save(model, to: path)
        let loaded = try Checkpoint.loadModel(path)
        let x = try Tensor(shape: [3, 2, 9], data: randomValues(54, seed: 2))
        XCTAssertEqual(try loaded.predict(x).storage, try model.predict(x).storage)
        XCTAssertEqual(loaded.architecture, model.architecture)
    }
}
