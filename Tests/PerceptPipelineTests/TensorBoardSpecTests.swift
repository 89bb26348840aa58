import PerceptCore
import PerceptNN
@testable import PerceptPipeline
import XCTest

final class TensorBoardSpecTests: XCTestCase {
    func model() throws -> Sequential {
        try Sequential([LayerSpec("conv2d", ["out_channels": 2, "kernel_size": 3]), LayerSpec("relu"), LayerSpec("flatten"),
                        LayerSpec("dense", ["out_features": 4]), LayerSpec("relu"), LayerSpec("dense", ["out_features": 2])],
                       inputShape: [1, 6, 6])
    }

    func testLayerNamesCountEachTypeFromOne() throws {
        XCTAssertEqual(LayerNames.of(try model()), ["conv2d_1", "relu_1", "flatten_1", "dense_1", "relu_2", "dense_2"])
    }

    func testTheDefaultHistogramIsTheFirstDenseLayerAfterFlatten() throws {
        XCTAssertEqual(try TensorBoardSpec().activationLayers(try model()), [3])
        let noFlatten = try Sequential([LayerSpec("dense", ["out_features": 2])], inputShape: [4])
        XCTAssertEqual(try TensorBoardSpec().activationLayers(noFlatten), [])
    }

    func testNamedLayersAreFoundAndAnUnknownNameListsTheModelsLayers() throws {
        let d = Diagnostics()
        let spec = TensorBoardSpec.parse(["histograms": ["conv2d_1", "dense_2"], "every": 2], path: "models.m.tensorboard", diagnostics: d)
        XCTAssertTrue(d.isEmpty)
        XCTAssertEqual(spec.every, 2)
        XCTAssertEqual(try spec.activationLayers(try model()), [0, 5])
        var wrong = spec
        wrong.histograms = ["dense_3"]
        XCTAssertThrowsError(try wrong.activationLayers(try model())) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("models.m.tensorboard.histograms"), text)
            XCTAssertTrue(text.contains("no layer named 'dense_3'"), text)
            XCTAssertTrue(text.contains("conv2d_1, relu_1"), text)
        }
    }

    func testFalseTurnsEventFilesOffAndUnknownKeysAreErrors() {
        let d = Diagnostics()
        XCTAssertFalse(TensorBoardSpec.parse(false, path: "m.tensorboard", diagnostics: d).enabled)
        XCTAssertTrue(d.isEmpty)
        _ = TensorBoardSpec.parse(["histogram": ["dense_1"], "every": 0], path: "m.tensorboard", diagnostics: d)
        let text = d.errors.map { "\($0)" }.joined(separator: "\n")
        XCTAssertTrue(text.contains("m.tensorboard.histogram"), text)
        XCTAssertTrue(text.contains("did you mean 'histograms'"), text)
        XCTAssertTrue(text.contains("every"), text)
    }
}
