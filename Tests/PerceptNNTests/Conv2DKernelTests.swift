import Foundation
import PerceptCore
@testable import PerceptNN
import XCTest

/// Conv2D's GEMM paths (AVX-512 `pnn_gemm32` and the OpenBLAS fallback) against a plain
/// double-precision convolution: forward output, input gradient, weight and bias gradients.
final class Conv2DKernelTests: XCTestCase {
    /// Shapes that reach the AVX-512 path (out_channels a multiple of 32), with chunks whose column
    /// count is not a multiple of 32 (padded panels), several chunks per slot and a ReLU fused in.
    private let cases: [(values: [String: Value], input: [Int], batch: Int, relu: Bool)] = [
        (["out_channels": "32", "kernel_size": "5", "padding": "same"], [1, 9, 7], 5, true),
        (["out_channels": "64", "kernel_size": "3", "padding": "1"], [3, 6, 5], 7, false),
        (["out_channels": "32", "kernel_size": "3,2", "stride": "2,1", "padding": "1,0"], [2, 11, 6], 3, true),
        (["out_channels": "64", "kernel_size": "5", "padding": "same"], [3, 14, 14], 9, false),
        (["out_channels": "32", "kernel_size": "3", "dilation": "2,1", "padding": "2,1"], [2, 8, 21], 4, true),
    ]

    private func check(file: StaticString = #filePath, line: UInt = #line) throws {
        for threads in [1, 2] {
            for chunkColumns in [40, 512] {
                try Parallel.withThreads(threads) {
                    try Conv2D.withChunkColumns(chunkColumns) {
                        for c in cases { try checkOne(c.values, input: c.input, batch: c.batch, relu: c.relu, file: file, line: line) }
                    }
                }
            }
        }
    }

    private func checkOne(_ values: [String: Value], input: [Int], batch: Int, relu: Bool,
                          file: StaticString, line: UInt) throws {
        let (layer, outShape) = try buildLayer("conv2d", values, input: input)
        guard let conv = layer as? Conv2D else { return XCTFail("not a Conv2D", file: file, line: line) }
        conv.fusedReLU = relu
        let (cin, h, w) = (input[0], input[1], input[2]), (co, ho, wo) = (outShape[0], outShape[1], outShape[2])
        let k = conv.weights[0].shape, kh = k[2], kw = k[3]
        let sh = conv.sh, sw = conv.sw, pt = conv.pt, pl = conv.pl, dh = conv.dh, dw = conv.dw
        let x = randomValues(batch * cin * h * w, seed: 3)
        let wt = conv.weights[0].value.array(conv.weights[0].count), b = conv.weights[1].value.array(co)
        let r = randomValues(batch * co * ho * wo, seed: 4)
        // The layer keeps a pointer to its input for backward: run both inside one buffer access.
        let (y, dx): ([Float], [Float]) = x.withUnsafeBufferPointer { xb in
            let yp = conv.forward(xb.baseAddress!, batch: batch, context: ForwardContext(training: true, rng: RandomStream(seed: 1)))
            let y = Array(UnsafeBufferPointer(start: yp, count: r.count))
            let dx: [Float] = r.withUnsafeBufferPointer { rb in
                guard let g = conv.backward(rb.baseAddress!, batch: batch, inputGradient: true) else { return [] }
                return Array(UnsafeBufferPointer(start: g, count: batch * cin * h * w))
            }
            return (y, dx)
        }
        let gw = conv.weights[0].grad.array(wt.count), gb = conv.weights[1].grad.array(co)

        // Reference in Double.
        var refY = [Double](repeating: 0, count: y.count), refDx = [Double](repeating: 0, count: x.count)
        var refGw = [Double](repeating: 0, count: wt.count), refGb = [Double](repeating: 0, count: co)
        for n in 0..<batch {
            for o in 0..<co {
                for oy in 0..<ho {
                    for ox in 0..<wo {
                        var acc = Double(b[o])
                        for c in 0..<cin {
                            for ky in 0..<kh {
                                for kx in 0..<kw {
                                    let iy = oy * sh - pt + ky * dh, ix = ox * sw - pl + kx * dw
                                    guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                                    acc += Double(wt[((o * cin + c) * kh + ky) * kw + kx]) * Double(x[((n * cin + c) * h + iy) * w + ix])
                                }
                            }
                        }
                        let yi = ((n * co + o) * ho + oy) * wo + ox
                        refY[yi] = relu ? Swift.max(acc, 0) : acc
                        let g = relu && acc <= 0 ? 0 : Double(r[yi])
                        refGb[o] += g
                        for c in 0..<cin {
                            for ky in 0..<kh {
                                for kx in 0..<kw {
                                    let iy = oy * sh - pt + ky * dh, ix = ox * sw - pl + kx * dw
                                    guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                                    let wi = ((o * cin + c) * kh + ky) * kw + kx, xi = ((n * cin + c) * h + iy) * w + ix
                                    refGw[wi] += g * Double(x[xi])
                                    refDx[xi] += g * Double(wt[wi])
                                }
                            }
                        }
                    }
                }
            }
        }
        func assertClose(_ got: [Float], _ want: [Double], _ what: String) {
            XCTAssertEqual(got.count, want.count, what, file: file, line: line)
            let scale = want.map(abs).max() ?? 1
            let err = zip(got, want).map { abs(Double($0) - $1) }.max() ?? 0
            XCTAssertLessThan(err, 1e-5 * Swift.max(scale, 1), "\(what) \(values) wide=\(Conv2D.wideKernelEnabled) threads=\(Parallel.threads) chunk=\(Conv2D.chunkColumns) err=\(err)", file: file, line: line)
        }
        assertClose(y, refY, "forward")
        assertClose(dx, refDx, "input gradient")
        assertClose(gw, refGw, "weight gradient")
        assertClose(gb, refGb, "bias gradient")
    }

