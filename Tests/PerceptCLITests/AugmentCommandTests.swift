import Foundation
import PerceptIO
import XCTest

final class AugmentCommandTests: CLITestCase {
    func config(_ yaml: String, _ name: String = "aug.yaml") -> String {
        XCTAssertTrue(FileManager.default.createFile(atPath: path(name), contents: Data(yaml.utf8)))
        return path(name)
    }

    let imageChain = """
    stages:
      - horizontal_flip
      - random_crop: {padding: 2, padding_mode: reflect}
      - random_brightness_contrast: {p: 1, brightness_limit: 0.1}
      - gauss_noise: {p: 1, std_range: [0.01, 0.03]}
    """

    func testWritesVariantsAndAContactSheetReproducibly() throws {
        let digit = sample("digits/0/0000.png"), cfg = config(imageChain)
        let r = try run(["augment", digit, "-o", path("a"), "--config", cfg, "--copies", "3", "--seed", "5", "--log", path("a.json")])
        XCTAssertEqual(r.status, 0, r.stderr)
        let names = try FileManager.default.contentsOfDirectory(atPath: path("a")).sorted()
        XCTAssertEqual(names, ["0000_1.png", "0000_2.png", "0000_3.png", "0000_sheet.png"])
        let original = try ImageFile.read(digit).pixels
        let v1 = try ImageFile.read(path("a/0000_1.png")).pixels
        XCTAssertEqual(v1.shape, original.shape)
        XCTAssertNotEqual(v1, original)
        let sheet = try ImageFile.read(path("a/0000_sheet.png")).pixels
        XCTAssertEqual(sheet.shape[0], 3)
        XCTAssertGreaterThan(sheet.shape[1], 112, "8-pixel digits enlarged to 112 pixels, captions below")
        XCTAssertGreaterThanOrEqual(sheet.shape[2], 4 * 112, "the original and 3 variants in one row")
        let log = try String(contentsOfFile: path("a.json"), encoding: .utf8)
        XCTAssertTrue(log.contains("\"stage\" : \"random_crop\"") && log.contains("\"copy\" : 3"), log)

        let again = try run(["augment", digit, "-o", path("b"), "--config", cfg, "--copies", "3", "--seed", "5"])
        XCTAssertEqual(again.status, 0, again.stderr)
        for n in ["0000_1.png", "0000_2.png", "0000_3.png", "0000_sheet.png"] {
            XCTAssertEqual(FileManager.default.contents(atPath: path("a/" + n)), FileManager.default.contents(atPath: path("b/" + n)), n)
        }
        let other = try run(["augment", digit, "-o", path("c"), "--config", cfg, "--copies", "3", "--seed", "6"], env: ["PERCEPT_NUM_THREADS": "1"])
        XCTAssertEqual(other.status, 0, other.stderr)
        XCTAssertNotEqual(FileManager.default.contents(atPath: path("a/0000_1.png")), FileManager.default.contents(atPath: path("c/0000_1.png")))
    }

    func testShippedPipelinesRunOnTheSamplesTheyAreMeantFor() throws {
        let pipelines = Self.root + "/Pipelines/augment"
        let shipped = try FileManager.default.contentsOfDirectory(atPath: pipelines).filter { $0.hasSuffix(".yaml") }.sorted()
        let inputs = ["digits.yaml": "digits/3/0003.png", "photos.yaml": "images/coffee.png", "speech.yaml": "spoken/3/en+f1_200_80.wav",
                      "speech-logmel.yaml": "spoken/3/en+f1_200_80.wav", "speech-noise.yaml": "spoken/3/en+f1_200_80.wav"]
        XCTAssertEqual(shipped, inputs.keys.sorted(), "every shipped configuration is exercised here")
        for name in shipped {
            let r = try run(["augment", sample(inputs[name]!), "-o", path(name), "--config", pipelines + "/" + name, "--copies", "1"])
            XCTAssertEqual(r.status, 0, "\(name): \(r.stderr)")
        }
        // photos.yaml resizes its crops back to the photo's size.
        let photo = try ImageFile.read(sample("images/coffee.png")).pixels, variant = try ImageFile.read(path("photos.yaml/coffee_1.png")).pixels
        XCTAssertEqual(variant.shape, photo.shape)
        // speech-logmel.yaml ends in a feature: its variants are [1, 64, 101] log-mel arrays.
        XCTAssertEqual(try Npy.loadTensor(path("speech-logmel.yaml/en+f1_200_80_1.npy")).shape, [1, 64, 101])
    }

