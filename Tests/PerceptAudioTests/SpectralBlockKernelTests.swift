@testable import PerceptAudio
import XCTest

final class SpectralBlockTransposeTests: XCTestCase {
    func testTransposeMatchesTheDefinitionForWholeTilesAndRaggedEdges() {
        for (rows, cols) in [(8, 8), (64, 257), (13, 19), (7, 9), (1, 1), (16, 3)] {
            let ld = cols + 5, ldOut = rows + 3
            let a = (0..<(rows * ld)).map { Float($0) * 0.5 - 7 }
            var out = [Float](repeating: .nan, count: cols * ldOut)
            a.withUnsafeBufferPointer { ap in
                out.withUnsafeMutableBufferPointer { op in
                    SpectralBlockKernel.transpose(ap.baseAddress!, ld: ld, rows: rows, cols: cols, into: op.baseAddress!, ldOut: ldOut)
                }
            }
            for r in 0..<rows {
                for c in 0..<cols { XCTAssertEqual(out[c * ldOut + r], a[r * ld + c], "\(rows)×\(cols) at (\(r), \(c))") }
            }
            for c in 0..<cols {
                for pad in rows..<ldOut { XCTAssertTrue(out[c * ldOut + pad].isNaN, "padding untouched") }
            }
        }
    }
}
