import PerceptCore
import PerceptNN
import XCTest

/// LSTM: PyTorch parity on copied weights, finite-difference gradients, initialisation and errors.
final class LSTMTests: XCTestCase {
    func testLSTMSequenceMatchesTorchForwardAndBackward() throws {
        try assertRecurrentMatchesTorch("lstm", "lstm_seq", inputSize: 3, hidden: 4, layers: 1, bidirectional: false,
                                        batch: 2, frames: 5, last: false)
    }

    func testStackedBidirectionalLSTMMatchesTorch() throws {
        try assertRecurrentMatchesTorch("lstm", "lstm_stack_bi", inputSize: 3, hidden: 4, layers: 2, bidirectional: true,
                                        batch: 2, frames: 5, last: false)
    }

    func testMaskedLastStateMatchesTorchPackedSequence() throws {
        // Lengths 6, 3, 1: the last state is h_n of pack_padded_sequence, forward and reverse.
        try assertRecurrentMatchesTorch("lstm", "lstm_last_masked", inputSize: 3, hidden: 4, layers: 1, bidirectional: true,
                                        batch: 3, frames: 6, last: true)
    }

    func testWideMaskedBidirectionalLSTMSequenceMatchesTorch() throws {
        // Hidden 9 runs the 8-wide vector path and the scalar tail; padded frames output zeros like pad_packed_sequence.
        try assertRecurrentMatchesTorch("lstm", "lstm_wide_masked", inputSize: 5, hidden: 9, layers: 1, bidirectional: true,
                                        batch: 3, frames: 6, last: false)
    }

    func testWideLSTMGradientsMatchFiniteDifferences() throws {
        let (layer, out) = try buildLayer("lstm", ["hidden_size": "9", "return_sequences": "true"], input: [3, 2])
        try assertGradients(layer, input: [3, 2], output: out, batch: 2)
    }

    func testLSTMGradientsMatchFiniteDifferences() throws {
        let (layer, out) = try buildLayer("lstm", ["hidden_size": "3", "return_sequences": "true"], input: [4, 2])
        try assertGradients(layer, input: [4, 2], output: out, batch: 2)
    }

    func testStackedBidirectionalLastStateGradientsMatchFiniteDifferences() throws {
        let (layer, out) = try buildLayer("lstm", ["hidden_size": "3", "num_layers": "2", "bidirectional": "true"], input: [4, 2])
        try assertGradients(layer, input: [4, 2], output: out, batch: 2)
    }

    func testDropoutBetweenStackedLayersGradientsMatchFiniteDifferences() throws {
        // Training pass with a fixed stream: the same mask in every forward of the check.
        let (layer, out) = try buildLayer("lstm", ["hidden_size": "3", "num_layers": "3", "dropout": "0.4",
                                                   "return_sequences": "true"], input: [4, 2])
        try assertGradients(layer, input: [4, 2], output: out, batch: 2, training: true)
        let (gru, gout) = try buildLayer("gru", ["hidden_size": "3", "num_layers": "2", "dropout": "0.3", "bidirectional": "true"], input: [4, 2])
        try assertGradients(gru, input: [4, 2], output: gout, batch: 2, training: true)
    }

    func testDropoutActsOnlyWhileTrainingAndNeedsStackedLayers() throws {
        let values: [String: Value] = ["hidden_size": "8", "num_layers": "2", "return_sequences": "true"]
        let (plain, out) = try buildLayer("lstm", values, input: [6, 3])
        let (dropped, _) = try buildLayer("lstm", values.merging(["dropout": "0.5"]) { $1 }, input: [6, 3])
        let x = randomValues(2 * 18, seed: 3), n = 2 * Tensor.count(of: out)
        XCTAssertEqual(forward(plain, x, batch: 2, count: n), forward(dropped, x, batch: 2, count: n), "inference: no dropout")
        XCTAssertNotEqual(forward(plain, x, batch: 2, count: n, training: true), forward(dropped, x, batch: 2, count: n, training: true))
        XCTAssertThrowsError(try buildLayer("lstm", ["hidden_size": "8", "dropout": "0.2"], input: [6, 3])) { e in
            XCTAssertTrue("\(e)".contains("dropout") && "\(e)".contains("num_layers"), "\(e)")
        }
        XCTAssertThrowsError(try buildLayer("gru", ["hidden_size": "8", "num_layers": "2", "dropout": "1"], input: [6, 3]))
    }

    func testMaskedLSTMGradientsMatchFiniteDifferences() throws {
        let (layer, out) = try buildLayer("lstm", ["hidden_size": "3", "bidirectional": "true"], input: [5, 2])
        let mask = try SequenceMask(frames: 5)
        try mask.connect(try XCTUnwrap(layer as? LSTM), name: "lstm")
        try assertGradients(layer, input: [5, 2], output: out, batch: 3) { try mask.set(lengths: [5, 2, 4], batch: 3) }
    }

    func testForgetGateBiasStartsAtOneAndWeightsUseTorchNames() throws {
        let (layer, _) = try buildLayer("lstm", ["hidden_size": "4", "bidirectional": "true", "num_layers": "2"], input: [7, 3])
        XCTAssertEqual(layer.weights.map(\.name), [
            "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
            "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
            "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
            "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse"])
        XCTAssertEqual(layer.weights[0].shape, [16, 3])
        XCTAssertEqual(layer.weights[8].shape, [16, 8])
        // Gate order i, f, g, o: the forget rows 4..<8 of bias_ih sum with bias_hh to 1.
        let bih = layer.weights[2].value.array(16), bhh = layer.weights[3].value.array(16)
        XCTAssertEqual(zip(bih, bhh).map(+), [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0])
    }

    func testFourDimensionalInputWithoutReshapeIsAnErrorNamingTheLayer() throws {
        let specs = [LayerSpec("conv2d", ["out_channels": "4", "kernel_size": "3", "padding": "1"]),
                     LayerSpec("lstm", ["hidden_size": "8"]), LayerSpec("dense", ["out_features": "10"])]
        XCTAssertThrowsError(try Sequential(specs, inputShape: [1, 20, 30])) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("layer 1 (lstm)"), text)
            XCTAssertTrue(text.contains("to_sequence"), text)
            XCTAssertTrue(text.contains("[4, 20, 30]"), text)
        }
    }

    func testMissingHiddenSizeIsAnError() {
        XCTAssertThrowsError(try LayerRegistry.make("lstm", [:])) { e in XCTAssertTrue("\(e)".contains("hidden_size"), "\(e)") }
        XCTAssertThrowsError(try LayerRegistry.make("lstm", ["hidden_size": "0"]))
    }
}