    func testConvolutionMatchesDoubleReferenceOnThisMachinesKernel() throws {
        try check()
    }

    func testConvolutionMatchesDoubleReferenceWithOpenBLASFallbackForced() throws {
        try GemmKernel.with(.blas) { try check() }
    }

    /// Dense's GEMMs (AVX-512 forward when out_features, backward when in_features is a multiple of 32)
    /// against Double sums, and 1 vs 2 threads bit for bit.
    func testDenseGradientsMatchDoubleReferenceOnBothKernels() throws {
        // The second shape is large enough for the rows to be split over two workers.
        for (nIn, nOut, batch) in [(96, 10, 7), (1056, 64, 24)] {
        var byThreads: [[Float]] = []
        for kernel in [GemmKernel.detected, .blas] {
          let enabled = kernel != .blas
          for threads in [1, 2] {
            try GemmKernel.with(kernel) { try Parallel.withThreads(threads) {
                let (layer, _) = try buildLayer("dense", ["out_features": "\(nOut)"], input: [nIn])
                let x = randomValues(batch * nIn, seed: 8), r = randomValues(batch * nOut, seed: 9)
                let wt = layer.weights[0].value.array(nIn * nOut)
                let bias = layer.weights[1].value.array(nOut)
                let (y, dx): ([Float], [Float]) = x.withUnsafeBufferPointer { xb in
                    let yp = layer.forward(xb.baseAddress!, batch: batch, context: ForwardContext(training: true, rng: RandomStream(seed: 1)))
                    let y = Array(UnsafeBufferPointer(start: yp, count: batch * nOut))
                    let dx: [Float] = r.withUnsafeBufferPointer { rb in
                        guard let g = layer.backward(rb.baseAddress!, batch: batch, inputGradient: true) else { return [] }
                        return Array(UnsafeBufferPointer(start: g, count: batch * nIn))
                    }
                    return (y, dx)
                }
                var errY = 0.0
                for s in 0..<batch {
                    for o in 0..<nOut {
                        var v = Double(bias[o])
                        for i in 0..<nIn { v += Double(x[s * nIn + i]) * Double(wt[o * nIn + i]) }
                        errY = Swift.max(errY, abs(v - Double(y[s * nOut + o])))
                    }
                }
                XCTAssertLessThan(errY, 1e-4, "forward, wide=\(enabled) \(nIn)→\(nOut)")
                let gw = layer.weights[0].grad.array(nIn * nOut)
                XCTAssertEqual(dx.count, batch * nIn)
                var errX = 0.0, errW = 0.0
                for s in 0..<batch {
                    for i in 0..<nIn {
                        var v = 0.0
                        for o in 0..<nOut { v += Double(r[s * nOut + o]) * Double(wt[o * nIn + i]) }
                        errX = Swift.max(errX, abs(v - Double(dx[s * nIn + i])))
                    }
                }
                for o in 0..<nOut {
                    for i in 0..<nIn {
                        var v = 0.0
                        for s in 0..<batch { v += Double(r[s * nOut + o]) * Double(x[s * nIn + i]) }
                        errW = Swift.max(errW, abs(v - Double(gw[o * nIn + i])))
                    }
                }
                XCTAssertLessThan(errX, 1e-4, "input gradient, wide=\(enabled) \(nIn)→\(nOut)")
                XCTAssertLessThan(errW, 1e-4, "weight gradient, wide=\(enabled) \(nIn)→\(nOut)")
                byThreads.append(y + dx + gw)
            } }
          }
          XCTAssertTrue(byThreads[byThreads.count - 2] == byThreads[byThreads.count - 1], "1 vs 2 threads differ, wide=\(enabled)")
        }
        }
    }

