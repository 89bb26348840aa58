import PerceptCore
import PerceptPipeline
import XCTest

/// `AugmentConfig`: AUG.yaml into a chain, with errors that point into the file.
final class AugmentConfigTests: XCTestCase {
    private func field(of text: String, file: StaticString = #filePath, line: UInt = #line) -> (field: String, message: String) {
        do {
            _ = try AugmentConfig.parse(yaml: text, file: "aug.yaml")
            XCTFail("parsed without error", file: file, line: line)
        } catch let e as PerceptError {
            return (e.field ?? "", e.message)
        } catch {
            XCTFail("not a PerceptError: \(error)", file: file, line: line)
        }
        return ("", "")
    }

    func testAListOrAStagesMappingGivesTheStagesInOrder() throws {
        let list = try AugmentConfig.parse(yaml: "- horizontal_flip\n- gain: {p: 1, min_gain_db: -6, max_gain_db: 6}\n", file: "aug.yaml")
        XCTAssertEqual(list.steps.map(\.name), ["horizontal_flip", "gain"])
        let mapped = try AugmentConfig.parse(yaml: "stages:\n  - vertical_flip: ~\n  - Horizontal-Flip\n", file: "aug.yaml")
        XCTAssertEqual(mapped.steps.map(\.name), ["vertical_flip", "horizontal_flip"])
    }

    func testAnInvalidOptionNamesStageIndexNameFieldLineAndColumn() {
        let e = field(of: "stages:\n  - horizontal_flip\n  - gain: {p: 2}\n")
        XCTAssertEqual(e.field, "stages[1].gain.p (line 3, column 15)")
        XCTAssertTrue(e.message.contains("outside [0, 1]"), e.message)
    }

    func testAnUnknownOptionIsNamedWithASuggestion() {
        let e = field(of: "- gain: {min_gain: -6}\n")
        XCTAssertTrue(e.field.hasPrefix("stages[0].gain.min_gain"), e.field)
        XCTAssertTrue(e.message.contains("did you mean 'min_gain_db'"), e.message)
    }

    func testAnUnknownStageIsNamedWithItsPlaceAndASuggestion() {
        let e = field(of: "- horizontal_flip\n- horizontal_flop\n")
        XCTAssertEqual(e.field, "stages[1] (line 2, column 3)")
        XCTAssertTrue(e.message.contains("'horizontal_flop'") && e.message.contains("did you mean 'horizontal_flip'"), e.message)
    }

    func testAnUnknownTopLevelKeyPointsAtStages() {
        let e = field(of: "stage:\n  - horizontal_flip\n")
        XCTAssertEqual(e.field, "stage (line 1, column 1)")
        XCTAssertTrue(e.message.contains("did you mean 'stages'"), e.message)
    }

    func testEmptyOrScalarFilesAreBadInput() {
        XCTAssertThrowsError(try AugmentConfig.parse(yaml: "", file: "aug.yaml")) {
            XCTAssertEqual($0 as? PerceptError, .badInput(file: "aug.yaml", "is empty; expected a list of stages"))
        }
        XCTAssertThrowsError(try AugmentConfig.parse(yaml: "horizontal_flip\n", file: "aug.yaml")) {
            XCTAssertEqual($0 as? PerceptError, .badInput(file: "aug.yaml", "expected a list of stages"))
        }
    }
}
