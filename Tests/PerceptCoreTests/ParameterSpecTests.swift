import PerceptCore
import XCTest

final class ParameterSpecTests: XCTestCase {
    let specs = [
        ParameterSpec("n_fft", .int, default: "2048", doc: "FFT size"),
        ParameterSpec("window", .choice, default: "hann", choices: ["hann", "hamming"], doc: "window"),
        ParameterSpec("center", .bool, default: "true", doc: "centre frames"),
        ParameterSpec("fmax", .float, doc: "highest frequency"),
    ]

    func testNamesInThreeSpellings() {
        XCTAssertEqual(specs[0].cliFlag, "--n-fft")
        XCTAssertEqual(specs[0].swiftName, "nFft")
        XCTAssertEqual(ParameterSpec("pixels_per_cell", .int, doc: "").swiftName, "pixelsPerCell")
    }

    func testDefaultsAndValues() throws {
        let p = try Parameters(owner: "stft", specs: specs, values: ["n_fft": "512", "center": "false"])
        XCTAssertEqual(try p.int("n_fft"), 512)
        XCTAssertEqual(try p.bool("center"), false)
        XCTAssertEqual(try p.string("window"), "hann")
        XCTAssertNil(try p.optionalFloat("fmax"))
        XCTAssertThrowsError(try p.float("fmax")) { XCTAssertEqual("\($0)", "stft.fmax: is required") }
        XCTAssertTrue(p.isSet("n_fft"))
        XCTAssertFalse(p.isSet("window"))
    }

    func testUnknownNameSuggestsClosestInTheCallersSpelling() {
        XCTAssertThrowsError(try Parameters(owner: "stft", specs: specs, values: ["n_ftt": "1"], naming: .cli)) { e in
            XCTAssertEqual("\(e)", "--n-ftt: unknown option for stft (did you mean '--n-fft'?)")
        }
        XCTAssertThrowsError(try Parameters(owner: "stft", specs: specs, values: ["windw": "hann"])) { e in
            XCTAssertEqual("\(e)", "stft.windw: unknown option for stft (did you mean 'window'?)")
        }
    }

    func testBadValuesNameTheField() throws {
        XCTAssertThrowsError(try Parameters(owner: "stft", specs: specs, values: ["window": "box"], naming: .cli)) { e in
            XCTAssertEqual("\(e)", "--window: 'box' is not one of hann, hamming")
        }
        let p = try Parameters(owner: "stft", specs: specs, values: ["n_fft": "abc", "center": "maybe"], naming: .cli)
        XCTAssertThrowsError(try p.int("n_fft")) { XCTAssertEqual("\($0)", "--n-fft: 'abc' is not an integer") }
        XCTAssertThrowsError(try p.bool("center")) { XCTAssertEqual("\($0)", "--center: 'maybe' is not true or false") }
    }

    func testClosestName() {
        XCTAssertEqual(closestName(to: "melspectogram", in: ["mfcc", "melspectrogram", "sobel"]), "melspectrogram")
        XCTAssertNil(closestName(to: "zzzzzzzz", in: ["mfcc", "hog"]))
    }
}
