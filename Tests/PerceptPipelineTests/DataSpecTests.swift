import PerceptCore
import PerceptPipeline
import XCTest

/// `DataSpec.parse`: the `data.NAME` section of a pipeline file, with every error at once.
final class DataSpecTests: XCTestCase {
    /// Parses `data.NAME` of a whole pipeline text.
    private func parse(_ yaml: String, _ name: String, base: String = ".") throws -> (DataSpec?, Diagnostics) {
        let root = try YAMLValue.parse(yaml, file: "p.yaml")
        let d = Diagnostics()
        let value = try XCTUnwrap(root["data"]?[name])
        return (DataSpec.parse(value, name: name, baseDirectory: base, diagnostics: d), d)
    }

    private func errors(_ yaml: String, _ name: String = "x") throws -> [String] {
        let (spec, d) = try parse(yaml, name)
        XCTAssertNil(spec, "an invalid spec is not returned")
        XCTAssertFalse(d.isEmpty)
        return d.errors.map(\.description)
    }

    static let quickstart = """
    data:
      digits:
        kind: image
        train: {idx: {images: Samples/mnist/train-images-idx3-ubyte.gz, labels: Samples/mnist/train-labels-idx1-ubyte.gz}}
        test:  {idx: {images: Samples/mnist/t10k-images-idx3-ubyte.gz,  labels: Samples/mnist/t10k-labels-idx1-ubyte.gz}}
        validation_split: 0.1
      spoken:
        kind: audio
        sample_rate: 16000
        train: {folder: Samples/spoken}
        split: {validation: 0.1, test: 0.2}
    """

    func testTheQuickstartDataSectionParses() throws {
        let (digits, d1) = try parse(Self.quickstart, "digits")
        XCTAssertTrue(d1.isEmpty, "\(d1.errors)")
        let spec = try XCTUnwrap(digits)
        XCTAssertEqual(spec.path, "data.digits")
        XCTAssertEqual(spec.kind, .image)
        XCTAssertEqual(spec.validationFraction, 0.1)
        XCTAssertNil(spec.testFraction)
        XCTAssertEqual(spec.train, .idx(images: "Samples/mnist/train-images-idx3-ubyte.gz", labels: "Samples/mnist/train-labels-idx1-ubyte.gz"))
        XCTAssertEqual(spec.test, .idx(images: "Samples/mnist/t10k-images-idx3-ubyte.gz", labels: "Samples/mnist/t10k-labels-idx1-ubyte.gz"))
        XCTAssertEqual(spec.inputPaths.count, 4)

        let (spoken, d2) = try parse(Self.quickstart, "spoken")
        XCTAssertTrue(d2.isEmpty, "\(d2.errors)")
        let s = try XCTUnwrap(spoken)
        XCTAssertEqual(s.kind, .audio)
        XCTAssertEqual(s.sampleRate, 16000)
        XCTAssertEqual(s.validationFraction, 0.1)
        XCTAssertEqual(s.testFraction, 0.2)
        XCTAssertEqual(s.train, .folder("Samples/spoken"))
        XCTAssertEqual(s.inputPaths, ["Samples/spoken"])
    }

    func testRelativePathsResolveAgainstThePipelineFolder() throws {
        let yaml = "data:\n  x:\n    kind: audio\n    train: {folder: ../Samples/spoken}\n    test: {manifest: /abs/m.csv}\n"
        let (spec, d) = try parse(yaml, "x", base: "Pipelines")
        XCTAssertTrue(d.isEmpty, "\(d.errors)")
        XCTAssertEqual(spec?.train, .folder("Samples/spoken"))
        XCTAssertEqual(spec?.test, .manifest(csv: "/abs/m.csv", pathColumn: "path", labelColumn: "label", splitColumn: nil))
        let (nested, _) = try parse(yaml, "x", base: "/work/p/Pipelines/sub")
        XCTAssertEqual(nested?.train, .folder("/work/p/Pipelines/Samples/spoken"))
    }

    func testAManifestTakesAFileOrAMapOfColumns() throws {
        let yaml = """
        data:
          x:
            kind: audio
            train: {manifest: {file: d/manifest.csv, path_column: file, label_column: digit, split_column: part}}
            validation: {manifest: v.csv}
            group_by: voice
            max_per_class: 5
        """
        let (spec, d) = try parse(yaml, "x")
        XCTAssertTrue(d.isEmpty, "\(d.errors)")
        XCTAssertEqual(spec?.train, .manifest(csv: "d/manifest.csv", pathColumn: "file", labelColumn: "digit", splitColumn: "part"))
        XCTAssertEqual(spec?.validation, .manifest(csv: "v.csv", pathColumn: "path", labelColumn: "label", splitColumn: nil))
        XCTAssertEqual(spec?.groupBy, "voice")
        XCTAssertEqual(spec?.maxPerClass, 5)
    }

    func testEveryErrorIsReportedWithItsPlaceInTheFile() throws {
        let yaml = """
        data:
          x:
            kind: imgae
            trian: {folder: a}
            validation_split: 1.5
            split: {tset: 0.2}
            max_per_class: lots
        """
        let e = try errors(yaml)
        XCTAssertEqual(e.count, 6, e.joined(separator: "\n"))
        XCTAssertTrue(e.contains("data.x.kind (line 3, column 11): 'imgae' is not one of image, audio (did you mean 'image'?)"), "\(e)")
        XCTAssertTrue(e.contains("data.x.trian (line 4, column 5): unknown key (did you mean 'train'?)"), "\(e)")
        XCTAssertTrue(e.contains("data.x.validation_split (line 5, column 23): must be between 0 and 1 (exclusive), got 1.5"), "\(e)")
        XCTAssertTrue(e.contains("data.x.split.tset (line 6, column 13): unknown key (did you mean 'test'?)"), "\(e)")
        XCTAssertTrue(e.contains("data.x.max_per_class (line 7, column 20): 'lots' is not an integer"), "\(e)")
        XCTAssertTrue(e.contains("data.x (line 3, column 5): 'train' is required"), "\(e)")
    }

