import Foundation
import PerceptCore
import PerceptIO
import XCTest

/// Loads `Fixtures/<name>.npy` (written by Fixtures/generate.py with OpenCV / scikit-image).
func fixture(_ name: String) throws -> Tensor {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name).npy")
    return try Npy.loadTensor(url.path)
}

/// Asserts equal shapes and max |a − b| ≤ tol.
func assertClose(_ a: Tensor, _ b: Tensor, tol: Float = 1e-4, _ what: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.shape, b.shape, "shape \(what)", file: file, line: line)
    guard a.shape == b.shape else { return }
    let d = a.maxAbsDifference(b)
    XCTAssertLessThanOrEqual(d, tol, "max abs diff \(what)", file: file, line: line)
}
