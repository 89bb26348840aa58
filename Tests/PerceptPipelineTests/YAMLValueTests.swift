import PerceptCore
import PerceptPipeline
import XCTest

/// `YAMLValue`: YAML text into `Value`s that remember where they were written.
final class YAMLValueTests: XCTestCase {
    private func parse(_ text: String) throws -> Value { try YAMLValue.parse(text, file: "t.yaml") }

    /// The error's message, asserting it is a `badInput` naming the file.
    private func badInput(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try parse(text)
            XCTFail("parsed without error", file: file, line: line)
        } catch let PerceptError.badInput(path, message) {
            XCTAssertEqual(path, "t.yaml", file: file, line: line)
            return message
        } catch {
            XCTFail("not a badInput: \(error)", file: file, line: line)
        }
        return ""
    }

    func testPlainScalarsAreTypedByTheCoreSchema() throws {
        let v = try parse("""
            n: 512
            neg: -3
            f: 0.5
            exp: 1e-3
            yes: true
            no: false
            nothing: ~
            empty:
            word: hann
            """)
        XCTAssertEqual(v["n"]?.content, .int(512))
        XCTAssertEqual(v["neg"]?.content, .int(-3))
        XCTAssertEqual(v["f"]?.content, .float(0.5))
        XCTAssertEqual(v["exp"]?.content, .float(0.001))
        XCTAssertEqual(v["yes"]?.content, .bool(true))
        XCTAssertEqual(v["no"]?.content, .bool(false))
        XCTAssertEqual(v["nothing"]?.content, .null)
        XCTAssertEqual(v["empty"]?.content, .null)
        XCTAssertEqual(v["word"]?.content, .string("hann"))
    }

    func testQuotedScalarsStayText() throws {
        let v = try parse("a: '512'\nb: \"true\"\nc: '~'\nd: \"0.5\"\n")
        XCTAssertEqual(v["a"]?.content, .string("512"))
        XCTAssertEqual(v["b"]?.content, .string("true"))
        XCTAssertEqual(v["c"]?.content, .string("~"))
        XCTAssertEqual(v["d"]?.content, .string("0.5"))
    }

    func testListsAndMapsKeepTheirOrder() throws {
        let v = try parse("stages:\n  - b: {z: 1, a: 2}\n  - a\n")
        let items = try XCTUnwrap(v["stages"]?.items)
        XCTAssertEqual(items.count, 2)
        XCTAssertEqual(items[0]["b"]?.entries?.map(\.key), ["z", "a"])
        XCTAssertEqual(items[1].content, .string("a"))
    }

    func testValuesAndKeysRememberLineAndColumn() throws {
        let v = try parse("n_fft: 512\nmodel:\n  layers:\n    - conv2d: {kernel_size: 3}\n")
        XCTAssertEqual(v["n_fft"]?.origin, .file("t.yaml", line: 1, column: 8))
        XCTAssertEqual(v.entries?.first?.keyOrigin, .file("t.yaml", line: 1, column: 1))
        let layer = try XCTUnwrap(v["model"]?["layers"]?.items?.first)
        XCTAssertEqual(layer.origin, .file("t.yaml", line: 4, column: 7))
        XCTAssertEqual(layer["conv2d"]?["kernel_size"]?.origin, .file("t.yaml", line: 4, column: 29))
        XCTAssertEqual(layer["conv2d"]?["kernel_size"]?.origin.suffix, " (line 4, column 29)")
    }

    func testADuplicateKeyNamesBothLines() {
        let text = "models:\n  cnn: {data: d}\n  other: {data: d}\n  cnn: {data: e}\n"
        XCTAssertThrowsError(try YAMLValue.parse(text, file: "p.yaml")) { e in
            XCTAssertEqual("\(e)", "p.yaml: key 'cnn' is given twice in one mapping (lines 2 and 4); every name must be unique")
        }
    }

    func testAnEmptyDocumentIsNull() throws {
        XCTAssertTrue(try parse("").isNull)
        XCTAssertTrue(try parse("# only a comment\n").isNull)
    }

    func testAliasesRepeatTheAnchoredValue() throws {
        let v = try parse("base: &b {p: 0.5, size: [3, 5]}\ncopy: *b\nn: &n 7\nm: *n\n")
        XCTAssertEqual(v["copy"], v["base"])
        XCTAssertEqual(v["copy"]?["size"]?.items?.map(\.content), [.int(3), .int(5)])
        XCTAssertEqual(v["m"]?.content, .int(7))
    }

    func testMergeKeysAddTheAliasedEntriesUnderExplicitOnes() throws {
        let v = try parse("""
            defaults: &d {p: 0.5, n_fft: 512}
            more: &m {hop: 160}
            one:
              <<: *d
              p: 1
            both:
              <<: [*d, *m]
            """)
        let one = try XCTUnwrap(v["one"])
        XCTAssertEqual(one["p"]?.content, .int(1), "an explicit key wins over a merged one")
        XCTAssertEqual(one["n_fft"]?.content, .int(512))
        XCTAssertNil(one["<<"], "the merge key itself is not an entry")
        XCTAssertEqual(v["both"]?.entries?.map(\.key).sorted(), ["hop", "n_fft", "p"])
    }

    func testMergingSomethingOtherThanAMappingIsAnError() {
        let message = badInput("x: &x 3\ny:\n  <<: *x\n")
        XCTAssertTrue(message.contains("line 3") && message.contains("'<<' must merge a mapping"), message)
    }

    func testDuplicateKeysAreRejectedWithTheirLines() {
        // The parser rejects them first, naming the mapping that holds the duplicate.
        let message = badInput("a: 1\nsub:\n  b: 2\n  b: 3\n")
        XCTAssertTrue(message.contains("given twice") && message.contains("'b'"), message)
        XCTAssertTrue(message.contains("lines 3 and 4"), message)
        XCTAssertFalse(message.contains("\n"), message)
    }

    func testSyntaxErrorsAreOneLineBadInput() {
        for text in ["a: [1, 2\n", "a: {b: 1\n", "a: 1\n b: 2\n  - c\n", "key: 'open\n"] {
            let message = badInput(text)
            XCTAssertTrue(message.hasPrefix("not valid YAML"), "\(text): \(message)")
            XCTAssertFalse(message.contains("\n"), message)
        }
    }

    func testNonScalarKeysAreRejected() {
        XCTAssertTrue(badInput("? [a, b]\n: 1\n").contains("keys must be plain words"))
    }

    /// Anchors l0 … l<levels-1>, each a list of ten of the one before (l0: ten x's): l<i> holds
    /// 10^(i+1) x's once expanded.
    private func laughs(_ levels: Int) -> String {
        var text = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1..<levels {
            text += "l\(i): &l\(i) [" + Array(repeating: "*l\(i - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        return text
    }

    func testAnAliasBombIsRejectedAtTheLineThatCrossesTheBound() {
        // l5 (line 6) expands to 1,111,111 nodes: past the bound of a million.
        let message = badInput(laughs(8) + "top: [*l7, *l7]\n")
        XCTAssertTrue(message.hasPrefix("line 6: ") && message.contains("\(YAMLBounds.maxNodes) nodes"), message)
    }

    func testAnAliasToAListAsAKeyIsRejectedAtItsLine() {
        // The hostile example: a bomb used as a key, which Yams would hash in full.
        let message = badInput(laughs(5) + "? *l4\n: 1\nstages: []\n")
        XCTAssertTrue(message.hasPrefix("line 6: ") && message.contains("keys must be plain words"), message)
        XCTAssertTrue(badInput("m: &m {a: 1}\n? *m\n: 2\n").hasPrefix("line 2: "))
    }

    func testAnAliasToAScalarMayBeAKey() throws {
        let v = try parse("n: &n name\n*n : 3\n")
        XCTAssertEqual(v["name"]?.content, .int(3))
    }

    func testAliasesExpandInFullBelowTheBound() throws {
        let v = try parse(laughs(3))
        let l2 = try XCTUnwrap(v["l2"]?.items)
        XCTAssertEqual(l2.count, 10)
        XCTAssertEqual(l2.flatMap { $0.items ?? [] }.flatMap { $0.items ?? [] }.filter { $0.content == .string("x") }.count, 1000)
    }

    func testNestingBeyondTheBoundIsRejected() {
        func nested(_ n: Int) -> String { "a: " + String(repeating: "[", count: n) + String(repeating: "]", count: n) + "\n" }
        let message = badInput(nested(YAMLBounds.maxDepth + 1))
        XCTAssertTrue(message.hasPrefix("line 1: ") && message.contains("nest more than \(YAMLBounds.maxDepth)"), message)
        XCTAssertNoThrow(try parse(nested(YAMLBounds.maxDepth - 1)))
        // Far deeper, libyaml's own limit (1000) stops the scanner first: still one line.
        XCTAssertTrue(badInput(nested(10_000)).contains("nesting level"))
    }

    func testLoadNamesAMissingFile() {
        XCTAssertThrowsError(try YAMLValue.load("/nonexistent/percept.yaml")) { error in
            XCTAssertEqual(error as? PerceptError, .badInput(file: "/nonexistent/percept.yaml", "no such file"))
        }
    }
}
