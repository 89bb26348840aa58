import Foundation
import PerceptCore
import PerceptNN
import XCTest

/// safetensors headers whose sizes overflow Int (found while writing the fuzz target; inputs in
/// Fixtures/fuzz/): one bad-input line, where the reader used to trap.
final class SafeTensorsFuzzTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz").path

    func testAShapeWhoseElementCountOverflowsIsBadInput() {
        assertBadInput("shape-product-overflows.safetensors")
    }

    func testDataOffsetsWhoseDifferenceOverflowsAreBadInput() {
        assertBadInput("offsets-difference-overflows.safetensors")
    }

    /// An architecture in the metadata that would not fit memory: refused when the model is built,
    /// before any weight is allocated (it used to ask for 64 GB, or trap counting the input).
    func testACheckpointWhoseArchitectureCannotFitIsBadInput() {
        for (name, fragment) in [("checkpoint-dense-4e9-outputs.safetensors", "layer 1 (dense): weight: its 4000000000 × 4 weight and gradient would need 128 GB"),
                                 ("checkpoint-input-shape-overflows.safetensors", "input_shape: one input of [1, 4000000000, 4000000000] would need more memory than can be addressed")] {
            let p = Self.fixtures + "/" + name
            XCTAssertThrowsError(try ResourceLimits.maxMemory.withValue(1 << 30) { try Checkpoint.loadModel(p) }, name) { error in
                guard case .badInput(let file, let message)? = error as? PerceptError else { return XCTFail("\(error)") }
                XCTAssertEqual(file, p)
                XCTAssertTrue(message.contains(fragment), message)
            }
        }
    }

    private func assertBadInput(_ name: String, line: UInt = #line) {
        let p = Self.fixtures + "/" + name
        XCTAssertThrowsError(try SafeTensors.read(p), line: line) { error in
            guard case .badInput(let file, let message)? = error as? PerceptError else { return XCTFail("\(error)", line: line) }
            XCTAssertEqual(file, p, line: line)
            XCTAssertTrue(message.contains("data_offsets"), message, line: line)
        }
    }
}
