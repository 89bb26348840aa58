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

    func testAListWithChoicesChecksEveryItem() throws {
        let stats = [ParameterSpec("stats", .list, default: ["mean", "std"], choices: ["mean", "std", "max"], doc: "statistics")]
        XCTAssertEqual(stats[0].typeText, "list of mean|std|max")
        let p = try Parameters(owner: "stats_pool", specs: stats, values: ["stats": ["max", "mean"]])
        XCTAssertEqual(p.list("stats").compactMap(\.scalarText), ["max", "mean"])
        XCTAssertEqual(try Parameters(owner: "stats_pool", specs: stats, values: [:]).list("stats").compactMap(\.scalarText), ["mean", "std"])
        XCTAssertThrowsError(try Parameters(owner: "stats_pool", specs: stats, values: ["stats": ["mean", "median"]])) { e in
            XCTAssertEqual("\(e)", "stats_pool.stats: 'median' is not one of mean, std, max")
        }
        XCTAssertThrowsError(try Parameters(owner: "stats_pool", specs: stats, values: ["stats": "mode"])) { e in
            XCTAssertEqual("\(e)", "stats_pool.stats: 'mode' is not one of mean, std, max")
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

    func testAnOptionGivenWithoutTheOneItNeedsNamesBoth() {
        let specs = [
            ParameterSpec("db", .bool, default: "false", doc: "in dB"),
            ParameterSpec("top_db", .float, default: "80", doc: "floor", requires: "db"),
            ParameterSpec("deltas", .int, default: "0", doc: "delta orders"),
            ParameterSpec("delta_width", .int, default: "9", doc: "delta window", requires: "deltas"),
        ]
        func error(_ values: [String: Value], _ naming: Parameters.Naming = .yaml) -> String? {
            do { _ = try Parameters(owner: "mel", specs: specs, values: values, naming: naming); return nil } catch { return "\(error)" }
        }
        XCTAssertEqual(error(["top_db": "80"], .cli), "--top-db: has no effect without --db")
        XCTAssertEqual(error(["top_db": "80"]), "mel.top_db: has no effect without db")
        XCTAssertEqual(error(["top_db": "80", "db": "false"], .cli), "--top-db: has no effect with --db false")
        XCTAssertEqual(error(["top_db": "80", "db": false]), "mel.top_db: has no effect with db: false")
        XCTAssertEqual(error(["delta_width": "5"], .cli), "--delta-width: has no effect without --deltas")
        XCTAssertEqual(error(["delta_width": "5", "deltas": "0"], .cli), "--delta-width: has no effect with --deltas 0")
        XCTAssertNil(error(["top_db": "80", "db": "true"]))
        XCTAssertNil(error(["delta_width": "5", "deltas": "2"]))
        XCTAssertNil(error(["db": "true"]), "the default of a dependent option is no error")
        // A value its own parser rejects is left to that parser's message.
        XCTAssertNil(error(["top_db": "80", "db": "maybe"]))
    }

    func testAnOptionOfAnotherVariantNamesTheValuesItNeeds() {
        let specs = [
            ParameterSpec("kind", .choice, default: "constant", choices: ["constant", "step", "cosine"], doc: "shape"),
            ParameterSpec("gamma", .float, default: "0.1", doc: "decay", requires: .value("kind", in: ["step", "exponential"])),
        ]
        func error(_ values: [String: Value], _ naming: Parameters.Naming = .yaml) -> String? {
            do { _ = try Parameters(owner: "schedule", specs: specs, values: values, naming: naming); return nil } catch { return "\(error)" }
        }
        XCTAssertEqual(error(["gamma": "0.5"]), "schedule.gamma: has no effect unless kind is step or exponential")
        XCTAssertEqual(error(["gamma": "0.5", "kind": "cosine"], .cli), "--gamma: has no effect unless --kind is step or exponential")
        XCTAssertNil(error(["gamma": "0.5", "kind": "step"]))
        XCTAssertEqual(specs[1].requires?.text(flags: false), "kind step or exponential")
    }

    func testClosestName() {
        XCTAssertEqual(closestName(to: "melspectogram", in: ["mfcc", "melspectrogram", "sobel"]), "melspectrogram")
        XCTAssertNil(closestName(to: "zzzzzzzz", in: ["mfcc", "hog"]))
    }
}
