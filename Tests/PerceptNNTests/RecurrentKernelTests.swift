import Foundation
import PerceptCore
import PerceptNN
import XCTest

/// Hidden sizes that are multiples of 32 run the packed recurrent GEMM kernels (AVX-512 in C where the
/// CPU has it, Swift AVX2 otherwise): forward against a plain Double LSTM, gradients against finite
/// differences, and results independent of batch chunking and thread count.
final class RecurrentKernelTests: XCTestCase {
    /// PyTorch's LSTM equations in Double, one sample `[T, I]`, returning every h_t.
    private func referenceLSTM(_ x: [Float], frames T: Int, input I: Int, hidden H: Int, weights w: [Param]) -> [Double] {
        let wih = w[0].value.array(w[0].count), whh = w[1].value.array(w[1].count)
        let bih = w[2].value.array(w[2].count), bhh = w[3].value.array(w[3].count)
        func sig(_ v: Double) -> Double { 1 / (1 + exp(-v)) }
        var h = [Double](repeating: 0, count: H), c = h, out: [Double] = []
        for t in 0..<T {
            var g = [Double](repeating: 0, count: 4 * H)
            for r in 0..<(4 * H) {
                var s = Double(bih[r]) + Double(bhh[r])
                for k in 0..<I { s += Double(wih[r * I + k]) * Double(x[t * I + k]) }
                for k in 0..<H { s += Double(whh[r * H + k]) * h[k] }
                g[r] = s
            }
            for j in 0..<H {
                c[j] = sig(g[H + j]) * c[j] + sig(g[j]) * tanh(g[2 * H + j])
                h[j] = sig(g[3 * H + j]) * tanh(c[j])
            }
            out += h
        }
        return out
    }

    func testPackedKernelLSTMForwardMatchesDoubleReference() throws {
        let T = 4, I = 3, H = 64, B = 7   // 7 rows: one 6-row tile plus a single-row tail
        let (layer, _) = try buildLayer("lstm", ["hidden_size": "\(H)", "return_sequences": "true"], input: [T, I])
        // Larger weights than the default init, so the recurrent term matters.
        for p in layer.weights { for i in 0..<p.count { p.value.ptr[i] *= 3 } }
        let x = randomValues(B * T * I, seed: 5)
        let y = forward(layer, x, batch: B, count: B * T * H)
        for b in 0..<B {
            let ref = referenceLSTM(Array(x[(b * T * I)..<((b + 1) * T * I)]), frames: T, input: I, hidden: H, weights: layer.weights)
            assertClose(Array(y[(b * T * H)..<((b + 1) * T * H)]), ref.map { Float($0) }, tol: 2e-5, "lstm h sample \(b)")
        }
    }

    func testPackedKernelLSTMGradientsMatchFiniteDifferences() throws {
        let (layer, out) = try buildLayer("lstm", ["hidden_size": "32", "return_sequences": "true"], input: [2, 2])
        try assertGradients(layer, input: [2, 2], output: out, batch: 2)
    }

    func testPackedKernelGRUGradientsMatchFiniteDifferences() throws {
        let (layer, out) = try buildLayer("gru", ["hidden_size": "32"], input: [3, 2])
        try assertGradients(layer, input: [3, 2], output: out, batch: 2)
    }

    /// A batch of 17 (chunks of 16 and 1) against the same samples one at a time, with 1 and 2 threads.
    private func assertChunkingInvariant(_ type: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let H = 32, B = 17, T = 4, F = 3
        let x = randomValues(B * T * F, seed: 41), dy = randomValues(B * T * H, seed: 42)
        var results: [([Float], [Float], [[Float]])] = []
        for threads in [1, 2] {
            try Parallel.withThreads(threads) {
                let (layer, _) = try buildLayer(type, ["hidden_size": "\(H)", "return_sequences": "true"], input: [T, F], seed: 6)
                let (y, dx) = forwardBackward(layer, x, dy, batch: B, outCount: B * T * H, inCount: B * T * F)
                results.append((y, dx, layer.weights.map { $0.grad.array($0.count) }))
                guard threads == 1 else { return }
                for b in [0, 5, 16] {
                    let (y1, dx1) = forwardBackward(layer, Array(x[(b * T * F)..<((b + 1) * T * F)]), Array(dy[(b * T * H)..<((b + 1) * T * H)]),
                                                    batch: 1, outCount: T * H, inCount: T * F)
                    // Each row is the same FMA chain whichever tile it lands in: bit-identical.
                    XCTAssertEqual(y1, Array(y[(b * T * H)..<((b + 1) * T * H)]), "\(type) y sample \(b)", file: file, line: line)
                    XCTAssertEqual(dx1, Array(dx[(b * T * F)..<((b + 1) * T * F)]), "\(type) dx sample \(b)", file: file, line: line)
                }
            }
        }
        XCTAssertEqual(results[0].0, results[1].0, "outputs do not depend on the thread count", file: file, line: line)
        XCTAssertEqual(results[0].1, results[1].1, file: file, line: line)
        XCTAssertEqual(results[0].2, results[1].2, file: file, line: line)
    }

    func testPackedKernelLSTMIsIndependentOfChunkingAndThreads() throws { try assertChunkingInvariant("lstm") }
    func testPackedKernelGRUIsIndependentOfChunkingAndThreads() throws { try assertChunkingInvariant("gru") }
}
