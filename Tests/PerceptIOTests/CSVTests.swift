import PerceptCore
import PerceptIO
import XCTest

/// `CSV`: header rows, quoting, line numbers and errors that name the line.
final class CSVTests: TempDirTestCase {
    func testFieldsAreQuotedOnlyWhenTheyMustBeAndReadBackTheSame() throws {
        XCTAssertEqual(CSV.field("plain"), "plain")
        XCTAssertEqual(CSV.field("noise, 10 dB"), "\"noise, 10 dB\"")
        XCTAssertEqual(CSV.field("say \"hi\""), "\"say \"\"hi\"\"\"")
        let fields = ["a,b", "c\"d", "e\nf", "g"]
        let t = try CSV.parse("h1,h2,h3,h4\n" + fields.map(CSV.field).joined(separator: ",") + "\n", path: "x.csv")
        XCTAssertEqual(t.rows, [fields])
    }

    func testQuotedFieldsCRLFAndABOMAreRead() throws {
        let t = try CSV.parse("\u{FEFF}path,label\r\n\"a, b.wav\",x\r\n\r\n\"say \"\"hi\"\"\",\"two\nlines\"\r\nc.wav,z", path: "m.csv")
        XCTAssertEqual(t.header, ["path", "label"])
        XCTAssertEqual(t.rows, [["a, b.wav", "x"], ["say \"hi\"", "two\nlines"], ["c.wav", "z"]])
        XCTAssertEqual(t.lines, [2, 4, 6], "each row's first line; the blank line 3 is skipped")
        XCTAssertEqual(try t.column("label"), ["x", "two\nlines", "z"])
    }

    func testARowWithTheWrongFieldCountNamesItsLine() {
        XCTAssertThrowsError(try CSV.parse("a,b\n1,2\n3\n", path: "m.csv")) { e in
            XCTAssertEqual((e as? PerceptError)?.description, "m.csv:3: 1 fields, the header has 2")
        }
        XCTAssertThrowsError(try CSV.parse("a,b\n\"1,2\n", path: "m.csv")) { e in
            XCTAssertEqual((e as? PerceptError)?.description, "m.csv:2: unterminated quoted field")
        }
    }

    func testAnUnknownColumnSuggestsTheClosest() throws {
        let t = try CSV.parse("file,digit\nx.wav,1\n", path: "m.csv")
        XCTAssertThrowsError(try t.columnIndex("digt")) { e in
            XCTAssertEqual((e as? PerceptError)?.description, "m.csv: no column 'digt' (did you mean 'digit'?); columns: file, digit")
        }
    }

    func testTheSpokenSamplesManifestReads() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Samples/spoken/manifest.csv").standardized.path
        let t = try CSV.read(root)
        XCTAssertEqual(Array(t.header.prefix(4)), ["file", "digit", "word", "voice"])
        XCTAssertEqual(t.rows.count, 100)
        XCTAssertEqual(t.lines.last, 101)
    }
}
