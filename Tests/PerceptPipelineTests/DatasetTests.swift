import Foundation
import PerceptCore
import PerceptIO
import PerceptPipeline
import XCTest

/// `Dataset.load` on small fixtures written to a temporary folder: every source kind, the seeded
/// splits, and every error it reports.
final class DatasetTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "percept-data-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.path

    /// A 2×3 gray PNG whose first pixel encodes `value` (0…255).
    private func png(_ rel: String, _ value: Int = 0) throws {
        try ImageFile.write(Tensor(unchecked: [1, 2, 3], data: [Float(value) / 255, 0, 0, 1, 1, 1]), to: dir + "/" + rel)
    }

    /// A mono (or stereo) 16-bit WAV of `frames` frames at `rate`.
    private func wav(_ rel: String, rate: Int = 16000, frames: Int = 800, channels: Int = 1) throws {
        let data = (0..<(channels * frames)).map { Float(sin(Double($0) * 0.05)) * 0.5 }
        try AudioFile.write(Tensor(unchecked: [channels, frames], data: data), sampleRate: rate, to: dir + "/" + rel)
    }

    private func text(_ rel: String, _ s: String) throws {
        let p = dir + "/" + rel
        try FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try s.write(toFile: p, atomically: true, encoding: .utf8)
    }

    /// A folder of images: `counts[name]` PNGs per class.
    private func imageFolder(_ counts: [String: Int], root: String = "img") throws {
        for (c, n) in counts { for i in 0..<n { try png("\(root)/\(c)/\(String(format: "%03d", i)).png", i) } }
    }

    private func spec(_ kind: SampleKind = .image, train: SourceSpec, validation: SourceSpec? = nil, test: SourceSpec? = nil,
                      rate: Int? = nil, v: Double? = nil, t: Double? = nil, groupBy: String? = nil, max: Int? = nil) throws -> DataSpec {
        try DataSpec(name: "x", kind: kind, train: train, validation: validation, test: test, sampleRate: rate,
                     validationFraction: v, testFraction: t, groupBy: groupBy, maxPerClass: max)
    }

    /// The lines of the error `body` throws.
    private func errorLines(_ body: () throws -> Any) -> [String] {
        do { _ = try body(); XCTFail("no error") } catch let e as PerceptError {
            XCTAssertEqual(e.exitCode, 2); return [e.description]
        } catch let e as DiagnosticList {
            XCTAssertEqual(e.exitCode, 2); return e.errors.map(\.description)
        } catch { XCTFail("unexpected \(error)") }
        return []
    }

    private func names(_ items: [DataItem]) -> Set<String> { Set(items.map(\.displayName)) }

    // MARK: sources

    func testAFolderOfImagesGivesSortedClassesAndSkipsOtherAndHiddenFiles() throws {
        try imageFolder(["dog": 3, "cat": 2])
        try text("img/cat/notes.txt", "x")
        try text("img/cat/.hidden.png", "x")
        try text("img/README", "x")
        let data = try Dataset.load(spec(train: .folder(dir + "/img")), seed: 1)
        XCTAssertEqual(data.classes, ["cat", "dog"])
        XCTAssertEqual(data.train.count, 5)
        XCTAssertEqual(data.counts(data.train), [2, 3])
        XCTAssertEqual(data.skipped, 2, "notes.txt and the root's README; hidden files are not counted")
        XCTAssertTrue(data.validation.isEmpty && data.test.isEmpty)
        let item = try XCTUnwrap(data.train.first { $0.displayName.hasSuffix("dog/002.png") })
        XCTAssertEqual(item.label, 1)
        let s = try data.sample(item)
        XCTAssertEqual(s.kind, .image)
        XCTAssertEqual(s.data.shape, [1, 2, 3])
        XCTAssertEqual(s.data.storage, [2 / 255, 0, 0, 1, 1, 1])
    }

    func testIDXDataReadsLabelsAsClassesAndDecodesBytesOver255() throws {
        let images = Self.repo + "/Samples/mnist/t10k-images-idx3-ubyte.gz", labels = Self.repo + "/Samples/mnist/t10k-labels-idx1-ubyte.gz"
        let data = try Dataset.load(spec(train: .idx(images: images, labels: labels)), seed: 1)
        XCTAssertEqual(data.classes, (0...9).map(String.init))
        XCTAssertEqual(data.train.count, 500)
        XCTAssertEqual(data.train[17].displayName, images + "[17]")
        let truth = try IDX.readLabels(labels)
        XCTAssertEqual(data.train.map(\.label), truth)
        let s = try data.sample(data.train[17])
        XCTAssertEqual(s.data.shape, [1, 28, 28])
        let all = try IDX.readImages(images)
        XCTAssertEqual(s.data.storage, all.slice(17).storage.map { $0 / 255 })
        XCTAssertEqual(try data.contentKey(data.train[17]), try SHA256.hex(file: images) + "#17")
    }

    func testAudioIsMonoAndResampledToTheSpecRate() throws {
        try wav("a/low/1.wav", rate: 8000, frames: 800, channels: 2)
        try wav("a/high/1.wav", rate: 16000, frames: 1600)
        let data = try Dataset.load(spec(.audio, train: .folder(dir + "/a"), rate: 16000), seed: 1)
        XCTAssertEqual(data.sampleRate, 16000)
        for item in data.train {
            let s = try data.sample(item)
            XCTAssertEqual(s.kind, .audio)
            XCTAssertEqual(s.sampleRate, 16000)
            XCTAssertEqual(s.data.shape, [1, 1600], item.displayName)
        }
    }

    func testWithoutASampleRateAFileAtAnotherRateIsNamed() throws {
        try wav("a/p/1.wav", rate: 16000)
        try wav("a/q/1.wav", rate: 22050)
        let data = try Dataset.load(spec(.audio, train: .folder(dir + "/a")), seed: 1)
        XCTAssertEqual(data.sampleRate, 16000, "the first training file's rate")
        let odd = try XCTUnwrap(data.train.first { $0.displayName.hasSuffix("q/1.wav") })
        XCTAssertEqual(errorLines { try data.sample(odd) },
                       ["\(dir)/a/q/1.wav: 22050 Hz, but the data's other files are 16000 Hz; set sample_rate in data.x to resample"])
    }

    func testAManifestResolvesPathsAgainstItsFolderAndReadsGroups() throws {
        try png("m/files/a1.png"); try png("m/files/b1.png"); try png("m/files/b2.png")
        try text("m/list.csv", "file,digit,voice\nfiles/a1.png,one,v1\nfiles/b1.png,two,v1\n\"files/b2.png\",two,v2\n")
        let data = try Dataset.load(spec(train: .manifest(csv: dir + "/m/list.csv", pathColumn: "file", labelColumn: "digit", splitColumn: nil),
                                         groupBy: "voice"), seed: 1)
        XCTAssertEqual(data.classes, ["one", "two"])
        XCTAssertEqual(data.train.map(\.displayName), ["a1", "b1", "b2"].map { "\(dir)/m/files/\($0).png" })
        XCTAssertEqual(data.train.map(\.group), ["v1", "v1", "v2"])
        XCTAssertEqual(data.train.map(\.label), [0, 1, 1])
    }

    func testASplitColumnAssignsRowsExplicitly() throws {
        try imageFolder(["a": 3, "b": 3], root: "f")
        try text("f/m.csv", "path,label,part\n" + (0..<3).flatMap { i in ["a", "b"].map { "\($0)/00\(i).png,\($0),\(["train", "Validation", "test"][i])" } }.joined(separator: "\n"))
        let data = try Dataset.load(spec(train: .manifest(csv: dir + "/f/m.csv", pathColumn: "path", labelColumn: "label", splitColumn: "part")), seed: 1)
        XCTAssertEqual(names(data.train), ["\(dir)/f/a/000.png", "\(dir)/f/b/000.png"])
        XCTAssertEqual(names(data.validation), ["\(dir)/f/a/001.png", "\(dir)/f/b/001.png"])
        XCTAssertEqual(names(data.test), ["\(dir)/f/a/002.png", "\(dir)/f/b/002.png"])

        try text("f/bad.csv", "path,label,part\na/000.png,a,train\nb/000.png,b,tset\n")
        XCTAssertEqual(errorLines { try Dataset.load(self.spec(train: .manifest(csv: self.dir + "/f/bad.csv", pathColumn: "path", labelColumn: "label", splitColumn: "part")), seed: 1) },
                       ["\(dir)/f/bad.csv:3: 'tset' in column 'part' is not train, validation or test (did you mean 'test'?)"])
        try text("f/notrain.csv", "path,label,part\na/000.png,a,train\nb/000.png,b,test\n")
        XCTAssertEqual(errorLines { try Dataset.load(self.spec(train: .manifest(csv: self.dir + "/f/notrain.csv", pathColumn: "path", labelColumn: "label", splitColumn: "part")), seed: 1) },
                       ["data.x.train.manifest.split_column: no row of class 'b' has part = train; it needs a training sample"])
    }

    // MARK: splits

    func testAStratifiedSplitGivesEachClassItsRoundedShareAndAtLeastOne() throws {
        try imageFolder(["a": 10, "b": 5, "c": 3])
        let data = try Dataset.load(spec(train: .folder(dir + "/img"), v: 0.1, t: 0.2), seed: 7)
        XCTAssertEqual(data.counts(data.validation), [1, 1, 1], "max(1, round(0.1 × n)): 1, round(0.5) = 1, max(1, 0)")
        XCTAssertEqual(data.counts(data.test), [2, 1, 1])
        XCTAssertEqual(data.counts(data.train), [7, 3, 1])
        let all = data.train + data.validation + data.test
        XCTAssertEqual(Set(all).count, 18, "no item in two splits, none lost")
    }

    func testSplitsDependOnlyOnTheSeed() throws {
        try imageFolder(["a": 20, "b": 20])
        let s = try spec(train: .folder(dir + "/img"), v: 0.2, t: 0.2)
        let one = try Dataset.load(s, seed: 3), again = try Dataset.load(s, seed: 3)
        XCTAssertEqual(one.train, again.train)
        XCTAssertEqual(one.validation, again.validation)
        XCTAssertEqual(one.test, again.test)
        let threaded = try Parallel.withThreads(1) { try Dataset.load(s, seed: 3) }
        XCTAssertEqual(threaded.test, one.test)
        let other = try Dataset.load(s, seed: 4)
        XCTAssertNotEqual(names(other.test), names(one.test))
        XCTAssertEqual(other.counts(other.test), one.counts(one.test))
    }

    func testASplitLeavingAClassNoTrainingSampleIsAnError() throws {
        try imageFolder(["a": 10, "b": 2])
        XCTAssertEqual(errorLines { try Dataset.load(self.spec(train: .folder(self.dir + "/img"), v: 0.1, t: 0.2), seed: 1) },
                       ["data.x.split: class 'b' has 2 samples; 1 for validation and 1 for test leave it no training sample"])
    }

    func testMaxPerClassCapsEachClassWithASeededChoiceBeforeSplitting() throws {
        try imageFolder(["a": 12, "b": 3])
        let s = try spec(train: .folder(dir + "/img"), v: 0.25, max: 4)
        let data = try Dataset.load(s, seed: 5)
        XCTAssertEqual(data.counts(data.train + data.validation), [4, 3])
        XCTAssertEqual(data.counts(data.validation), [1, 1])
        XCTAssertEqual(try Dataset.load(s, seed: 5).train, data.train)
        let kept = { (seed: UInt64) in try self.names(Dataset.load(s, seed: seed).train + Dataset.load(s, seed: seed).validation) }
        XCTAssertTrue(try (6...9).contains { try kept($0) != kept(5) }, "another seed keeps other samples")

        XCTAssertEqual(errorLines { try Dataset.load(self.spec(train: .folder(self.dir + "/img"), v: 0.25, max: 1), seed: 1) },
                       ["data.x.split: class 'a' has 1 sample (max_per_class: 1 keeps 1 of 12); 1 for validation leave it no training sample",
                        "data.x.split: class 'b' has 1 sample (max_per_class: 1 keeps 1 of 3); 1 for validation leave it no training sample"])
    }

    func testGroupByKeepsEveryGroupInOneSplitNearItsShare() throws {
        var rows = ["path,label,speaker"]
        for g in 0..<10 { for c in ["a", "b", "c"] { for k in 0..<2 {
            try png("g/\(c)/\(g)_\(k).png"); rows.append("\(c)/\(g)_\(k).png,\(c),s\(g)")
        } } }
        try text("g/m.csv", rows.joined(separator: "\n"))
        let s = try spec(train: .manifest(csv: dir + "/g/m.csv", pathColumn: "path", labelColumn: "label", splitColumn: nil),
                         v: 0.1, t: 0.2, groupBy: "speaker")
        for seed: UInt64 in [1, 2, 3] {
            let data = try Dataset.load(s, seed: seed)
            let groups = [data.train, data.validation, data.test].map { Set($0.map { $0.group! }) }
            XCTAssertEqual(groups.map(\.count), [7, 1, 2], "6 items per group: 6 of 60 for validation, 12 for test")
            XCTAssertTrue(groups[0].isDisjoint(with: groups[1]) && groups[0].isDisjoint(with: groups[2]) && groups[1].isDisjoint(with: groups[2]))
            XCTAssertEqual(data.counts(data.test), [4, 4, 4])
        }
        XCTAssertNotEqual(try Dataset.load(s, seed: 1).test, try Dataset.load(s, seed: 2).test)
    }

    func testAGroupSplitLeavingAClassNoTrainingSampleIsAnError() throws {
        var rows = ["path,label,speaker"]
        for (g, c) in [("s1", "a"), ("s2", "b"), ("s3", "c")] { for k in 0..<2 { try png("g/\(c)/\(k).png"); rows.append("\(c)/\(k).png,\(c),\(g)") } }
        try text("g/m.csv", rows.joined(separator: "\n"))
        let lines = errorLines { try Dataset.load(self.spec(train: .manifest(csv: self.dir + "/g/m.csv", pathColumn: "path", labelColumn: "label", splitColumn: nil),
                                                            t: 0.3, groupBy: "speaker"), seed: 1) }
        XCTAssertEqual(lines.count, 1)
        XCTAssertTrue(lines.first?.hasPrefix("data.x.group_by: splitting by 'speaker' leaves class '") ?? false, "\(lines)")
        XCTAssertTrue(lines.first?.hasSuffix("' no training sample: all its 2 samples fell in validation / test groups") ?? false, "\(lines)")
    }

    // MARK: errors

    func testEveryMissingInputIsListedAtOnce() throws {
        let s = try spec(train: .idx(images: dir + "/no-images.gz", labels: dir + "/no-labels.gz"), test: .folder(dir + "/nothing"))
        XCTAssertEqual(errorLines { try Dataset.load(s, seed: 1) }, [
            "\(dir)/no-images.gz: no such file (data.x)",
            "\(dir)/no-labels.gz: no such file (data.x)",
            "\(dir)/nothing: no such folder (data.x)",
        ])
        XCTAssertEqual(s.missingInputs().count, 3, "the same list, for a validation pass over every data set")
        try text("afile", "x")
        XCTAssertEqual(try spec(train: .folder(dir + "/afile")).missingInputs().map(\.description), ["\(dir)/afile: not a folder (data.x)"])
    }

    func testMissingFilesNameTheFieldAndLineOfThePipelineFile() throws {
        let root = try YAMLValue.parse("x:\n  kind: image\n  train: {folder: nowhere}\n", file: "p.yaml")
        let d = Diagnostics()
        let s = try XCTUnwrap(DataSpec.parse(try XCTUnwrap(root["x"]), name: "x", baseDirectory: dir, diagnostics: d))
        XCTAssertEqual(errorLines { try Dataset.load(s, seed: 1) }, ["\(dir)/nowhere: no such folder (data.x.train.folder (line 3, column 19))"])
    }

    func testAnUnknownColumnWrittenInThePipelineFileIsNamedWithItsLine() throws {
        try png("m/a.png")
        try text("m/m.csv", "path,label,voice\na.png,x,v\n")
        let yaml = "x:\n  kind: image\n  train: {manifest: {file: m/m.csv, path_column: pth}}\n  group_by: voise\n  split: {test: 0.5}\n"
        let d = Diagnostics()
        let s = try XCTUnwrap(DataSpec.parse(try XCTUnwrap(YAMLValue.parse(yaml, file: "p.yaml")["x"]), name: "x", baseDirectory: dir, diagnostics: d))
        XCTAssertEqual(errorLines { try Dataset.load(s, seed: 1) }, [
            "data.x.train.manifest.path_column (line 3, column 50): no column 'pth' in \(dir)/m/m.csv (did you mean 'path'?); its columns: path, label, voice",
            "data.x.group_by (line 4, column 13): no column 'voise' in \(dir)/m/m.csv (did you mean 'voice'?); its columns: path, label, voice",
        ])
    }

    func testAnEmptyClassFolderIsAnError() throws {
        try imageFolder(["a": 2])
        try FileManager.default.createDirectory(atPath: dir + "/img/b", withIntermediateDirectories: true)
        try text("img/c/readme.txt", "not an image")
        XCTAssertEqual(errorLines { try Dataset.load(self.spec(train: .folder(self.dir + "/img")), seed: 1) },
                       ["\(dir)/img/b: empty class folder (no PNG images)", "\(dir)/img/c: empty class folder (no PNG images)"])
    }

    func testAClassInTestAbsentFromTrainIsAnError() throws {
        try imageFolder(["a": 2, "b": 2], root: "train")
        try imageFolder(["a": 1, "z": 1], root: "test")
        XCTAssertEqual(errorLines { try Dataset.load(self.spec(train: .folder(self.dir + "/train"), test: .folder(self.dir + "/test")), seed: 1) },
                       ["data.x.test: class 'z' is not in the training data (its classes: a, b)"])
    }

    func testManifestRowsWithMissingFilesAndUnknownColumnsAreNamed() throws {
        try png("m/a.png")
        try text("m/m.csv", "path,label\na.png,x\ngone.png,x\nnotes.txt,y\n")
        XCTAssertEqual(errorLines { try Dataset.load(self.spec(train: .manifest(csv: self.dir + "/m/m.csv", pathColumn: "path", labelColumn: "label", splitColumn: nil)), seed: 1) },
                       ["\(dir)/m/m.csv:4: notes.txt is not one of the data's PNG images",
                        "\(dir)/m/m.csv:3: gone.png: no such file (looked for \(dir)/m/gone.png)"])
        let s = try spec(train: .manifest(csv: dir + "/m/m.csv", pathColumn: "file", labelColumn: "lable", splitColumn: nil))
        XCTAssertEqual(errorLines { try Dataset.load(s, seed: 1) },
                       ["data.x.train.manifest: no column 'file' in \(dir)/m/m.csv; its columns: path, label",
                        "data.x.train.manifest: no column 'lable' in \(dir)/m/m.csv (did you mean 'label'?); its columns: path, label"])
    }

    func testContentKeysAreTheFilesSHA256ComputedOncePerFileFromManyThreads() throws {
        try imageFolder(["a": 3])
        try FileManager.default.copyItem(atPath: dir + "/img/a/000.png", toPath: dir + "/img/a/copy.png")
        let data = try Dataset.load(spec(train: .folder(dir + "/img")), seed: 1)
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var keys: [Int: String] = [:]
        }
        let results = Results(), n = data.train.count * 8
        DispatchQueue.concurrentPerform(iterations: n) { i in
            let k = (try? data.contentKey(data.train[i % data.train.count])) ?? "failed"
            results.lock.lock(); results.keys[i] = k; results.lock.unlock()
        }
        XCTAssertEqual(results.keys.count, n)
        for (i, k) in results.keys {
            let item = data.train[i % data.train.count]
            XCTAssertEqual(k, try SHA256.hex(file: item.displayName), item.displayName)
        }
        let byName = Dictionary(uniqueKeysWithValues: try data.train.map { ($0.displayName.split(separator: "/").last!, try data.contentKey($0)) })
        XCTAssertEqual(byName["000.png"], byName["copy.png"], "the same bytes give the same key")
        XCTAssertNotEqual(byName["000.png"], byName["001.png"])
    }
}

