import Foundation
import PerceptCore
import PerceptIO
import PerceptPipeline
import XCTest

/// The data sets the quickstart and the spoken-digit pipelines name, loaded as they are.
final class DatasetSamplesTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.path

    func testSamplesSpokenGivesEveryDigitATrainingValidationAndTestClipUnderTheQuickstartSplit() throws {
        let spec = try DataSpec(name: "spoken", kind: .audio, train: .folder(Self.repo + "/Samples/spoken"), sampleRate: 16000,
                                validationFraction: 0.1, testFraction: 0.2)
        let data = try Dataset.load(spec, seed: 7)
        XCTAssertEqual(data.classes, (0...9).map(String.init))
        XCTAssertEqual(data.skipped, 1, "manifest.csv sits beside the class folders")
        let all = data.train + data.validation + data.test
        XCTAssertTrue(data.counts(all).allSatisfy { $0 >= 10 }, "\(data.counts(all))")
        let voices = Set(all.map { ($0.displayName as NSString).lastPathComponent.split(separator: "_")[0] })
        XCTAssertGreaterThanOrEqual(voices.count, 5)
        XCTAssertEqual(data.counts(data.validation), [Int](repeating: 1, count: 10))
        XCTAssertEqual(data.counts(data.test), [Int](repeating: 2, count: 10))
        XCTAssertEqual(data.counts(data.train), [Int](repeating: 7, count: 10))
        let s = try data.sample(data.test[0])
        XCTAssertEqual(s.data.shape, [1, 16000])
        XCTAssertEqual(s.sampleRate, 16000)
        // The existing clips the demo and the CLI tests use are still there.
        XCTAssertTrue(all.contains { $0.displayName.hasSuffix("Samples/spoken/3/en+f1_200_80.wav") })
    }

    func testSamplesStayUnderTenMegabytes() throws {
        let root = Self.repo + "/Samples"
        let files = try XCTUnwrap(FileManager.default.subpathsOfDirectory(atPath: root) as [String]?)
        let bytes = try files.reduce(0) { sum, rel in
            let a = try FileManager.default.attributesOfItem(atPath: root + "/" + rel)
            return sum + (a[.type] as? FileAttributeType == .typeRegular ? (a[.size] as? Int ?? 0) : 0)
        }
        XCTAssertGreaterThan(bytes, 1_000_000)
        XCTAssertLessThan(bytes, 10_000_000, "Samples/ is meant to stay small (\(bytes) bytes)")
    }

    func testSamplesSpokenManifestListsEveryClipWithItsDigitAndVoice() throws {
        let manifest = Self.repo + "/Samples/spoken/manifest.csv"
        let spec = try DataSpec(name: "spoken", kind: .audio,
                                train: .manifest(csv: manifest, pathColumn: "file", labelColumn: "digit", splitColumn: nil), groupBy: "voice")
        let data = try Dataset.load(spec, seed: 1)
        XCTAssertEqual(data.train.count, 100)
        XCTAssertEqual(data.counts(data.train), [Int](repeating: 10, count: 10))
        let folder = try Dataset.load(DataSpec(name: "spoken", kind: .audio, train: .folder(Self.repo + "/Samples/spoken")), seed: 1)
        XCTAssertEqual(Set(data.train.map(\.displayName)), Set(folder.train.map(\.displayName)), "the manifest names exactly the clips there are")
    }

    func testTheSharedSpokenDigitsManifestSplitsByVoice() throws {
        let manifest = Self.repo + "/../shared/data/spoken-digits/manifest.csv"
        try XCTSkipUnless(FileManager.default.fileExists(atPath: manifest), "no ../shared/data/spoken-digits")
        let spec = try DataSpec(name: "spoken", kind: .audio,
                                train: .manifest(csv: manifest, pathColumn: "file", labelColumn: "digit", splitColumn: nil),
                                sampleRate: 16000, validationFraction: 0.1, testFraction: 0.2, groupBy: "voice")
        let data = try Dataset.load(spec, seed: 7)
        XCTAssertEqual(data.classes, (0...9).map(String.init))
        let voices = [data.train, data.validation, data.test].map { Set($0.map { $0.group! }) }
        XCTAssertEqual(voices.map(\.count), [7, 1, 2], "40 clips per voice: 40 of 400 for validation, 80 for test")
        XCTAssertEqual(voices[0].union(voices[1]).union(voices[2]).count, 10)
        XCTAssertTrue(voices[0].isDisjoint(with: voices[2]) && voices[0].isDisjoint(with: voices[1]), "test voices are unseen")
        XCTAssertEqual(data.counts(data.test), [Int](repeating: 8, count: 10))
        XCTAssertEqual(try data.sample(data.validation[0]).data.shape, [1, 16000])
    }
}
