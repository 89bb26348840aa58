import Foundation
import PerceptCore
import PerceptIO
import XCTest

final class ExtractCommandTests: CLITestCase {
    func testSingleFileWritesNpyOfLibrosaShape() throws {
        let r = try run(["extract", "mfcc", sample("spoken/3/en+f1_200_80.wav"), "-o", path("m.npy"), "--n-mfcc", "13"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // 16000 samples, hop 512, centred: 1 + 16000 / 512 = 32 frames.
        XCTAssertEqual(try Npy.load(path("m.npy")).shape, [13, 32])
    }

    func testALongFileReadInPartsGivesTheSameBytesAsOneWholeRead() throws {
        // 20 s of stereo 16-bit WAV at 16 kHz (320,000 frames: read in parts by the workers) from a
        // spoken clip; with --png the file is read whole (the picture needs the samples).
        let clip = try AudioFile.read(sample("spoken/3/en+f1_200_80.wav")).samples.storage
        let n = 320_000
        let stereo = Tensor(unchecked: [2, n], data: (0..<(2 * n)).map { i in clip[(i % n) % clip.count] * (i < n ? 1 : -0.5) })
        try AudioFile.write(stereo, sampleRate: 16000, to: path("long.wav"), format: .wav16)
        for (feature, options) in [("melspectrogram", ["--n-fft", "512", "--hop-length", "160", "--n-mels", "64", "--db"]),
                                   ("mfcc", ["--n-mfcc", "13", "--deltas", "2"]), ("spectrogram", ["--n-fft", "400", "--hop-length", "333"])] {
            var outputs = [[UInt8]]()
            for (threads, picture) in [("1", true), ("1", false), ("2", false), ("3", false)] {
                let r = try run(["extract", feature, path("long.wav"), "-o", path("o.npy")] + options + (picture ? ["--png", path("o.png")] : []),
                                env: ["PERCEPT_NUM_THREADS": threads])
                XCTAssertEqual(r.status, 0, r.stderr)
                outputs.append([UInt8](try Data(contentsOf: URL(fileURLWithPath: path("o.npy")))))
            }
            for k in 1..<outputs.count { XCTAssertTrue(outputs[k] == outputs[0], "\(feature): parts (run \(k)) against the whole file") }
        }
        // A NaN in the middle of a long float WAV: the whole read's message, nothing written.
        var bad = stereo
        bad[0, 200_000] = .nan
        try AudioFile.write(bad, sampleRate: 16000, to: path("nan.wav"), format: .wavFloat)
        let r = try run(["extract", "melspectrogram", path("nan.wav"), "-o", path("nan.npy")])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderr, "percept: error: \(path("nan.wav")): audio buffer is not finite everywhere\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("nan.npy")))
    }

    func testPictureForPeople() throws {
        let r = try run(["extract", "sobel", sample("digits/3/0003.png"), "-o", path("s.npy"), "--png", path("s.png")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try Npy.load(path("s.npy")).shape, [2, 8, 8])
        let pic = try ImageFile.read(path("s.png"))
        XCTAssertEqual(pic.channels, 3)
        XCTAssertGreaterThanOrEqual(pic.height, 112, "the 8 × 8 digit enlarged to a readable size")
        XCTAssertGreaterThanOrEqual(pic.width, 3 * 112, "image, gx and gy side by side")
    }

    func testSobelPictureFollowsTheMode() throws {
        for mode in ["magnitude", "direction"] {
            let r = try run(["extract", "sobel", sample("images/camera.png"), "-o", path("m.npy"), "--mode", mode, "--png", path("m.png")])
            XCTAssertEqual(r.status, 0, r.stderr)
            let pic = try ImageFile.read(path("m.png"))
            XCTAssertGreaterThanOrEqual(pic.width, 512, mode)
            XCTAssertLessThan(pic.width, 2 * 512, "\(mode): one panel")
        }
    }

    func testDirectoryModeMirrorsTheTreeAndSkipsFailures() throws {
        let src = path("in")
        for d in ["a", "b/c"] { try FileManager.default.createDirectory(atPath: src + "/" + d, withIntermediateDirectories: true) }
        for (from, to) in [("spoken/0/en+f1_200_80.wav", "a/zero.wav"), ("spoken/1/en+f1_200_80.wav", "b/c/one.wav"),
                           ("spoken/2/en+f1_200_80.wav", "b/two.wav")] {
            try FileManager.default.copyItem(atPath: sample(from), toPath: src + "/" + to)
        }
        XCTAssertTrue(FileManager.default.createFile(atPath: src + "/b/broken.wav", contents: Data("RIFF garbage".utf8)))
        XCTAssertTrue(FileManager.default.createFile(atPath: src + "/notes.txt", contents: Data("ignored".utf8)))
        let r = try run(["extract", "melspectrogram", src, "-o", path("out"), "--n-mels", "32"])
        XCTAssertEqual(r.status, 1, "a failed file makes the run exit 1")
        XCTAssertTrue(r.stderr.contains("broken.wav"), r.stderr)
        XCTAssertEqual(r.stdout.split(separator: "\n").last, "extract: 3 ok, 1 failed, 1 skipped (not audio) -> \(path("out"))")
        for out in ["a/zero", "b/c/one", "b/two"] { XCTAssertEqual(try Npy.load(path("out/\(out).npy")).shape, [32, 32]) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("out/b/broken.npy")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("out/notes.npy")))
        let written = FileManager.default.enumerator(atPath: path("out"))?.allObjects as? [String] ?? []
        XCTAssertFalse(written.contains { $0.contains(".tmp-") }, "no temporary files left: \(written)")
    }

    func testDirectoryRerunReplacesEveryOutputAndLeavesNoTemporaryFiles() throws {
        let src = path("in")
        try FileManager.default.createDirectory(atPath: src + "/sub", withIntermediateDirectories: true)
        for d in 0..<4 { try FileManager.default.copyItem(atPath: sample("spoken/\(d)/en+f1_200_80.wav"), toPath: src + "/sub/\(d).wav") }
        let first = try run(["extract", "melspectrogram", src, "-o", path("out"), "--n-mels", "16"])
        XCTAssertEqual(first.status, 0, first.stderr)
        // Different options on the second run: each output must be the new one, whole.
        let second = try run(["extract", "mfcc", src, "-o", path("out"), "--n-mfcc", "5"])
        XCTAssertEqual(second.status, 0, second.stderr)
        for d in 0..<4 { XCTAssertEqual(try Npy.load(path("out/sub/\(d).npy")).shape, [5, 32]) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path("out/sub")).sorted(), (0..<4).map { "\($0).npy" })
    }

    func testDirectoryModePrintsAPlainProgressLinePerTenthWhenNotOnATerminal() throws {
        let src = path("digits")
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        for i in 0..<100 { try FileManager.default.copyItem(atPath: sample("digits/3/0003.png"), toPath: src + "/\(i).png") }
        let r = try run(["extract", "hog", src, "-o", path("out"), "--pixels-per-cell", "4", "--cells-per-block", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.filter { $0.hasSuffix("/100 files") }, (1..<10).map { "extract: \($0 * 10)/100 files" })
        XCTAssertEqual(lines.last, "extract: 100 ok, 0 failed -> \(path("out"))")
    }

    func testDirectoryModeRefusesAnOutputThatIsAFile() throws {
        let out = write([1, 2, 3], "out")
        try assertBadInput(["extract", "mfcc", sample("spoken"), "-o", out], names: out, "not a folder")
        XCTAssertEqual(FileManager.default.contents(atPath: out), Data([1, 2, 3]), "the file is left as it was")
    }

    func testInterruptedDirectoryRunLeavesCompleteOutputsAndNoTemporaryFiles() throws {
        let src = path("in")
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        for i in 0..<400 { try FileManager.default.copyItem(atPath: sample("spoken/\(i % 10)/en+f1_200_80.wav"), toPath: src + "/\(i).wav") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        // A small hop makes each file take a while, so 399 files take far longer than the stop below.
        p.arguments = ["extract", "spectrogram", src, "-o", path("out"), "--n-fft", "2048", "--hop-length", "16"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        func outputs() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: path("out"))) ?? [] }
        // Work has started once a first output is complete (named, not hidden); then freeze the
        // run, so however fast the machine is, the interrupt arrives with the run unfinished.
        let started = waitUntil(timeout: 120) { !p.isRunning || outputs().contains { !$0.hasPrefix(".") } }
        guard p.isRunning else { return XCTFail("the run ended (status \(p.terminationStatus)) before it could be stopped") }
        kill(p.processIdentifier, SIGSTOP)
        XCTAssertTrue(started, "no output within 2 minutes")
        kill(p.processIdentifier, SIGINT)   // pending while stopped, delivered on SIGCONT
        kill(p.processIdentifier, SIGCONT)
        XCTAssertTrue(waitUntil(timeout: 60) { !p.isRunning }, "the run did not stop within a minute of SIGINT")
        guard !p.isRunning else { return }
        XCTAssertEqual(p.terminationStatus, 130)
        let left = try FileManager.default.contentsOfDirectory(atPath: path("out"))
        XCTAssertEqual(left.filter { $0.hasPrefix(".") }, [], "no temporary files left")
        XCTAssertGreaterThan(left.count, 0)
        XCTAssertLessThan(left.count, 400)
        for name in left { XCTAssertEqual(try Npy.load(path("out/" + name)).shape, [1025, 1001], name) }
    }

    func testBadOptionsExitTwoAndWriteNothing() throws {
        let wav = sample("spoken/3/en+f1_200_80.wav")
        try assertBadInput(["extract", "mfcc", wav, "-o", path("x.npy"), "--n-fft", "0"], names: "--n-fft", "")
        try assertBadInput(["extract", "mfcc", wav, "-o", path("x.npy"), "--hop-length", "0"], names: "--hop-length", "")
        try assertBadInput(["extract", "spectrogram", wav, "-o", path("x.npy"), "--window", "kaiserr"], names: "--window", "")
        try assertBadInput(["extract", "mfcc", wav, "-o", path("x.npy"), "--n-mfccs", "13"], names: "--n-mfccs", "did you mean '--n-mfcc'")
        try assertBadInput(["extract", "melspectogram", wav, "-o", path("x.npy")], names: "melspectogram", "did you mean 'melspectrogram'")
        try assertBadInput(["extract", "hog", sample("digits/3/0003.png"), "-o", path("x.npy"), "--pixels-per-cell", "16"],
                           names: "--pixels-per-cell", "")
        try assertBadInput(["extract", "hog", sample("digits/3/0003.png"), "-o", path("x.npy"), "--pixels-per-cell", "2",
                            "--cells-per-block", "2", "--levels", "3"], names: "--levels", "level 2 is 2 × 2")
        try assertBadInput(["extract", "pyramid", sample("images/camera.png"), "-o", path("x.npz"), "--levels", "0"], names: "--levels", "")
        try assertBadInput(["extract", "sobel", wav, "-o", path("x.npy")], names: wav, "")
        try assertBadInput(["extract", "mfcc", path("missing.wav"), "-o", path("x.npy")], names: path("missing.wav"), "no such file")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("x.npy")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("x.npz")))
    }

    func testWrongOutputExtensionIsAUsageError() throws {
        try assertBadInput(["extract", "pyramid", sample("images/camera.png"), "-o", path("p.npy")], names: "-o", "npz")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("p.npy")))
    }

    func testDirectoryModeCountsTheFilesNoFeatureReads() throws {
        let src = path("mixed")
        try FileManager.default.createDirectory(atPath: src + "/img", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: sample("spoken/0/en+f1_200_80.wav"), toPath: src + "/zero.wav")
        try FileManager.default.copyItem(atPath: sample("digits/3/0003.png"), toPath: src + "/img/three.png")
        try FileManager.default.copyItem(atPath: sample("digits/3/0003.png"), toPath: src + "/img/three-again.png")
        XCTAssertTrue(FileManager.default.createFile(atPath: src + "/.hidden.txt", contents: Data("not counted".utf8)))
        let audio = try run(["extract", "mfcc", src, "-o", path("a")])
        XCTAssertEqual(audio.status, 0, audio.stderr)
        XCTAssertEqual(audio.stdout, "extract: 1 ok, 0 failed, 2 skipped (not audio) -> \(path("a"))\n")
        let images = try run(["extract", "sobel", src, "-o", path("i")])
        XCTAssertEqual(images.stdout, "extract: 2 ok, 0 failed, 1 skipped (not PNG) -> \(path("i"))\n")
        try FileManager.default.removeItem(atPath: src + "/zero.wav")
        let none = try run(["extract", "mfcc", src, "-o", path("n")])
        XCTAssertEqual(none.status, 2)
        XCTAssertEqual(none.stderr, "percept: error: \(src): no audio files (aif, aiff, flac, oga, ogg, wav) found (2 other files)\n")
    }

    func testAnOptionWithoutTheOneItNeedsIsAnErrorNamingBoth() throws {
        let wav = sample("spoken/3/en+f1_200_80.wav")
        for (feature, options, message) in [
            ("melspectrogram", ["--top-db", "80"], "--top-db: has no effect without --db"),
            ("melspectrogram", ["--db", "false", "--top-db", "60"], "--top-db: has no effect with --db false"),
            ("mfcc", ["--delta-width", "5"], "--delta-width: has no effect without --deltas"),
            ("mfcc", ["--deltas", "0", "--delta-width", "5"], "--delta-width: has no effect with --deltas 0"),
            ("spectrogram", ["--center", "false", "--pad-mode", "reflect"], "--pad-mode: has no effect with --center false"),
        ] {
            let r = try run(["extract", feature, wav, "-o", path("x.npy")] + options)
            XCTAssertEqual(r.status, 2, "\(options)")
            XCTAssertEqual(r.stderr, "percept: error: \(message)\n")
            XCTAssertFalse(FileManager.default.fileExists(atPath: path("x.npy")))
        }
        let ok = try run(["extract", "melspectrogram", wav, "-o", path("x.npy"), "--db", "--top-db", "60", "--n-mels", "32"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(try Npy.load(path("x.npy")).shape, [32, 32])
    }

    func testARepeatedSingleValueOptionIsAnError() throws {
        let wav = sample("spoken/3/en+f1_200_80.wav")
        for (options, message) in [
            (["--n-mels", "64", "--n-mels", "128"], "--n-mels: given twice"),
            (["--n-mels=64", "--n-mels", "64"], "--n-mels: given twice"),
            (["-o", path("y.npy")], "-o: given twice"),
            (["--output", path("y.npy")], "--output: given twice (first as -o)"),
            (["--png", path("a.png"), "--png=\(path("b.png"))"], "--png: given twice"),
        ] {
            let r = try run(["extract", "melspectrogram", wav, "-o", path("x.npy")] + options)
            XCTAssertEqual(r.status, 2, "\(options)")
            XCTAssertEqual(r.stderr, "percept: error: \(message)\n")
            XCTAssertFalse(FileManager.default.fileExists(atPath: path("x.npy")))
        }
        let augment = try run(["augment", wav, "-o", path("aug"), "--config", Self.root + "/Pipelines/augment/speech.yaml",
                               "--copies", "2", "--seed", "1", "--copies", "3"])
        XCTAssertEqual(augment.status, 2)
        XCTAssertEqual(augment.stderr, "percept: error: --copies: given twice\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("aug")))
    }
}