    func testThreadCountDoesNotChangeTheFiles() throws {
        let cfg = config(imageChain), input = sample("digits/7/0007.png")
        XCTAssertEqual(try run(["augment", input, "-o", path("one"), "--config", cfg, "--copies", "12"], env: ["PERCEPT_NUM_THREADS": "1"]).status, 0)
        XCTAssertEqual(try run(["augment", input, "-o", path("two"), "--config", cfg, "--copies", "12"], env: ["PERCEPT_NUM_THREADS": "2"]).status, 0)
        for n in try FileManager.default.contentsOfDirectory(atPath: path("one")) {
            XCTAssertEqual(FileManager.default.contents(atPath: path("one/" + n)), FileManager.default.contents(atPath: path("two/" + n)), n)
        }
    }

    func testAudioVariantsKeepTheRateAndLength() throws {
        let wav = sample("spoken/0/en+f1_200_80.wav")
        let cfg = config("""
        - gain: {p: 1, min_gain_db: -6, max_gain_db: -3}
        - add_gaussian_snr: {p: 1, min_snr_db: 20, max_snr_db: 30}
        - shift: {p: 1, min_shift: -0.1, max_shift: 0.1, rollover: false}
        - pitch_shift: {p: 1, min_semitones: 2, max_semitones: 3}
        """)
        let r = try run(["augment", wav, "-o", path("w"), "--config", cfg, "--copies", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let original = try AudioFile.read(wav)
        let v = try AudioFile.read(path("w/en+f1_200_80_2.wav"))
        XCTAssertEqual(v.sampleRate, original.sampleRate)
        XCTAssertEqual(v.samples.shape, original.samples.shape)
        XCTAssertNotEqual(v.samples, original.samples)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("w/en+f1_200_80_sheet.png")))
    }

