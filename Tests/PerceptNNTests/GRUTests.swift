import PerceptCore
import PerceptNN
import XCTest

/// GRU: PyTorch parity on copied weights and finite-difference gradients.
final class GRUTests: XCTestCase {
    func testGRUSequenceMatchesTorchForwardAndBackward() throws {
        try assertRecurrentMatchesTorch("gru", "gru_seq", inputSize: 3, hidden: 4, layers: 1, bidirectional: false,
                                        batch: 2, frames: 5, last: false)
    }

    func testStackedBidirectionalGRUMatchesTorch() throws {
        try assertRecurrentMatchesTorch("gru", "gru_stack_bi", inputSize: 3, hidden: 4, layers: 2, bidirectional: true,
                                        batch: 2, frames: 5, last: false)
    }

    func testMaskedGRULastStateMatchesTorchPackedSequence() throws {
        try assertRecurrentMatchesTorch("gru", "gru_last_masked", inputSize: 3, hidden: 4, layers: 1, bidirectional: true,
                                        batch: 3, frames: 6, last: true)
    }

    func testWideMaskedBidirectionalGRUSequenceMatchesTorch() throws {
        // Hidden 9 runs the 8-wide vector path and the scalar tail; padded frames output zeros like pad_packed_sequence.
        try assertRecurrentMatchesTorch("gru", "gru_wide_masked", inputSize: 5, hidden: 9, layers: 1, bidirectional: true,
                                        batch: 3, frames: 6, last: false)
    }

    func testWideGRUGradientsMatchFiniteDifferences() throws {
        let (layer, out) = try buildLayer("gru", ["hidden_size": "9", "return_sequences": "true"], input: [3, 2])
        try assertGradients(layer, input: [3, 2], output: out, batch: 2)
    }

    func testGRUGradientsMatchFiniteDifferences() throws {
        let (layer, out) = try buildLayer("gru", ["hidden_size": "3", "return_sequences": "true"], input: [4, 2])
        try assertGradients(layer, input: [4, 2], output: out, batch: 2)
    }

    func testStackedBidirectionalMaskedGRUGradientsMatchFiniteDifferences() throws {
        let (layer, out) = try buildLayer("gru", ["hidden_size": "3", "num_layers": "2", "bidirectional": "true"], input: [5, 2])
        let mask = try SequenceMask(frames: 5)
        try mask.connect(try XCTUnwrap(layer as? GRU), name: "gru")
        try assertGradients(layer, input: [5, 2], output: out, batch: 2) { try mask.set(lengths: [3, 5], batch: 2) }
    }

    func testGRUWeightsUseTorchNamesAndShapes() throws {
        let (layer, out) = try buildLayer("gru", ["hidden_size": "5", "bias": "false"], input: [7, 3])
        XCTAssertEqual(out, [5])
        XCTAssertEqual(layer.weights.map(\.name), ["weight_ih_l0", "weight_hh_l0"])
        XCTAssertEqual(layer.weights.map(\.shape), [[15, 3], [15, 5]])
    }
}
