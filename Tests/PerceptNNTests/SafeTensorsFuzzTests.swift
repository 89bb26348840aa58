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

    private func assertBadInput(_ name: String, line: UInt = #line) {
        let p = Self.fixtures + "/" + name
        XCTAssertThrowsError(try SafeTensors.read(p), line: line) { error in
            guard case .badInput(let file, let message)? = error as? PerceptError else { return XCTFail("\(error)", line: line) }
            XCTAssertEqual(file, p, line: line)
            XCTAssertTrue(message.contains("data_offsets"), message, line: line)
        }
    }
}
