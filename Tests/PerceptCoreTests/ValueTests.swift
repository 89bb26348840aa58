import Foundation
import PerceptCore
import XCTest

final class ValueTests: XCTestCase {
    func testLiteralsBuildTypedValues() {
        let v: Value = ["out_channels": 32, "kernel_size": [3, 5], "bias": false, "lr": 0.5, "mode": "same", "none": nil]
        XCTAssertEqual(v["out_channels"]?.content, .int(32))
        XCTAssertEqual(v["kernel_size"]?.items?.map(\.content), [.int(3), .int(5)])
        XCTAssertEqual(v["bias"]?.content, .bool(false))
        XCTAssertEqual(v["lr"]?.content, .float(0.5))
        XCTAssertEqual(v["mode"]?.content, .string("same"))
        XCTAssertTrue(v["none"]?.isNull == true)
        XCTAssertEqual(v.description, "{out_channels: 32, kernel_size: [3, 5], bias: false, lr: 0.5, mode: same, none: null}")
    }

    func testCanonicalTextSortsMapKeysSoWritingOrderDoesNotMatter() {
        let a: Value = ["b": 1, "a": ["y": 2, "x": 3]], b: Value = ["a": ["x": 3, "y": 2], "b": 1]
        XCTAssertNotEqual(a.description, b.description)
        XCTAssertEqual(a.canonical, b.canonical)
        XCTAssertEqual(a.canonical, "{a: {x: 3, y: 2}, b: 1}")
    }

    func testFloatTextIsShortestForFloat32() {
        XCTAssertEqual(Value.of(0.1 as Float).description, "0.1")
        XCTAssertEqual(Value.of(3 as Float).description, "3")
        XCTAssertEqual(Value(.float(1e-10)).description, "1e-10")
    }

    func testEqualityIgnoresOrigins() {
        XCTAssertEqual(Value(.int(3), origin: .file("a", line: 1, column: 2)), Value(.int(3), origin: .flag("--x")))
        XCTAssertEqual(Origin.file("a.yaml", line: 14, column: 5).suffix, " (line 14, column 5)")
        XCTAssertEqual(Origin.flag("--n-fft").suffix, "")
    }

    func testJSONRoundTripKeepsTypes() throws {
        let v: Value = ["body": [["dense": ["out_features": 4]], "relu"], "p": 0.25, "on": true, "n": 3]
        let data = try JSONEncoder().encode(v)
        let back = try JSONDecoder().decode(Value.self, from: data)
        XCTAssertEqual(back.canonical, v.canonical)
        XCTAssertEqual(back["n"]?.content, .int(3))
        XCTAssertEqual(back["on"]?.content, .bool(true))
    }

    func testParametersParseEachKindOnce() throws {
        let specs = [ParameterSpec("k", .intPair, default: 3, doc: ""), ParameterSpec("r", .floatPair, default: [0.5, 2], doc: ""),
                     ParameterSpec("n", .int, doc: "")]
        let cli = try Parameters(owner: "op", specs: specs, values: ["k": "3,5", "r": "0.2", "n": "7"], naming: .cli)
        XCTAssertTrue(try cli.intPair("k") == (3, 5))
        XCTAssertTrue(try cli.floatPair("r", symmetric: true) == (-0.2, 0.2))
        XCTAssertEqual(try cli.int("n"), 7)
        let yaml = try Parameters(owner: "op", specs: specs, values: ["k": [2, 4], "n": 5.0])
        XCTAssertTrue(try yaml.intPair("k") == (2, 4))
        XCTAssertTrue(try yaml.floatPair("r") == (0.5, 2), "the default")
        XCTAssertEqual(try yaml.int("n"), 5)
        let bad = try Parameters(owner: "op", specs: specs, values: ["k": [1, 2, 3], "r": [3, 1], "n": 2.5])
        XCTAssertThrowsError(try bad.intPair("k")) { XCTAssertEqual("\($0)", "op.k: '[1, 2, 3]' is not an integer or a pair of integers") }
        XCTAssertThrowsError(try bad.floatPair("r")) { XCTAssertEqual("\($0)", "op.r: min 3 is greater than max 1") }
        XCTAssertThrowsError(try bad.int("n")) { XCTAssertEqual("\($0)", "op.n: '2.5' is not an integer") }
        XCTAssertThrowsError(try cli.int("n", atLeast: 8)) { XCTAssertEqual("\($0)", "--n: must be ≥ 8, got 7") }
    }
}
