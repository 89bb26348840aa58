import PerceptCore
import XCTest

/// Two small components to register in a test registry.
private struct Scale: Component {
    static let name = "scale_by"
    static let summary = "multiply by a factor"
    static let aliases = ["multiply"]
    static let parameters = [ParameterSpec("factor", .float, default: 2, doc: "the factor"),
                             ParameterSpec("kernel_size", .intPair, default: 3, doc: "a window")]
    let factor: Float, kernel: (Int, Int)
    init(_ p: Parameters) throws { factor = try p.float("factor"); kernel = try p.intPair("kernel_size", atLeast: 1) }
}

private struct Shift: Component {
    static let name = "shift"
    static let summary = "add an offset"
    static let parameters = [ParameterSpec("offset", .float, doc: "required offset")]
    let offset: Float
    init(_ p: Parameters) throws { offset = try p.float("offset") }
}

final class RegistryTests: XCTestCase {
    private func registry() -> Registry<Float> {
        let r = Registry<Float>(kind: "op")
        r.register(Scale.self) { try Scale($0).factor }
        r.register(Shift.self) { try Shift($0).offset }
        return r
    }

    func testLookupIgnoresCaseAndDashesAndKnowsAliases() throws {
        let r = registry()
        XCTAssertEqual(try r.make("Scale-By"), 2)
        XCTAssertEqual(try r.make("MULTIPLY", ["factor": 3]), 3)
        XCTAssertEqual(r.names, ["scale_by", "shift"])
        XCTAssertNil(r.entry(named: "scal"))
    }

    func testUnknownNamesSuggestTheClosestAndNameThePlace() {
        let r = registry()
        XCTAssertThrowsError(try r.make("shfit")) { XCTAssertEqual("\($0)", "shfit: unknown op (did you mean 'shift'?)") }
        let origin = Origin.file("p.yaml", line: 4, column: 7)
        XCTAssertThrowsError(try r.make("shfit", path: "ops[2]", origin: origin)) {
            XCTAssertEqual("\($0)", "ops[2] (line 4, column 7): unknown op 'shfit' (did you mean 'shift'?)")
        }
    }

    func testOptionErrorsNameThePathAndTheValuesPosition() {
        let r = registry()
        let bad = Value(.string("big"), origin: .file("p.yaml", line: 9, column: 20))
        XCTAssertThrowsError(try r.make("scale_by", ["kernel_size": bad], path: "models.cnn.layers[3]", origin: .file("p.yaml", line: 9, column: 7))) {
            XCTAssertEqual("\($0)", "models.cnn.layers[3].scale_by.kernel_size (line 9, column 20): 'big' is not an integer or a pair of integers")
        }
        // A missing value points at the component itself.
        XCTAssertThrowsError(try r.make("shift", [:], path: "ops[0]", origin: .file("p.yaml", line: 2, column: 5))) {
            XCTAssertEqual("\($0)", "ops[0].shift.offset (line 2, column 5): is required")
        }
        XCTAssertThrowsError(try r.make("shift", ["ofset": 1], path: "ops[0]")) {
            XCTAssertEqual("\($0)", "ops[0].shift.ofset: unknown option for shift (did you mean 'offset'?)")
        }
    }

    func testUserRegistrationReplacesByNameAndAppearsInListings() throws {
        let r = registry()
        struct Shift2: Component {
            static let name = "SHIFT"
            static let summary = "a user's own shift"
            static let parameters: [ParameterSpec] = []
        }
        r.register(Shift2.self) { _ in 42 }
        XCTAssertEqual(r.names, ["scale_by", "SHIFT"])
        XCTAssertEqual(try r.make("shift"), 42)
        XCTAssertEqual(r.listed.map(\.summary), ["multiply by a factor", "a user's own shift"])
    }

    func testMakeListBuildsEveryItemAndNamesTheFailingOne() throws {
        let r = registry()
        let list: Value = ["scale_by", ["shift": ["offset": 1.5]], ["multiply": nil]]
        XCTAssertEqual(try r.makeList(list, path: "ops"), [2, 1.5, 2])
        XCTAssertThrowsError(try r.makeList(["scale_by", ["shift": ["offset": "one"]]], path: "ops")) {
            XCTAssertEqual("\($0)", "ops[1].shift.offset: 'one' is not a number")
        }
        XCTAssertThrowsError(try r.makeList(["scale_by", ["shift": 1, "scale_by": 2]], path: "ops")) {
            XCTAssertEqual("\($0)", "ops[1]: write one item per list entry, as `name` or `name: {options}`")
        }
        XCTAssertThrowsError(try r.makeList("scale_by", path: "ops")) { XCTAssertEqual("\($0)", "ops: expected a list of ops, got scale_by") }
    }
}
