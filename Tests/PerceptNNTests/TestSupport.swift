import Foundation
import PerceptCore
import PerceptIO
import PerceptNN
import XCTest

/// Fixture files written by Fixtures/generate.py (PyTorch references).
enum Fixture {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static func load(_ name: String) throws -> Tensor { try Npy.loadTensor(dir.appendingPathComponent(name + ".npy").path) }
}

/// Builds one layer for a per-sample input shape; returns it with its output shape.
func buildLayer(_ type: String, _ values: [String: Value], input: [Int], seed: UInt64 = 7) throws -> (any Layer, [Int]) {
    let layer = try LayerRegistry.make(type, values)
    var rng = RandomStream(seed: seed)
    let out = try layer.build(inputShape: input, rng: &rng)
    return (layer, out)
}

/// `n` distinct values spaced `spacing` apart, shuffled, none closer than spacing/2 to zero:
/// keeps finite differences away from the kinks of ReLU, max-pooling and the hinge.
func spacedValues(_ n: Int, seed: UInt64, spacing: Float = 0.06) -> [Float] {
    var rng = RandomStream(seed: seed)
    return rng.permutation(n).map { (Float($0) - Float(n / 2)) * spacing + spacing / 2 }
}

func randomValues(_ n: Int, seed: UInt64, scale: Float = 1) -> [Float] {
    var rng = RandomStream(seed: seed)
    return (0..<n).map { _ in rng.normal(mean: 0, std: scale) }
}

/// Runs a layer's forward pass on an array; `count` output floats are read back.
func forward(_ layer: any Layer, _ x: [Float], batch: Int, count: Int, training: Bool = false) -> [Float] {
    x.withUnsafeBufferPointer { xb -> [Float] in
        let y = layer.forward(xb.baseAddress!, batch: batch, context: ForwardContext(training: training, rng: RandomStream(seed: 99)))
        return Array(UnsafeBufferPointer(start: y, count: count))
    }
}

/// Finite-difference gradient check of one layer: compares backward() against central differences
/// of L = Σ r·y (accumulated in Double) for every input element and every parameter element.
func assertLayerGradients(_ type: String, _ values: [String: Value] = [:], input: [Int], batch: Int = 2,
                          training: Bool = false, eps: Float = 1e-2, atol: Double = 2e-3, rtol: Double = 1e-2,
                          file: StaticString = #filePath, line: UInt = #line) throws {
    let (layer, outShape) = try buildLayer(type, values, input: input)
    let inCount = batch * Tensor.count(of: input), outCount = batch * Tensor.count(of: outShape)
    var x = spacedValues(inCount, seed: 11)
    let r = randomValues(outCount, seed: 12).map(Double.init)
    func objective() -> Double {
        zip(forward(layer, x, batch: batch, count: outCount, training: training), r).reduce(0.0) { $0 + Double($1.0) * $1.1 }
    }
    _ = objective()
    let rf = r.map(Float.init)
    let dx: [Float] = rf.withUnsafeBufferPointer { rb in
        guard let g = layer.backward(rb.baseAddress!, batch: batch, inputGradient: true) else { return [] }
        return Array(UnsafeBufferPointer(start: g, count: inCount))
    }
    XCTAssertEqual(dx.count, inCount, "\(type): no input gradient", file: file, line: line)
    let paramGrads = layer.weights.map { $0.grad.array($0.count) }
    var worst = 0.0
    func compare(_ analytic: Float, _ numeric: Double, _ what: String) {
        let err = abs(Double(analytic) - numeric)
        worst = max(worst, err / (atol + rtol * abs(numeric)))
        if err > atol + rtol * abs(numeric) {
            XCTFail("\(type) \(what): analytic \(analytic), numeric \(numeric)", file: file, line: line)
        }
    }
    for i in 0..<inCount {
        let keep = x[i]
        x[i] = keep + eps; let fp = objective()
        x[i] = keep - eps; let fm = objective()
        x[i] = keep
        compare(dx[i], (fp - fm) / (2 * Double(eps)), "d/dx[\(i)]")
        if worst > 1 { return }
    }
    for (p, grad) in zip(layer.weights, paramGrads) {
        for i in 0..<p.count {
            let keep = p.value.ptr[i]
            p.value.ptr[i] = keep + eps; let fp = objective()
            p.value.ptr[i] = keep - eps; let fm = objective()
            p.value.ptr[i] = keep
            compare(grad[i], (fp - fm) / (2 * Double(eps)), "d/d\(p.name)[\(i)]")
            if worst > 1 { return }
        }
    }
}

func assertClose(_ a: [Float], _ b: [Float], tol: Float, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(what): count", file: file, line: line)
    var worst: Float = 0, at = 0
    for i in 0..<min(a.count, b.count) where abs(a[i] - b[i]) > worst { worst = abs(a[i] - b[i]); at = i }
    XCTAssertLessThanOrEqual(worst, tol, "\(what): max |diff| \(worst) at \(at)", file: file, line: line)
}

/// A scratch directory removed at the end of the test.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("percept-nn-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
