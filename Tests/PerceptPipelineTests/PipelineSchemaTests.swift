import Foundation
import PerceptCore
import PerceptPipeline
import XCTest

/// The JSON Schema and docs/pipelines.md's field tables come from the parameter specs, and the
/// committed copies are current.
final class PipelineSchemaTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.path

    func testPipelinesSchemaJSONIsCurrent() throws {
        let committed = try String(contentsOfFile: Self.repo + "/Pipelines/schema.json", encoding: .utf8)
        XCTAssertEqual(committed, PipelineSchema.json(), "regenerate: percept schema > Pipelines/schema.json")
    }

    func testDocsFieldTablesAreCurrent() throws {
        let doc = try String(contentsOfFile: Self.repo + "/docs/pipelines.md", encoding: .utf8)
        let begin = try XCTUnwrap(doc.range(of: "<!-- fields-begin -->\n")), end = try XCTUnwrap(doc.range(of: "<!-- fields-end -->"))
        XCTAssertEqual(String(doc[begin.upperBound..<end.lowerBound]), PipelineSchema.markdownFields(),
                       "regenerate the field tables of docs/pipelines.md (make docs)")
    }

    func testTheSchemaNamesEveryRegisteredComponent() throws {
        let defs = try XCTUnwrap(PipelineSchema.object()["definitions"] as? [String: Any])
        func names(_ key: String) throws -> [String] {
            let one = try XCTUnwrap((defs[key] as? [String: Any])?["oneOf"] as? [[String: Any]])
            return try XCTUnwrap(one.first?["enum"] as? [String])
        }
        XCTAssertTrue(try names("layer").contains("conv2d"))
        XCTAssertTrue(try names("layer").contains("lstm"))
        XCTAssertTrue(try names("stage").contains("melspectrogram"))
        XCTAssertTrue(try names("stage").contains("time_masking"))
        XCTAssertTrue(try names("optimizer").contains("adam"))
        XCTAssertTrue(try names("loss").contains("cross_entropy"))
        let top = PipelineSchema.object()
        XCTAssertEqual(top["required"] as? [String], ["name", "data"])
    }

    func testAListOfChoicesIsAnArrayOfThoseNames() throws {
        let defs = try XCTUnwrap(PipelineSchema.object()["definitions"] as? [String: Any])
        let items = try XCTUnwrap((defs["stage"] as? [String: Any])?["oneOf"] as? [[String: Any]])
        let pool = try XCTUnwrap(items.compactMap { ($0["properties"] as? [String: Any])?["stats_pool"] as? [String: Any] }.first)
        let stats = try XCTUnwrap((pool["properties"] as? [String: Any])?["stats"] as? [String: Any])
        XCTAssertEqual(stats["type"] as? String, "array")
        XCTAssertEqual((stats["items"] as? [String: Any])?["enum"] as? [String], ["mean", "std", "max", "min"])
        XCTAssertEqual(stats["default"] as? [String], ["mean", "std"])
    }

    func testEveryShippedPipelineParses() throws {
        let dir = Self.repo + "/Pipelines"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 6)
        for f in files {
            XCTAssertNoThrow(try PipelineSpec.load(dir + "/" + f, baseDirectory: Self.repo), f)
        }
    }
}
