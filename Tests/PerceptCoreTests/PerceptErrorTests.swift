import PerceptCore
import XCTest

final class PerceptErrorTests: XCTestCase {
    func testFieldAndMessageSplitWhatTheDescriptionJoins() {
        let cases: [(PerceptError, String?, String)] = [
            (.invalidArgument(field: "--n-fft", "must be > 0"), "--n-fft", "must be > 0"),
            (.badInput(file: "a.wav", "empty file"), "a.wav", "empty file"),
            (.runtime("disk full"), nil, "disk full"),
        ]
        for (error, field, message) in cases {
            XCTAssertEqual(error.field, field)
            XCTAssertEqual(error.message, message)
            XCTAssertEqual(error.description, field.map { "\($0): \(message)" } ?? message)
        }
    }

    func testExitCodesAreTwoForBadInputAndOneForRunTimeFailures() {
        XCTAssertEqual(PerceptError.invalidArgument(field: "x", "y").exitCode, 2)
        XCTAssertEqual(PerceptError.badInput(file: "x", "y").exitCode, 2)
        XCTAssertEqual(PerceptError.runtime("y").exitCode, 1)
    }

    func testControlCharactersFromFilesCannotBreakTheOneLine() {
        let e = PerceptError.badInput(file: "a\nb.npy", "header 'x\r\u{1B}[2J\u{85}\u{2028}é' is bad")
        XCTAssertEqual(e.description, "a\\nb.npy: header 'x\\r\\u{1B}[2J\\u{85}\\u{2028}é' is bad")
        XCTAssertEqual(PerceptError.oneLine("plain: ünïcode"), "plain: ünïcode")
    }
}
