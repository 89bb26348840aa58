@testable import PerceptAugment
import PerceptCore
import XCTest

final class GaussianFieldTests: XCTestCase {
    /// The bulk generator uses the same Philox blocks as `RandomStream(seed:)`, turned into
    /// normals by Box–Muller; compare with a Double-precision reference of the same formula.
    func testMatchesBoxMullerOnRandomStreamBlocks() {
        let n = 32 * 3
        let fast = GaussianField.values(count: n, seed: 77)
        var rng = RandomStream(seed: 77)
        var blocks = [(UInt32, UInt32, UInt32, UInt32)]()
        for _ in 0..<24 { blocks.append((rng.nextUInt32(), rng.nextUInt32(), rng.nextUInt32(), rng.nextUInt32())) }
        func pair(_ a: UInt32, _ b: UInt32) -> (Double, Double) {
            let u1 = Double(a >> 8 + 1) / 16_777_216, u2 = Double(b >> 8) / 16_777_216
            let r = (-2 * log(u1)).squareRoot()
            return (r * cos(2 * Double.pi * u2), r * sin(2 * Double.pi * u2))
        }
        for chunk in 0..<3 {
            for lane in 0..<8 {
                let b = blocks[chunk * 8 + lane]
                let (c1, s1) = pair(b.0, b.1), (c2, s2) = pair(b.2, b.3)
                let got = (0..<4).map { Double(fast[chunk * 32 + $0 * 8 + lane]) }
                for (g, e) in zip(got, [c1, s1, c2, s2]) { XCTAssertEqual(g, e, accuracy: 2e-6 * max(1, abs(e))) }
            }
        }
    }

    func testMomentsAndAddAgreeWithValues() {
        let v = GaussianField.values(count: 200_003, seed: 5, mean: 1, std: 2)
        let m = v.map(Double.init).reduce(0, +) / Double(v.count)
        let sd = (v.map { (Double($0) - m) * (Double($0) - m) }.reduce(0, +) / Double(v.count)).squareRoot()
        XCTAssertEqual(m, 1, accuracy: 0.02)
        XCTAssertEqual(sd, 2, accuracy: 0.02)
        var buf = [Float](repeating: 3, count: 1001)
        buf.withUnsafeMutableBufferPointer { GaussianField.add(to: $0.baseAddress!, count: 1001, seed: 5, mean: 1, std: 2) }
        for i in 0..<1001 { XCTAssertEqual(buf[i], 3 + v[i]) }
        XCTAssertNotEqual(GaussianField.values(count: 10, seed: 6), Array(v.prefix(10)))
    }
}
