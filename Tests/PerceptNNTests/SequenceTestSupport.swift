import Foundation
import PerceptCore
import PerceptIO
import PerceptNN
import XCTest

/// PyTorch references written by Fixtures/rnn/generate.py.
enum RNNFixture {
    static func load(_ name: String) throws -> Tensor { try Fixture.load("rnn/" + name) }
    static func array(_ name: String) throws -> [Float] { try load(name).storage }

    /// Copies every weight and buffer of `layer` from `<prefix>_<name>.npy` (PyTorch state_dict names).
    static func loadWeights(_ layer: any Layer, _ prefix: String) throws {
        for p in layer.weights { try p.load(load("\(prefix)_\(p.name)"), as: p.name) }
    }

    /// Compares the parameter gradients with `<prefix>_grad_<name>.npy`.
    static func assertWeightGradients(_ layer: any Layer, _ prefix: String, tol: Float,
                                      file: StaticString = #filePath, line: UInt = #line) throws {
        for p in layer.weights {
            assertClose(p.grad.array(p.count), try array("\(prefix)_grad_\(p.name)"), tol: tol, "\(prefix) d\(p.name)", file: file, line: line)
        }
    }
}

/// Forward then backward with the input kept alive in between (layers keep a pointer to it).
func forwardBackward(_ layer: any Layer, _ x: [Float], _ dy: [Float], batch: Int, outCount: Int, inCount: Int,
                     training: Bool = false) -> (y: [Float], dx: [Float]) {
    x.withUnsafeBufferPointer { xb in
        let y = layer.forward(xb.baseAddress!, batch: batch, context: ForwardContext(training: training, rng: RandomStream(seed: 99)))
        let ys = Array(UnsafeBufferPointer(start: y, count: outCount))
        return (ys, backward(layer, dy, batch: batch, count: inCount))
    }
}

/// Runs backward on an array and reads back `count` input-gradient floats.
func backward(_ layer: any Layer, _ dy: [Float], batch: Int, count: Int) -> [Float] {
    dy.withUnsafeBufferPointer { b -> [Float] in
        guard let g = layer.backward(b.baseAddress!, batch: batch, inputGradient: true) else { return [] }
        return Array(UnsafeBufferPointer(start: g, count: count))
    }
}

/// Central finite differences of L = Σ r·y (Double accumulation) against backward(), for every
/// input element and every parameter element of an already built layer. `prepare` runs before each
/// forward (e.g. to set a mask).
func assertGradients(_ layer: any Layer, input: [Int], output: [Int], batch: Int, training: Bool = false,
                     x given: [Float]? = nil, eps: Float = 1e-2, atol: Double = 2e-3, rtol: Double = 1e-2,
                     prepare: () throws -> Void = {}, file: StaticString = #filePath, line: UInt = #line) rethrows {
    let inCount = batch * Tensor.count(of: input), outCount = batch * Tensor.count(of: output)
    var x = given ?? randomValues(inCount, seed: 21, scale: 0.8)
    let r = randomValues(outCount, seed: 22).map(Double.init)
    func objective() throws -> Double {
        try prepare()
        return zip(forward(layer, x, batch: batch, count: outCount, training: training), r).reduce(0.0) { $0 + Double($1.0) * $1.1 }
    }
    _ = try objective()
    let dx = backward(layer, r.map(Float.init), batch: batch, count: inCount)
    XCTAssertEqual(dx.count, inCount, "no input gradient", file: file, line: line)
    let grads = layer.weights.map { $0.grad.array($0.count) }
    var failures = 0
    func compare(_ a: Float, _ n: Double, _ what: String) {
        let err = abs(Double(a) - n)
        if err > atol + rtol * abs(n) {
            failures += 1
            if failures <= 5 { XCTFail("\(type(of: layer).name) \(what): analytic \(a), numeric \(n)", file: file, line: line) }
        }
    }
    var checked = 0
    for i in 0..<inCount {
        let keep = x[i]
        x[i] = keep + eps; let fp = try objective()
        x[i] = keep - eps; let fm = try objective()
        x[i] = keep
        compare(dx[i], (fp - fm) / (2 * Double(eps)), "d/dx[\(i)]")
        checked += 1
    }
    for (p, g) in zip(layer.weights, grads) {
        for i in 0..<p.count {
            let keep = p.value.ptr[i]
            p.value.ptr[i] = keep + eps; let fp = try objective()
            p.value.ptr[i] = keep - eps; let fm = try objective()
            p.value.ptr[i] = keep
            compare(g[i], (fp - fm) / (2 * Double(eps)), "d/d\(p.name)[\(i)]")
            checked += 1
        }
    }
    XCTAssertGreaterThan(checked, 0, file: file, line: line)
}

/// Forward and backward parity of `lstm`/`gru` with PyTorch on copied weights, from fixture `name`.
func assertRecurrentMatchesTorch(_ type: String, _ name: String, inputSize: Int, hidden: Int, layers: Int,
                                 bidirectional: Bool, batch: Int, frames: Int, last: Bool,
                                 file: StaticString = #filePath, line: UInt = #line) throws {
    let values: [String: Value] = ["hidden_size": "\(hidden)", "num_layers": "\(layers)", "bidirectional": "\(bidirectional)",
                  "return_sequences": "\(!last)"]
    let (layer, outShape) = try buildLayer(type, values, input: [frames, inputSize])
    let dirs = bidirectional ? 2 : 1
    XCTAssertEqual(outShape, last ? [hidden * dirs] : [frames, hidden * dirs], file: file, line: line)
    try RNNFixture.loadWeights(layer, name)
    var mask: SequenceMask?
    if let lengths = try? RNNFixture.array(name + "_lengths") {
        let m = try SequenceMask(frames: frames)
        try m.connect(try XCTUnwrap(layer as? any MaskConsumer), name: type)
        try m.set(lengths: lengths.map { Int($0) }, batch: batch)
        mask = m
    }
    let outCount = batch * Tensor.count(of: outShape), inCount = batch * frames * inputSize
    let (y, dx) = forwardBackward(layer, try RNNFixture.array(name + "_x"), try RNNFixture.array(name + "_dy"),
                                  batch: batch, outCount: outCount, inCount: inCount)
    assertClose(y, try RNNFixture.array(name + "_y"), tol: 2e-5, "\(name) forward", file: file, line: line)
    assertClose(dx, try RNNFixture.array(name + "_dx"), tol: 5e-5, "\(name) dx", file: file, line: line)
    try RNNFixture.assertWeightGradients(layer, name, tol: 1e-4, file: file, line: line)
    _ = mask
}
