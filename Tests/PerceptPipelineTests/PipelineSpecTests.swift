import PerceptCore
import PerceptPipeline
import XCTest

/// `PipelineSpec`: a pipeline file checked whole, every error naming its YAML path and line.
final class PipelineSpecTests: XCTestCase {
    static let minimal = """
        name: t
        data:
          d: {kind: image, train: {folder: imgs}}
        features:
          pixels: []
        models:
          m:
            data: d
            features: pixels
            layers: [flatten, {dense: {out_features: classes}}]
            train: {epochs: 2}
        """

    private func parse(_ text: String) -> (PipelineSpec?, [String]) { Self.parse(text) }

    /// A file's text parsed and checked: the spec (nil on any error) and every error's text.
    static func parse(_ text: String) -> (PipelineSpec?, [String]) {
        let d = Diagnostics()
        let root: Value
        do { root = try YAMLValue.parse(text, file: "p.yaml") } catch { return (nil, ["\(error)"]) }
        let spec = PipelineSpec.parse(root, file: "p.yaml", baseDirectory: "/base", diagnostics: d)
        return (spec, d.errors.map(\.description))
    }

    func testAMinimalFileParsesWithDefaults() throws {
        let (spec, errors) = parse(Self.minimal)
        XCTAssertEqual(errors, [])
        let s = try XCTUnwrap(spec)
        XCTAssertEqual(s.name, "t")
        XCTAssertEqual(s.seed, 0)
        XCTAssertEqual(s.output, "/base/runs/t")
        XCTAssertEqual(s.models.map(\.name), ["m"])
        let m = s.models[0]
        XCTAssertEqual(m.train.epochs, 2)
        XCTAssertEqual(m.train.batchSize, 32)
        XCTAssertEqual(m.train.lossName, "cross_entropy")
        XCTAssertEqual(m.train.optimizerName, "adam")
        XCTAssertTrue(m.augment)
        XCTAssertEqual(try m.layerSpecs(classes: 7).last?.values["out_features"], 7)
    }

    func testTheShippedQuickstartParsesWithItsAnchorsAndMerges() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.path
        let spec = try PipelineSpec.load(root + "/Pipelines/quickstart.yaml", baseDirectory: root)
        XCTAssertEqual(spec.models.map(\.name), ["digits_cnn", "spoken_cnn"])
        let spoken = spec.models[1]
        XCTAssertEqual(spoken.train.batchSize, 16)     // merged over the anchor
        XCTAssertEqual(spoken.train.epochs, 15)
        XCTAssertEqual(spoken.train.optimizerOptions["lr"], 0.001)
        XCTAssertEqual(spoken.layers, spec.models[0].layers)
        XCTAssertEqual(spec.feature(named: "logmel")?.chain.firstRandomStep, 1)
    }

    func testEveryErrorIsReportedAtOnceWithItsLine() {
        let (spec, errors) = parse("""
            name: t
            sed: 3
            data:
              d: {kind: image, train: {folder: imgs}}
            models:
              m:
                data: dd
                features: nope
                layers: [flaten, {dense: {out_features: classes}}]
                train: {epochs: many, optimizer: {adam: {lr: 0.1}}, l2: 0.01}
            """)
        XCTAssertNil(spec)
        XCTAssertTrue(errors.contains("sed (line 2, column 1): unknown key (did you mean 'seed'?)"), "\(errors)")
        XCTAssertTrue(errors.contains { $0.hasPrefix("models.m.layers[0]") && $0.contains("unknown layer 'flaten'") && $0.contains("did you mean 'flatten'") }, "\(errors)")
        XCTAssertTrue(errors.contains { $0.hasPrefix("models.m.train.epochs (line 10, column 21)") }, "\(errors)")
        XCTAssertTrue(errors.contains("models.m.data (line 7, column 11): no data set named 'dd' (did you mean 'd'?)"), "\(errors)")
        XCTAssertTrue(errors.contains("models.m.features (line 8, column 15): no feature chain named 'nope'"), "\(errors)")
        XCTAssertEqual(errors.count, 5, "\(errors)")
    }

    func testModelsMustNameExistingDataAndFeatures() {
        let (_, errors) = parse(Self.minimal.replacingOccurrences(of: "data: d\n", with: "data: dx\n")
            .replacingOccurrences(of: "features: pixels\n", with: "features: pixel\n"))
        XCTAssertTrue(errors.contains("models.m.data (line 8, column 11): no data set named 'dx' (did you mean 'd'?)"), "\(errors)")
        XCTAssertTrue(errors.contains("models.m.features (line 9, column 15): no feature chain named 'pixel' (did you mean 'pixels'?)"), "\(errors)")
    }

    func testL2IsTheOptimizersWeightDecayAndSayingBothIsAnError() throws {
        let (spec, _) = parse(Self.minimal.replacingOccurrences(of: "train: {epochs: 2}", with: "train: {epochs: 2, l2: 0.0005, optimizer: sgd}"))
        XCTAssertEqual(spec?.models[0].train.optimizerOptions["weight_decay"], 0.0005)
        XCTAssertEqual(spec?.models[0].train.optimizerName, "sgd")
        let (_, errors) = parse(Self.minimal.replacingOccurrences(of: "train: {epochs: 2}", with: "train: {l2: 0.1, optimizer: {adam: {weight_decay: 0.1}}}"))
        XCTAssertEqual(errors.count, 1)
        XCTAssertTrue(errors[0].hasPrefix("models.m.train.l2 (line 11, column 17): is also given as the optimizer's `weight_decay`"), "\(errors)")
    }

    func testBatchStagesCannotRunInAFeatureChain() {
        let (_, errors) = parse(Self.minimal.replacingOccurrences(of: "pixels: []", with: "pixels: [mixup]"))
        XCTAssertTrue(errors.contains { $0.hasPrefix("features.pixels (line 5, column 11): mixup mixes samples of a batch") }, "\(errors)")
    }

    func testEarlyStoppingTakesTrueOrOptions() throws {
        let (a, _) = parse(Self.minimal.replacingOccurrences(of: "train: {epochs: 2}", with: "train: {early_stopping: true}"))
        XCTAssertEqual(a?.models[0].train.earlyStopping?.patience, 5)
        let (b, _) = parse(Self.minimal.replacingOccurrences(of: "train: {epochs: 2}", with: "train: {early_stopping: {patience: 2, monitor: val_accuracy}}"))
        XCTAssertEqual(b?.models[0].train.earlyStopping?.monitor, "val_accuracy")
        let (_, errors) = parse(Self.minimal.replacingOccurrences(of: "train: {epochs: 2}", with: "train: {early_stopping: {patients: 2}}"))
        XCTAssertTrue(errors.contains { $0.hasPrefix("models.m.train.early_stopping.patients (line 11, column 30): unknown key (did you mean 'patience'?)") }, "\(errors)")
    }

    func testModelWideInitGoesToEveryLayerThatTakesOneUnlessItSaysItsOwn() throws {
        let (spec, errors) = parse(Self.minimal.replacingOccurrences(of: "layers: [flatten, {dense: {out_features: classes}}]",
                                                                     with: "init: xavier_uniform\n    layers: [flatten, {dense: {out_features: 4}}, {dense: {out_features: classes, init: kaiming_normal}}]"))
        XCTAssertEqual(errors, [])
        let layers = try XCTUnwrap(spec?.models[0].layerSpecs(classes: 3))
        XCTAssertNil(layers[0].values["init"])
        XCTAssertEqual(layers[1].values["init"], "xavier_uniform")
        XCTAssertEqual(layers[2].values["init"], "kaiming_normal")
    }
}
