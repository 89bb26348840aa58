import PerceptCore
import PerceptNN
import XCTest

/// Conv1D against PyTorch nn.Conv1d on copied weights, and finite differences.
final class Conv1DTests: XCTestCase {
    private func assertMatchesTorch(_ name: String, _ values: [String: Value], input: [Int], batch: Int,
                                    file: StaticString = #filePath, line: UInt = #line) throws {
        let (layer, out) = try buildLayer("conv1d", values, input: input)
        XCTAssertEqual([batch] + out, try RNNFixture.load(name + "_y").shape, file: file, line: line)
        try RNNFixture.loadWeights(layer, name)
        let (y, dx) = forwardBackward(layer, try RNNFixture.array(name + "_x"), try RNNFixture.array(name + "_dy"),
                                      batch: batch, outCount: batch * Tensor.count(of: out), inCount: batch * Tensor.count(of: input))
        assertClose(y, try RNNFixture.array(name + "_y"), tol: 2e-5, "\(name) forward", file: file, line: line)
        assertClose(dx, try RNNFixture.array(name + "_dx"), tol: 5e-5, "\(name) dx", file: file, line: line)
        try RNNFixture.assertWeightGradients(layer, name, tol: 1e-4, file: file, line: line)
    }

    func testConv1DMatchesTorch() throws {
        try assertMatchesTorch("conv1d_basic", ["out_channels": "4", "kernel_size": "3"], input: [3, 9], batch: 2)
    }

    func testStridedPaddedDilatedConv1DMatchesTorch() throws {
        try assertMatchesTorch("conv1d_strided", ["out_channels": "5", "kernel_size": "3", "stride": "2", "padding": "1", "dilation": "2"],
                               input: [3, 11], batch: 2)
    }

    func testSamePaddingWithEvenKernelMatchesTorch() throws {
        // PyTorch puts the odd padding frame on the right.
        try assertMatchesTorch("conv1d_same", ["out_channels": "3", "kernel_size": "4", "padding": "same"], input: [2, 7], batch: 3)
    }

    func testConv1DGradientsMatchFiniteDifferences() throws {
        let (layer, out) = try buildLayer("conv1d", ["out_channels": "3", "kernel_size": "3", "stride": "2", "padding": "2", "dilation": "2"], input: [2, 9])
        try assertGradients(layer, input: [2, 9], output: out, batch: 2)
    }

    func testConv1DRejectsRank3InputAndShortSequences() {
        XCTAssertThrowsError(try Sequential([LayerSpec("conv1d", ["out_channels": "2", "kernel_size": "3"])], inputShape: [1, 8, 8])) { e in
            XCTAssertTrue("\(e)".contains("layer 0 (conv1d)"), "\(e)")
        }
        XCTAssertThrowsError(try Sequential([LayerSpec("conv1d", ["out_channels": "2", "kernel_size": "5"])], inputShape: [1, 3]))
        XCTAssertThrowsError(try LayerRegistry.make("conv1d", ["out_channels": "2", "kernel_size": "3", "stride": "2", "padding": "same"]))
    }
}