    func testAnEmptyTrainOrANonMappingIsNamed() throws {
        XCTAssertEqual(try errors("data:\n  x:\n    kind: audio\n    train: ~\n"), ["data.x (line 3, column 5): 'train' is required"])
        XCTAssertEqual(try errors("data:\n  x: [a, b]\n"), ["data.x (line 2, column 6): expected a mapping with kind and train, got [a, b]"])
    }

    func testSourceErrorsNameTheSourceAndSuggestTheKind() throws {
        let yaml = """
        data:
          x:
            kind: image
            train: {folders: a}
            test: {idx: {images: i.gz, label: l.gz}}
            validation: a/b
        """
        let e = try errors(yaml)
        XCTAssertTrue(e.contains("data.x.train.folders (line 4, column 13): unknown source (did you mean 'folder'?); use idx, folder or manifest"), "\(e)")
        XCTAssertTrue(e.contains("data.x.test.idx.label (line 5, column 32): unknown key (did you mean 'labels'?)"), "\(e)")
        XCTAssertTrue(e.contains("data.x.test.idx (line 5, column 17): 'labels' is required"), "\(e)")
        XCTAssertTrue(e.contains { $0.hasPrefix("data.x.validation (line 6, column 17): expected one of {idx:") }, "\(e)")
    }

    func testConflictingOrImpossibleSplitsAreErrors() throws {
        XCTAssertEqual(try errors("data:\n  x:\n    kind: audio\n    train: {folder: a}\n    validation_split: 0.1\n    split: {validation: 0.2}\n"),
                       ["data.x.split.validation (line 6, column 25): validation_split says this already; give one or the other"])
        XCTAssertEqual(try errors("data:\n  x:\n    kind: audio\n    train: {folder: a}\n    test: {folder: b}\n    split: {test: 0.2}\n"),
                       ["data.x.split.test (line 6, column 19): the data has a test source already; give one or the other"])
        XCTAssertEqual(try errors("data:\n  x:\n    kind: audio\n    train: {folder: a}\n    split: {validation: 0.5, test: 0.5}\n"),
                       ["data.x.split (line 5, column 12): validation 0.5 + test 0.5 leave no training data"])
        XCTAssertEqual(try errors("data:\n  x:\n    kind: audio\n    train: {folder: a}\n    group_by: voice\n    split: {test: 0.2}\n"),
                       ["data.x.group_by (line 5, column 15): needs a manifest train source (groups are a CSV column)"])
        XCTAssertEqual(try errors("data:\n  x:\n    kind: image\n    sample_rate: 16000\n    train: {folder: a}\n"),
                       ["data.x.sample_rate (line 4, column 18): is only for audio data"])
        XCTAssertEqual(try errors("data:\n  x:\n    kind: audio\n    train: {manifest: {file: m.csv, split_column: s}}\n    validation_split: 0.1\n"),
                       ["data.x.train.manifest.split_column (line 4, column 51): assigns the splits already; remove split / validation_split"])
    }

    func testCommandLineTextValuesAreAccepted() throws {
        // `--set data.x.max_per_class=3` arrives as text.
        let v: Value = ["kind": "audio", "train": ["folder": "a"], "max_per_class": "3", "validation_split": "0.25"]
        let d = Diagnostics()
        let spec = DataSpec.parse(v, name: "x", baseDirectory: ".", diagnostics: d)
        XCTAssertTrue(d.isEmpty, "\(d.errors)")
        XCTAssertEqual(spec?.maxPerClass, 3)
        XCTAssertEqual(spec?.validationFraction, 0.25)
    }

    func testTheValueParsesBackToTheSameSpec() throws {
        for name in ["digits", "spoken"] {
            let spec = try XCTUnwrap(try parse(Self.quickstart, name).0)
            let d = Diagnostics()
            let again = try XCTUnwrap(DataSpec.parse(spec.value, name: name, baseDirectory: ".", diagnostics: d), "\(d.errors)")
            XCTAssertEqual(again.value, spec.value)
            XCTAssertEqual(again.train, spec.train)
            XCTAssertEqual(again.test, spec.test)
            XCTAssertEqual(again.validationFraction, spec.validationFraction)
            XCTAssertEqual(again.testFraction, spec.testFraction)
        }
        let spoken = try XCTUnwrap(try parse(Self.quickstart, "spoken").0)
        XCTAssertEqual(spoken.value.description, "{kind: audio, sample_rate: 16000, train: {folder: Samples/spoken}, split: {validation: 0.1, test: 0.2}}")
    }

    func testTheSwiftInitialiserChecksItsFields() {
        XCTAssertNoThrow(try DataSpec(name: "s", kind: .audio, train: .folder("a"), sampleRate: 16000, validationFraction: 0.1))
        XCTAssertThrowsError(try DataSpec(name: "s", kind: .image, train: .folder("a"), testFraction: 1.5)) { e in
            XCTAssertEqual((e as? PerceptError)?.description, "data.s.split.test: must be between 0 and 1 (exclusive), got 1.5")
        }
        XCTAssertThrowsError(try DataSpec(name: "s", kind: .spectrogram, train: .folder("a")))
    }
}
