import PerceptAugment
import PerceptCore
import XCTest

/// Builds a stage from YAML-style option text.
func make<T: AugmentationStage>(_ t: T.Type, _ values: [String: Value] = [:]) throws -> T {
    try T(Parameters(owner: T.name, specs: T.parameters, values: values, naming: .yaml))
}

func makeBatch<T: BatchAugmentationStage>(_ t: T.Type, _ values: [String: Value] = [:]) throws -> T {
    try T(Parameters(owner: T.name, specs: T.parameters, values: values, naming: .yaml))
}

/// A deterministic test image [c, h, w] with distinct values in [0, 1].
func testImage(_ c: Int, _ h: Int, _ w: Int, salt: Int = 0) -> Tensor {
    var rng = RandomStream(seed: UInt64(1000 + salt))
    return Tensor(unchecked: [c, h, w], data: (0..<(c * h * w)).map { _ in rng.uniform() })
}

/// A sine of `freq` Hz, `n` samples at `sr`.
func tone(_ freq: Double, sr: Int, n: Int, amplitude: Float = 0.5) -> [Float] {
    (0..<n).map { amplitude * Float(sin(2 * Double.pi * freq * Double($0) / Double(sr))) }
}

/// Draws with the stage's own stream and applies (gate bypassed), returning params and result.
func drawApply<T: AugmentationStage>(_ stage: T, _ sample: Sample, seed: UInt64 = 1) throws -> (T.Params, Sample) {
    var rng = RandomStream(seed: seed)
    let p = stage.draw(rng: &rng, shape: sample.shape)
    var s = sample
    try stage.apply(p, to: &s)
    return (p, s)
}

/// Asserts that `body` throws an invalidArgument naming `field` and saying `fragment`.
func assertInvalid(_ field: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
    do {
        try body()
        XCTFail("expected an error naming \(field)", file: file, line: line)
    } catch let e as PerceptError {
        XCTAssertEqual(e.exitCode, 2, file: file, line: line)
        XCTAssertTrue(e.description.hasPrefix(field + ":"), "'\(e.description)' should name \(field)", file: file, line: line)
        XCTAssertTrue(e.description.contains(fragment), "'\(e.description)' should say '\(fragment)'", file: file, line: line)
        XCTAssertFalse(e.description.contains("\n"), file: file, line: line)
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
}
