import PerceptCore
import PerceptPipeline
import XCTest

/// `FeatureOptions`: the words after `percept extract FEATURE INPUT` into checked parameters.
final class FeatureOptionsTests: XCTestCase {
    private func error(_ words: [String], for feature: any FeatureExtractor.Type = MelSpectrogramFeature.self,
                       file: StaticString = #filePath, line: UInt = #line) -> PerceptError? {
        do {
            _ = try FeatureOptions.parse(words, for: feature)
            XCTFail("parsed \(words) without error", file: file, line: line)
        } catch {
            return error as? PerceptError
        }
        return nil
    }

    func testFlagsWithSeparateOrInlineValuesBecomeParameters() throws {
        let p = try FeatureOptions.parse(["--n-fft", "512", "--hop-length=160", "--window", "hamming"], for: MelSpectrogramFeature.self)
        XCTAssertEqual(try p.int("n_fft"), 512)
        XCTAssertEqual(try p.int("hop_length"), 160)
        XCTAssertEqual(try p.string("window"), "hamming")
        XCTAssertEqual(p.values["n_fft"]?.origin, .flag("--n-fft"))
        XCTAssertEqual(try p.int("n_mels"), 128, "unset options take the spec's default")
    }

    func testABareBooleanFlagIsTrueAndMayBeFollowedByAnotherFlag() throws {
        let bare = try FeatureOptions.parse(["--db"], for: MelSpectrogramFeature.self)
        XCTAssertTrue(try bare.bool("db"))
        let between = try FeatureOptions.parse(["--db", "--n-mels", "40"], for: MelSpectrogramFeature.self)
        XCTAssertTrue(try between.bool("db"))
        XCTAssertEqual(try between.int("n_mels"), 40)
        XCTAssertFalse(try FeatureOptions.parse(["--db", "false"], for: MelSpectrogramFeature.self).bool("db"))
        XCTAssertFalse(try FeatureOptions.parse([], for: MelSpectrogramFeature.self).bool("db"))
    }

    func testAnUnknownFlagSuggestsTheClosestOne() {
        let e = error(["--n-mfccs", "13"], for: MFCCFeature.self)
        XCTAssertEqual(e?.field, "--n-mfccs")
        XCTAssertTrue(e?.message.contains("did you mean '--n-mfcc'") ?? false, "\(String(describing: e))")
    }

    func testRepeatedMissingAndStrayWordsAreErrorsNamingTheFlag() {
        XCTAssertEqual(error(["--n-fft", "512", "--n-fft", "256"])?.field, "--n-fft")
        XCTAssertEqual(error(["--n-fft"])?.field, "--n-fft")
        XCTAssertEqual(error(["512"])?.field, "512")
    }

    func testAChoiceOutsideItsListIsRejectedByFlagName() {
        let e = error(["--pad-mode", "mirror"])
        XCTAssertEqual(e?.field, "--pad-mode")
        XCTAssertTrue(e?.message.contains("'mirror' is not one of") ?? false, "\(String(describing: e))")
    }
}