    /// Forward, input, weight and bias gradients of a conv layer (64 × 5×5 'same' on 3×14×14, batch 9).
    private func convResults() throws -> [[Float]] {
        let (layer, out) = try buildLayer("conv2d", ["out_channels": "64", "kernel_size": "5", "padding": "same"], input: [3, 14, 14])
        let batch = 9, outCount = batch * Tensor.count(of: out)
        // The layer keeps a pointer to its input for backward: run both inside one buffer access.
        let x = randomValues(batch * 3 * 14 * 14, seed: 5), r = randomValues(outCount, seed: 6)
        let (y, dx): ([Float], [Float]) = x.withUnsafeBufferPointer { xb in
            let yp = layer.forward(xb.baseAddress!, batch: batch, context: ForwardContext(training: true, rng: RandomStream(seed: 1)))
            let y = Array(UnsafeBufferPointer(start: yp, count: outCount))
            let dx: [Float] = r.withUnsafeBufferPointer { rb in
                guard let g = layer.backward(rb.baseAddress!, batch: batch, inputGradient: true) else { return [] }
                return Array(UnsafeBufferPointer(start: g, count: batch * 3 * 14 * 14))
            }
            return (y, dx)
        }
        return [y, dx, layer.weights[0].grad.array(layer.weights[0].count), layer.weights[1].grad.array(64)]
    }

    func testCKernelPathIsBitIdenticalForOneAndTwoThreads() throws {
        try XCTSkipUnless(Conv2D.wideKernelEnabled, "no AVX2 or AVX-512 on this machine")
        var results: [[Float]] = []
        for threads in [1, 2] {
            results += try Parallel.withThreads(threads) { try convResults() }
        }
        for (i, what) in ["forward", "input gradient", "weight gradient", "bias gradient"].enumerated() {
            let a = results[i], b = results[i + 4]
            XCTAssertTrue(a == b, "\(what) differs: max |Δ| \(zip(a, b).map { abs($0 - $1) }.max() ?? 0)")
        }
    }

    /// The padded path's channel blocks (one channel per block here, 3 blocks) split only GEMM k
    /// ranges and rows: forward and all gradients equal one unblocked pass bit for bit.
    func testChannelBlocksGiveTheBitsOfOneUnblockedPass() throws {
        try XCTSkipUnless(Conv2D.wideKernelEnabled, "no AVX2 or AVX-512 on this machine")
        let whole = try convResults(), blocked = try Conv2D.withBlockFloats(1) { try convResults() }
        for (i, what) in ["forward", "input gradient", "weight gradient", "bias gradient"].enumerated() {
            XCTAssertTrue(!whole[i].isEmpty && whole[i] == blocked[i], "\(what) differs: max |Δ| \(zip(whole[i], blocked[i]).map { abs($0 - $1) }.max() ?? 0)")
        }
    }

    /// The AVX2 kernels compute every element as the AVX-512 ones do (one k-ordered FMA chain, the
    /// same im2col/col2im order), so a model trains to the same bits on either kind of machine.
    func testAVX2AndAVX512KernelsGiveTheSameBits() throws {
        try XCTSkipUnless(GemmKernel.detected == .avx512, "needs a CPU with AVX-512 to run both kernels")
        var byKernel: [[[Float]]] = []
        for kernel in [GemmKernel.avx512, .avx2] {
            try GemmKernel.with(kernel) {
                var dense: [[Float]] = []
                // Dense: forward (out 64), both backward GEMMs (in 96); batch 13 leaves 6-, 4-, 2- and 1-row tiles.
                let (layer, _) = try buildLayer("dense", ["out_features": "64"], input: [96])
                let batch = 13, x = randomValues(batch * 96, seed: 21), r = randomValues(batch * 64, seed: 22)
                x.withUnsafeBufferPointer { xb in
                    let yp = layer.forward(xb.baseAddress!, batch: batch, context: ForwardContext(training: true, rng: RandomStream(seed: 1)))
                    dense.append(Array(UnsafeBufferPointer(start: yp, count: batch * 64)))
                    r.withUnsafeBufferPointer { rb in
                        if let g = layer.backward(rb.baseAddress!, batch: batch, inputGradient: true) {
                            dense.append(Array(UnsafeBufferPointer(start: g, count: batch * 96)))
                        }
                    }
                }
                dense.append(layer.weights[0].grad.array(layer.weights[0].count))
                byKernel.append(try convResults() + dense)
            }
        }
        let names = ["conv forward", "conv input gradient", "conv weight gradient", "conv bias gradient",
                     "dense forward", "dense input gradient", "dense weight gradient"]
        XCTAssertEqual(byKernel[0].count, names.count)
        for (i, what) in names.enumerated() {
            let a = byKernel[0][i], b = byKernel[1][i]
            XCTAssertTrue(!a.isEmpty && a == b, "\(what) differs: max |Δ| \(zip(a, b).map { abs($0 - $1) }.max() ?? 0)")
        }
    }
}
