import Foundation
import PerceptIO
import XCTest

final class InfoCommandTests: CLITestCase {
    func testVersionAndHelp() throws {
        let v = try run(["--version"])
        XCTAssertEqual(v.status, 0)
        XCTAssertFalse(v.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        let h = try run(["--help"])
        XCTAssertEqual(h.status, 0)
        XCTAssertTrue(h.stdout.contains("info"))
        XCTAssertTrue(h.stdout.contains("extract"))
    }

    func testInfoDescribesEverySampleKind() throws {
        let r = try run(["info", sample("images/camera.png"), sample("images/coffee.png"), sample("spoken/0/en+f1_200_80.wav"),
                         sample("mnist/t10k-images-idx3-ubyte.gz"), sample("mnist/t10k-labels-idx1-ubyte.gz")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("camera.png: image  PNG 512x512, 1 channel (gray), 8-bit"))
        XCTAssertTrue(r.stdout.contains("coffee.png: image  PNG 600x400, 3 channels (RGB), 8-bit"))
        XCTAssertTrue(r.stdout.contains("16000 Hz, 1 channel, 16000 frames, 1.000 s"))
        XCTAssertTrue(r.stdout.contains("images, 500 items of 28x28"))
        XCTAssertTrue(r.stdout.contains("labels, 500 items"))
    }

    func testInfoOnNpyAndNpz() throws {
        try Npy.save(.init(shape: [3, 4]), to: path("a.npy"))
        try Npz.save([("x", .init(shape: [2]))], to: path("b.npz"))
        let r = try run(["info", path("a.npy"), path("b.npz")])
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.stdout.contains("npy    float32 [3, 4]"))
        XCTAssertTrue(r.stdout.contains("npz    1 array: x float32 [2]"))
    }

    func testEachBadFileGetsOneLineAndExitTwo() throws {
        try assertBadInput(["info", path("missing.wav")], names: path("missing.wav"), "no such file")
        try assertBadInput(["info", write([], "empty.png")], names: path("empty.png"), "empty file")
        try assertBadInput(["info", dir], names: dir, "directory")
        try assertBadInput(["info", write(Array("plain text".utf8), "notes.txt")], names: path("notes.txt"), "unsupported format")
        let wav = [UInt8](FileManager.default.contents(atPath: sample("spoken/0/en+f1_200_80.wav"))!)
        try assertBadInput(["info", write(Array(wav[0..<(wav.count / 2)]), "cut.wav")], names: path("cut.wav"), "truncated")
        let png = [UInt8](FileManager.default.contents(atPath: sample("images/camera.png"))!)
        try assertBadInput(["info", write(Array(png[0..<20]), "cut.png")], names: path("cut.png"), "")
        var npy = [UInt8](Npy.encode(NpyArray(.init(shape: [100]))))
        npy.removeLast(10)
        try assertBadInput(["info", write(npy, "cut.npy")], names: path("cut.npy"), "truncated")
        let idx = [UInt8](FileManager.default.contents(atPath: sample("mnist/t10k-labels-idx1-ubyte.gz"))!)
        try assertBadInput(["info", write(Array(idx[0..<(idx.count / 2)]), "cut-idx1-ubyte.gz")], names: path("cut-idx1-ubyte.gz"), "")
        let huge = Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgABhqAAAYagCAAAAACNOVQUAAAADElEQVR4nGNgoD0AAABkAAGGZDw1AAAAAElFTkSuQmCC")!
        try assertBadInput(["info", write([UInt8](huge), "huge.png")], names: path("huge.png"), "100000x100000")
        let flac = path("a.flac")
        try AudioFile.write(.init(shape: [1, 44100], repeating: 0.25), sampleRate: 44100, to: flac, format: .flac16)
        var corrupt = [UInt8](FileManager.default.contents(atPath: flac)!)
        for i in stride(from: corrupt.count / 2, to: corrupt.count - 8, by: 5) { corrupt[i] ^= 0x5A }
        try assertBadInput(["info", write(corrupt, "corrupt.flac")], names: path("corrupt.flac"), "")
    }

    func testGoodFilesStillShownWhenOneIsBad() throws {
        let r = try run(["info", sample("images/camera.png"), path("missing.png")])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stdout.contains("camera.png"))
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1)
    }

    func testBadUsageExitsTwo() throws {
        XCTAssertEqual(try run(["info"]).status, 2)
        XCTAssertEqual(try run(["no-such-command"]).status, 2)
        XCTAssertEqual(try run(["extract", "no-such-feature", sample("images/camera.png"), "-o", path("x.npy")]).status, 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("x.npy")))
    }
}