    /// Bad configurations: exit 2, one line naming the stage and field, nothing written.
    func testBadConfigurationsWriteNothing() throws {
        let digit = sample("digits/0/0000.png"), camera = sample("images/camera.png")
        let wav = sample("spoken/0/en+f1_200_80.wav")
        try FileManager.default.createDirectory(atPath: path("quiet"), withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: path("quiet/readme.txt"), contents: Data("no audio here".utf8)))
        let cases: [(String, String, String, String)] = [
            ("- horizontal_flip: {p: 1.5}", digit, "horizontal_flip.p", "outside [0, 1]"),
            ("- random_crop: {height: 600, width: 600}", camera, "random_crop.height", "larger than the image height 512"),
            ("- gain: {min_gain_db: 6, max_gain_db: -6}", wav, "gain.min_gain_db", "greater than max_gain_db"),
            ("- add_gaussian_snr: {min_snr_db: .nan, max_snr_db: 20}", wav, "add_gaussian_snr.min_snr_db", "not a number"),
            ("- add_background_noise: {sounds_path: \(path("quiet"))}", wav, "add_background_noise.sounds_path", "no audio files"),
            ("- horizontal_flp", digit, "horizontal_flp", "did you mean 'horizontal_flip'?"),
            ("- rotate: {limitt: 10}", digit, "rotate.limitt", "did you mean 'limit'?"),
            ("- gain", digit, "gain", "works on audio"),
            ("- mixup", digit, "mixup", "batch stage"),
            ("stages: [horizontal_flip", digit, path("bad.yaml"), "not valid YAML"),
        ]
        for (i, (yaml, input, subject, fragment)) in cases.enumerated() {
            let cfg = config(yaml, i == cases.count - 1 ? "bad.yaml" : "case\(i).yaml")
            try assertBadInput(["augment", input, "-o", path("out\(i)"), "--config", cfg], names: subject, fragment)
            XCTAssertFalse(FileManager.default.fileExists(atPath: path("out\(i)")), "case \(i) wrote output")
        }
        try assertBadInput(["augment", digit, "-o", path("z"), "--config", config("- vertical_flip"), "--copies", "0"], names: "--copies", "must be ≥ 1")
        try assertBadInput(["augment", path("nope.png"), "-o", path("z"), "--config", config("- vertical_flip")], names: path("nope.png"), "no such file")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("z")))
    }

    /// Option values that trapped, corrupted the heap or built an 800k-tap kernel (issue #16):
    /// exit 2, one line naming the YAML field, and the output folder never created.
    func testHostileOptionValuesAreRejectedBeforeAnythingIsWritten() throws {
        let photo = sample("images/camera.png"), wav = sample("spoken/0/en+f1_200_80.wav")
        let cases: [(String, String, String, String)] = [
            ("- random_crop: {padding: 9223372036854775807}", photo, "stages[0].random_crop.padding", "is outside [0, 65535]"),
            ("- gaussian_blur: {sigma_limit: [1e30, 1e30]}", photo, "stages[0].gaussian_blur.sigma_limit", "is outside (0, 31.75]"),
            ("- gaussian_blur: {sigma_limit: [100000, 100000], blur_limit: 0}", photo, "stages[0].gaussian_blur.sigma_limit", "at most 255"),
            ("- shift: {min_shift: -1e30, max_shift: 0, shift_unit: samples}", wav, "stages[0].shift.min_shift", "for shift_unit samples"),
            ("- coarse_dropout: {hole_height_range: 1e23}", photo, "stages[0].coarse_dropout.hole_height_range", "is outside [1, 65535]"),
            ("- random_resized_crop: {height: 9223372036854775807, width: 10}", photo, "stages[0].random_resized_crop.height", "is outside [1, 65535]"),
            ("- random_resized_crop: {height: 65535, width: 65535}", photo, "stages[0].random_resized_crop.height", "more than the 134217728 allowed"),
            ("- resize: {size: [9223372036854775807, 10]}", photo, "resize.size", "would need more memory than can be addressed"),
        ]
        for (i, (yaml, input, field, fragment)) in cases.enumerated() {
            try assertBadInput(["augment", input, "-o", path("hostile\(i)"), "--config", config(yaml, "hostile\(i).yaml")], names: field, fragment)
            XCTAssertFalse(FileManager.default.fileExists(atPath: path("hostile\(i)")), "case \(i) wrote output")
        }
        try assertBadInput(["augment", photo, "-o", path("many"), "--config", config("- vertical_flip"), "--copies", "10001"],
                           names: "--copies", "at most 10000")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("many")))
    }

    /// Variants go to disk as they are made; a run keeps only the contact sheet's first 15 tiles
    /// per input in progress. So the sheet of 20 copies is the sheet of 15 (same size, the heading
    /// says 15 of 20 are shown), while all 20 variants are written, the first 15 the same bytes.
    func testCopiesDoNotAccumulateInMemory() throws {
        let digit = sample("digits/4/0004.png"), cfg = config(imageChain)
        for n in [15, 20] {
            let r = try run(["augment", digit, "-o", path("c\(n)"), "--config", cfg, "--copies", "\(n)", "--seed", "3"])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(r.stdout, "augment: \(n + 1) files -> \(path("c\(n)"))\n")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: path("c20"))
        XCTAssertEqual(Set(names), Set((1...20).map { "0004_\($0).png" } + ["0004_sheet.png"]))
        for k in 1...15 {
            XCTAssertEqual(FileManager.default.contents(atPath: path("c15/0004_\(k).png")), FileManager.default.contents(atPath: path("c20/0004_\(k).png")))
        }
        let sheet15 = try ImageFile.read(path("c15/0004_sheet.png")).pixels.shape, sheet20 = try ImageFile.read(path("c20/0004_sheet.png")).pixels.shape
        XCTAssertEqual(sheet20, sheet15, "16 tiles whatever the number of copies")
    }

    /// Variants stream to disk, so a variant that fails late (here its output path is a folder)
    /// comes after others were written: the run removes every file it created, sheet and log
    /// included, and leaves what was there before.
    func testAFailingVariantLeavesNoneOfTheRunsFilesBehind() throws {
        let digit = sample("digits/0/0000.png")
        try FileManager.default.createDirectory(atPath: path("o/0000_3.png"), withIntermediateDirectories: true)
        try assertBadInput(["augment", digit, "-o", path("o"), "--config", config(imageChain), "--copies", "6", "--log", path("o.json")],
                           names: path("o/0000_3.png"), "is a directory")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path("o")), ["0000_3.png"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("o.json")))
    }
}
