import Foundation
import PerceptCore
import PerceptNN
import XCTest

/// `init: torch_default` draws weights and biases exactly as PyTorch's layers do; the other
/// schemes leave biases at zero and draw nothing for them.
final class InitializerTests: XCTestCase {
    /// Asserts every value lies in ±bound, and that their variance is that of U(±bound), bound²/3.
    func assertUniform(_ values: [Float], bound: Double, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(values.allSatisfy { abs(Double($0)) <= bound }, "\(what) outside ±\(bound)", file: file, line: line)
        let v = values.map(Double.init), mean = v.reduce(0, +) / Double(v.count)
        let variance = v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count)
        let expected = bound * bound / 3
        // The sample variance of n uniforms has a relative standard error of about 0.9 / √n.
        XCTAssertEqual(variance, expected, accuracy: expected * 4 * 0.9 / Double(v.count).squareRoot(), what, file: file, line: line)
        XCTAssertGreaterThan(Double(values.map { abs($0) }.max() ?? 0), bound * 0.9, "\(what) fills its range", file: file, line: line)
    }

    func params(_ layer: any Layer) -> [String: [Float]] {
        Dictionary(uniqueKeysWithValues: layer.weights.map { ($0.name, $0.value.array($0.count)) })
    }

    func testTorchDefaultDrawsDenseAndConvBiasesFromTheWeightsBound() throws {
        let cases: [(String, [String: Value], [Int], Int)] = [
            ("dense", ["out_features": 4000], [50], 50),
            ("conv1d", ["out_channels": 3000, "kernel_size": 3], [4, 10], 4 * 3),
            // groups: fan_in is the weight's, in_channels / groups · kh · kw.
            ("conv2d", ["out_channels": 3000, "kernel_size": [3, 2], "groups": 2], [4, 5, 5], 2 * 3 * 2),
        ]
        for (type, options, input, fanIn) in cases {
            var values = options
            values["init"] = "torch_default"
            let (layer, _) = try buildLayer(type, values, input: input)
            let p = params(layer), bound = 1 / Double(fanIn).squareRoot()
            assertUniform(try XCTUnwrap(p["weight"]), bound: bound, "\(type).weight")
            assertUniform(try XCTUnwrap(p["bias"]), bound: bound, "\(type).bias")
        }
    }

    func testTorchDefaultDrawsEveryRecurrentParameterFromOneOverRootHidden() throws {
        for type in ["lstm", "gru"] {
            let (layer, _) = try buildLayer(type, ["hidden_size": 400, "init": "torch_default", "bidirectional": true], input: [5, 30])
            let p = params(layer), bound = 1 / 400.0.squareRoot()
            XCTAssertEqual(p.count, 8)
            for (name, values) in p { assertUniform(values, bound: bound, "\(type).\(name)") }
        }
    }

    func testRecurrentDefaultStaysZeroBiasesWithTheForgetGateAtOne() throws {
        let (lstm, _) = try buildLayer("lstm", ["hidden_size": 8], input: [5, 3])
        let p = params(lstm)
        XCTAssertEqual(p["bias_ih_l0"], [Float](repeating: 0, count: 8) + [Float](repeating: 1, count: 8) + [Float](repeating: 0, count: 16))
        XCTAssertEqual(p["bias_hh_l0"], [Float](repeating: 0, count: 32))
        assertUniform(try XCTUnwrap(p["weight_hh_l0"]) + (try XCTUnwrap(p["weight_ih_l0"])), bound: 1 / 8.0.squareRoot(), "lstm weights")
        // Another scheme: its formula on each matrix (fan_in = its columns), biases as by default.
        let (xavier, _) = try buildLayer("gru", ["hidden_size": 100, "init": "xavier_uniform"], input: [5, 60])
        let q = params(xavier)
        assertUniform(try XCTUnwrap(q["weight_ih_l0"]), bound: (6.0 / (60 + 300)).squareRoot(), "gru xavier weight_ih")
        assertUniform(try XCTUnwrap(q["weight_hh_l0"]), bound: (6.0 / (100 + 300)).squareRoot(), "gru xavier weight_hh")
        XCTAssertTrue(q["bias_ih_l0"]!.allSatisfy { $0 == 0 })
        // The typed form names the same option.
        let typed = try GRU(hiddenSize: 100, initializer: .xavierUniform)
        var rng = RandomStream(seed: 7)
        _ = try typed.build(inputShape: [5, 60], rng: &rng)
        XCTAssertEqual(params(typed), q)
    }

    func testOtherSchemesDrawNoBiasSoLaterLayersAreUnchanged() throws {
        for scheme in Initializer.allCases {
            let layer = try LayerRegistry.make("dense", ["out_features": 6, "init": .of(scheme.rawValue)])
            var built = RandomStream(seed: 3)
            _ = try layer.build(inputShape: [5], rng: &built)
            let p = params(layer)
            // The same draws by hand: the weight, then (torch_default only) the bias.
            var rng = RandomStream(seed: 3)
            let w = try Param(name: "weight", shape: [6, 5]), b = try Param(name: "bias", shape: [6])
            scheme.fill(w, fanIn: 5, fanOut: 6, rng: &rng)
            scheme.fillBias(b, fanIn: 5, rng: &rng)
            XCTAssertEqual(p["weight"], w.value.array(30), scheme.rawValue)
            XCTAssertEqual(p["bias"], b.value.array(6), scheme.rawValue)
            XCTAssertEqual(built, rng, "\(scheme.rawValue): the next layer starts from the same stream")
            XCTAssertEqual(p["bias"]!.allSatisfy { $0 == 0 }, scheme != .torchDefault, scheme.rawValue)
        }
    }
}