final class ListCommandTests: CLITestCase {
    func testListsEveryKindAndDescribesOne() throws {
        let all = try run(["list"])
        XCTAssertEqual(all.status, 0)
        for name in ["mfcc", "hog", "random_crop", "mixup", "conv2d", "lstm", "cross_entropy", "adam"] {
            XCTAssertTrue(all.stdout.contains("  \(name) "), "\(name) missing from percept list")
        }
        let one = try run(["list", "mfcc"])
        XCTAssertTrue(one.stdout.range(of: #"n_mfcc +--n-mfcc +int +20 +number of coefficients"#, options: .regularExpression) != nil, one.stdout)
        try assertBadInput(["list", "adamm"], names: "adamm", "did you mean 'adam'")
    }

    func testKindsAreListedBySingularOrPluralName() throws {
        for (word, heading) in [("layers", "Layers"), ("layer", "Layers"), ("losses", "Losses"), ("transforms", "Transforms"), ("stages", "Augmentation stages")] {
            let r = try run(["list", word])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stdout.hasPrefix(heading), "\(word): \(r.stdout.prefix(80))")
        }
        let layers = try run(["list", "layers"]).stdout
        XCTAssertTrue(layers.contains("  conv2d "), layers)
        XCTAssertFalse(layers.contains("  adam "), layers)
    }

    func testAnUnknownCommandIsNamedWithTheClosestOne() throws {
        let r = try run(["extrct", "a.wav", "-o", "b.npy"])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderr, "percept: error: unknown command 'extrct' (did you mean 'extract'?) (see 'percept --help')\n")
        XCTAssertEqual(try run(["help"]).status, 0)
    }

    /// The table of `percept list NAME`: every cell starts in its heading's column.
    func assertAligned(_ page: String, line: UInt = #line) {
        let lines = page.split(separator: "\n").map(String.init)
        guard let head = lines.firstIndex(where: { $0.hasPrefix("  option ") }) else { return XCTFail("no table in \(page)", line: line) }
        let header = Array(lines[head])
        let starts = header.indices.filter { $0 > 0 && header[$0] != " " && header[$0 - 1] == " " }
        XCTAssertGreaterThanOrEqual(starts.count, 3, line: line)
        for row in lines[(head + 1)...] {
            let chars = Array(row)
            for s in starts {
                XCTAssertTrue(s < chars.count && chars[s] != " " && chars[s - 1] == " ", "'\(row)' is not aligned with '\(lines[head])'", line: line)
            }
        }
    }

    func testAComponentPageAlignsItsColumnsAndShowsFlagsOnlyForFeatures() throws {
        let mfcc = try run(["list", "mfcc"])
        XCTAssertEqual(mfcc.status, 0, mfcc.stderr)
        let pages = mfcc.stdout.components(separatedBy: "\n\n")
        XCTAssertEqual(pages.count, 2, "the mfcc feature and the mfcc transform")
        XCTAssertTrue(pages[0].hasPrefix("mfcc (feature)"), pages[0])
        XCTAssertTrue(pages[0].contains("  option       flag           type    default   meaning\n"), pages[0])
        XCTAssertTrue(pages[0].contains("percept extract mfcc INPUT -o OUTPUT"), pages[0])
        XCTAssertTrue(pages[0].contains("(only with --deltas)"), pages[0])
        assertAligned(pages[0])
        XCTAssertTrue(pages[1].hasPrefix("mfcc (transform)"), pages[1])
        XCTAssertTrue(pages[1].contains("(only with deltas)"), pages[1])
        assertAligned(pages[1])
        // Layers, losses, optimizers, schedules, augmentation stages and transforms are YAML-only.
        for name in ["conv2d", "adam", "schedule", "random_crop", "time_masking", "fix_length", "cross_entropy"] {
            let r = try run(["list", name])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertFalse(r.stdout.contains("--"), "\(name) shows a CLI flag: \(r.stdout)")
            XCTAssertTrue(r.stdout.contains("YAML only"), r.stdout)
            if name != "cross_entropy" { assertAligned(r.stdout) }
        }
    }

    func testReferenceDocMatchesTheCode() throws {
        let generated = try run(["list", "--markdown"]).stdout
        let committed = String(decoding: FileManager.default.contents(atPath: Self.root + "/docs/reference.md") ?? Data(), as: UTF8.self)
        XCTAssertEqual(committed, generated, "docs/reference.md is stale: regenerate with `percept list --markdown > docs/reference.md`")
    }
}