/// Loading against a model's classes (evaluation) and decoding single files (prediction).
final class DatasetEvaluationTests: XCTestCase {
    func testGivenClassesNumberTheLabelsAndAnUnknownClassIsAnError() throws {
        let dir = NSTemporaryDirectory() + "percept-data-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for c in ["b", "c"] { try ImageFile.write(Tensor(shape: [1, 2, 2]), to: "\(dir)/\(c)/0.png") }
        let spec = try DataSpec(name: "eval", kind: .image, train: .folder(dir))
        let data = try Dataset.load(spec, seed: 0, classes: ["a", "b", "c"])
        XCTAssertEqual(data.classes, ["a", "b", "c"])
        XCTAssertEqual(data.train.map(\.label), [1, 2], "a class with no sample is fine when the model names it")
        XCTAssertThrowsError(try Dataset.load(spec, seed: 0, classes: ["a", "b"])) { e in
            XCTAssertEqual((e as? PerceptError)?.description, "data.eval.train: class 'c' is not in the model's classes (a, b)")
        }
    }

    func testDecodingAFileResamplesAudioToTheGivenRate() throws {
        let file = NSTemporaryDirectory() + "percept-decode-\(UUID().uuidString).wav"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try AudioFile.write(Tensor(shape: [2, 441], repeating: 0.25), sampleRate: 44100, to: file)
        let s = try Dataset.decode(file: file, kind: .audio, sampleRate: 16000)
        XCTAssertEqual(s.data.shape, [1, 160])
        XCTAssertEqual(s.sampleRate, 16000)
        XCTAssertEqual(try Dataset.decode(file: file, kind: .audio, sampleRate: nil).data.shape, [1, 441])
    }
}
