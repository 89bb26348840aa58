import Foundation
import PerceptIO
import XCTest

/// `percept run` / `percept validate` on the shipped quickstart, shrunk with `--set` so the
/// debug build trains it in seconds.
final class RunCommandTests: CLITestCase {
    /// The quickstart on 3 samples per class, one epoch each, with a small CNN for the
    /// spectrograms (the debug build trains the full one slowly; `make demo` runs it as shipped).
    var tiny: [String] {
        ["--set", "+data.digits.max_per_class=3", "--set", "+data.spoken.max_per_class=3",
         "--set", "models.digits_cnn.train.epochs=1", "--set", "models.spoken_cnn.train.epochs=1",
         "--set", "models.spoken_cnn.layers=[{conv2d: {out_channels: 4, kernel_size: 5}}, relu, {maxpool2d: {kernel_size: 4}}, flatten, {dense: {out_features: classes}}]"]
    }

    func json(_ p: String) throws -> [String: Any] {
        let d = try XCTUnwrap(FileManager.default.contents(atPath: p), p)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: d) as? [String: Any])
    }

    func testQuickstartTrainsBothModelsAndWritesTheRunFolder() throws {
        let out = path("run")
        let r = try run(["run", "Pipelines/quickstart.yaml", "--out", out, "--quiet"] + tiny)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr, "", "--quiet prints only the summary")
        XCTAssertTrue(r.stdout.hasPrefix("model       test accuracy"), r.stdout)
        for m in ["digits_cnn", "spoken_cnn"] {
            XCTAssertTrue(r.stdout.contains(m))
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(out)/models/\(m)/model.safetensors"))
            let history = try String(contentsOfFile: "\(out)/models/\(m)/history.csv", encoding: .utf8).split(separator: "\n")
            XCTAssertEqual(history.first, "epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds")
            XCTAssertEqual(history.count, 2)
        }
        let metrics = try json(out + "/metrics.json")
        XCTAssertEqual(metrics["pipeline"] as? String, "quickstart")
        let models = try XCTUnwrap(metrics["models"] as? [String: [String: Any]])
        let digits = try XCTUnwrap(models["digits_cnn"])
        for key in ["test_accuracy", "test_loss", "macro_f1", "epochs", "train_seconds", "params", "classes", "confusion"] {
            XCTAssertNotNil(digits[key], key)
        }
        XCTAssertEqual(digits["classes"] as? [String], (0...9).map(String.init))
        XCTAssertEqual(digits["params"] as? Int, 258_314)
        let confusion = try XCTUnwrap(digits["confusion"] as? [[Int]])
        XCTAssertEqual(confusion.count, 10)
        let resolved = try String(contentsOfFile: out + "/pipeline.yaml", encoding: .utf8)
        XCTAssertTrue(resolved.contains("max_per_class: 3"), resolved)
        XCTAssertTrue(resolved.contains("seed: 7"))

        // A finished run is never overwritten without --force; nothing of it is touched.
        let before = try Data(contentsOf: URL(fileURLWithPath: out + "/metrics.json"))
        try assertBadInput(["run", "Pipelines/quickstart.yaml", "--out", out] + tiny, names: out, "holds a finished run")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out + "/metrics.json")), before)
        // The second run finds every feature in the cache.
        let again = try run(["run", "Pipelines/quickstart.yaml", "--out", out, "--force", "--only", "spoken_cnn"] + tiny)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("features of 30 samples: 30 from the cache, 0 computed"), again.stderr)
    }

    func testDryRunPrintsEveryShapeAndParameterCountAndTrainsNothing() throws {
        let out = path("dry")
        let r = try run(["run", "Pipelines/quickstart.yaml", "--dry-run", "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("melspectrogram    spectrogram  [1, 64, 101]"), r.stdout)
        XCTAssertTrue(r.stdout.contains("random (training only)"))
        XCTAssertTrue(r.stdout.contains("dense      [128]          2,637,952"), r.stdout)
        XCTAssertTrue(r.stdout.contains("total params: 258,314"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testValidateReportsEveryErrorWithItsLineAndExitsTwo() throws {
        let bad = path("bad.yaml")
        try """
            name: bad
            data:
              d: {kind: image, train: {folder: Samples/digits}}
            models:
              m:
                data: d
                layers: [flaten, {dense: {out_features: classes}}]
                train: {epochs: 0, optimiser: adam}
            """.write(toFile: bad, atomically: true, encoding: .utf8)
        let r = try run(["validate", bad])
        XCTAssertEqual(r.status, 2)
        let lines = r.stderr.split(separator: "\n")
        XCTAssertGreaterThanOrEqual(lines.count, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("models.m.layers[0] (line 7, column 14): unknown layer 'flaten' (did you mean 'flatten'?)"), r.stderr)
        XCTAssertTrue(r.stderr.contains("models.m.train.optimiser"), r.stderr)
        XCTAssertTrue(r.stderr.contains("did you mean 'optimizer'"), r.stderr)
        let ok = try run(["validate", "Pipelines/quickstart.yaml"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.contains("valid"), ok.stdout)
    }

    func testEveryMissingInputIsListedBeforeAnyWork() throws {
        let p = path("missing.yaml")
        try """
            name: missing
            data:
              d: {kind: image, train: {idx: {images: nowhere/a.gz, labels: nowhere/b.gz}}}
            models:
              m: {data: d, layers: [flatten, {dense: {out_features: classes}}]}
            """.write(toFile: p, atomically: true, encoding: .utf8)
        let r = try run(["run", p, "--out", path("o")])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("nowhere/a.gz") && r.stderr.contains("nowhere/b.gz"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("o")))
    }

    func testALayerThatCannotTakeItsInputIsNamedBeforeTraining() throws {
        let r = try run(["run", "Pipelines/quickstart.yaml", "--out", path("o"), "--only", "digits_cnn",
                         "--set", "models.digits_cnn.layers[3].conv2d.kernel_size=20"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("models.digits_cnn.layers[3].conv2d"), r.stderr)
        XCTAssertTrue(r.stderr.contains("[32, 14, 14]"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("o/metrics.json")))
    }

    /// digits_cnn alone, 4 epochs of 50 samples: long enough to stop in the middle.
    let resumable = ["Pipelines/quickstart.yaml", "--only", "digits_cnn", "--set", "+data.digits.max_per_class=5",
                     "--set", "models.digits_cnn.train.epochs=4", "--set", "models.digits_cnn.train.batch_size=8"]

    /// Starts `percept run` into `out` and returns it frozen (SIGSTOP) as soon as `ready` holds,
    /// with a pipe on its stderr; nil (after a failure) when the run ended first.
    func startFrozen(_ out: String, when ready: @escaping () -> Bool) throws -> (Process, Pipe)? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.currentDirectoryURL = URL(fileURLWithPath: Self.root)
        p.arguments = ["run"] + resumable + ["--out", out]
        let err = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        try p.run()
        let started = waitUntil(timeout: 120) { !p.isRunning || ready() }
        guard p.isRunning else { XCTFail("the run ended before it could be stopped"); return nil }
        kill(p.processIdentifier, SIGSTOP)
        XCTAssertTrue(started)
        return (p, err)
    }

    /// Resumes the run in `b`, then checks it ended as the straight run in `a` did.
    func assertResumeMatchesStraightRun(_ a: String, _ b: String) throws -> String {
        let resumed = try run(["run"] + resumable + ["--out", b, "--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("resuming after epoch"), resumed.stderr)
        XCTAssertEqual(FileManager.default.contents(atPath: a + "/models/digits_cnn/model.safetensors"),
                       FileManager.default.contents(atPath: b + "/models/digits_cnn/model.safetensors"),
                       "the resumed run ends with the same weights as the straight one")
        func rows(_ run: String) throws -> [String] {
            try String(contentsOfFile: run + "/models/digits_cnn/history.csv", encoding: .utf8).split(separator: "\n")
                .map { $0.split(separator: ",").dropLast().joined(separator: ",") }
        }
        XCTAssertEqual(try rows(a), try rows(b), "same losses and accuracies epoch by epoch (seconds aside)")
        return resumed.stderr
    }

    func testCtrlCKeepsTheLastEpochAndResumeFinishesBitIdentically() throws {
        let straight = try run(["run"] + resumable + ["--out", path("a"), "--quiet"])
        XCTAssertEqual(straight.status, 0, straight.stderr)

        let history = path("b/models/digits_cnn/history.csv")
        // Stop once the first epoch is on disk, frozen so the interrupt lands mid-training.
        guard let (p, err) = try startFrozen(path("b"), when: {
            ((try? String(contentsOfFile: history, encoding: .utf8))?.split(separator: "\n").count ?? 0) >= 2
        }) else { return }
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        kill(p.processIdentifier, SIGINT)
        kill(p.processIdentifier, SIGCONT)
        XCTAssertTrue(waitUntil(timeout: 60) { !p.isRunning })
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(p.terminationStatus, 130, message)
        XCTAssertTrue(message.contains("--resume"), message)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("b/models/digits_cnn/model.safetensors")))

        _ = try assertResumeMatchesStraightRun(path("a"), path("b"))
    }

    func testKillNineAfterACheckpointThenResumeFinishesBitIdentically() throws {
        let straight = try run(["run"] + resumable + ["--out", path("a"), "--quiet"])
        XCTAssertEqual(straight.status, 0, straight.stderr)

        let models = path("b/models/digits_cnn")
        // SIGKILL once the first epoch's checkpoint is on disk: nothing of the run can react.
        guard let (p, _) = try startFrozen(path("b"), when: { FileManager.default.fileExists(atPath: models + "/checkpoint.safetensors") }) else { return }
        kill(p.processIdentifier, SIGKILL)
        XCTAssertTrue(waitUntil(timeout: 60) { !p.isRunning })
        XCTAssertEqual(p.terminationReason, .uncaughtSignal)
        XCTAssertFalse(FileManager.default.fileExists(atPath: models + "/model.safetensors"))
        // What a kill in the middle of writing leaves: a hidden temporary file of the dead
        // process, and (were history.csv appended to) a torn last line.
        let leftover = models + "/.checkpoint.safetensors.tmp-\(p.processIdentifier)-12345"
        XCTAssertTrue(FileManager.default.createFile(atPath: leftover, contents: Data([1, 2, 3])))
        let h = try XCTUnwrap(FileHandle(forWritingAtPath: models + "/history.csv"))
        h.seekToEndOfFile(); h.write(Data("9,0.12".utf8)); h.closeFile()

        let stderr = try assertResumeMatchesStraightRun(path("a"), path("b"))
        XCTAssertTrue(stderr.contains("percept: removed "), stderr)
        let hidden = try FileManager.default.subpathsOfDirectory(atPath: path("b")).filter { ($0 as NSString).lastPathComponent.contains(".tmp-") }
        XCTAssertEqual(hidden, [], "no temporary file of the killed run is left")
    }

    func testTheSobelExerciseWritesEachDigitBesideItsTwoDerivatives() throws {
        let out = path("sobel")
        let r = try run(["run", "Pipelines/sobel.yaml", "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        let files = try FileManager.default.contentsOfDirectory(atPath: out + "/exports/digits").sorted()
        XCTAssertEqual(files.filter { $0.hasSuffix(".npy") }.count, 10)
        XCTAssertTrue(files.contains("0000_7.png") && files.contains("sheet.png"), "\(files)")
        let gxgy = try Npy.load(out + "/exports/digits/0000_7.npy")
        XCTAssertEqual(gxgy.shape, [2, 28, 28])
        let picture = try ImageFile.read(out + "/exports/digits/0000_7.png").pixels
        XCTAssertGreaterThanOrEqual(picture.shape[1], 112, "28-pixel digits are enlarged 4×")
        XCTAssertGreaterThanOrEqual(picture.shape[2], 3 * 112, "the digit, gx and gy")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/metrics.json"), "no models, no metrics")
    }

    func testPredictAndEvaluateUseTheCheckpointsOwnChainAndClasses() throws {
        let out = path("run")
        let trained = try run(["run", "Pipelines/quickstart.yaml", "--out", out, "--quiet"] + tiny)
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let spoken = out + "/models/spoken_cnn/model.safetensors", digits = out + "/models/digits_cnn/model.safetensors"

        let p = try run(["predict", spoken, "Samples/spoken/3/en+f1_200_80.wav", "Samples/spoken/7/en+f3_120_80.wav", "--top", "3", "--json"])
        XCTAssertEqual(p.status, 0, p.stderr)
        let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(p.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(items.count, 2)
        let top = try XCTUnwrap(items[0]["predictions"] as? [[String: Any]])
        XCTAssertEqual(top.count, 3)
        let probs = top.compactMap { $0["probability"] as? Double }
        XCTAssertEqual(probs, probs.sorted(by: >), "best first")
        XCTAssertTrue(top.allSatisfy { (0...9).map(String.init).contains($0["class"] as? String ?? "") })
        let plain = try run(["predict", spoken, "Samples/spoken/3/en+f1_200_80.wav"])
        XCTAssertEqual(plain.stdout.split(separator: " ", omittingEmptySubsequences: true).count, 3, plain.stdout)   // file, class, probability

        let e = try run(["evaluate", digits, "Samples/mnist/t10k-images-idx3-ubyte.gz", "--labels", "Samples/mnist/t10k-labels-idx1-ubyte.gz"])
        XCTAssertEqual(e.status, 0, e.stderr)
        XCTAssertTrue(e.stdout.hasPrefix("samples   500\naccuracy  "), e.stdout)
        XCTAssertTrue(e.stdout.contains("class  precision  recall") && e.stdout.contains("confusion (rows: true class"), e.stdout)
        let j = try run(["evaluate", spoken, "Samples/spoken", "--json"])
        XCTAssertEqual(j.status, 0, j.stderr)
        let metrics = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(metrics["samples"] as? Int, 100)
        XCTAssertEqual((metrics["confusion"] as? [[Int]])?.joined().reduce(0, +), 100)

        // A digit checkpoint cannot read audio; a weights-only file is named as such.
        try assertBadInput(["predict", digits, "Samples/spoken/3/en+f1_200_80.wav"], names: "en+f1_200_80.wav", "")
        try assertBadInput(["evaluate", spoken, "Samples/spoken/3/en+f1_200_80.wav"], names: "en+f1_200_80.wav", "class-folder tree")
    }
}
