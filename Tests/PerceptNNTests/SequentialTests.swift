import PerceptCore
import PerceptNN
import XCTest

final class SequentialTests: XCTestCase {
    static let lenet: [LayerSpec] = [
        LayerSpec("conv2d", ["out_channels": "32", "kernel_size": "5", "padding": "same"]), LayerSpec("relu"),
        LayerSpec("maxpool2d", ["kernel_size": "2"]),
        LayerSpec("conv2d", ["out_channels": "64", "kernel_size": "5"]), LayerSpec("relu"),
        LayerSpec("maxpool2d", ["kernel_size": "2"]),
        LayerSpec("flatten"), LayerSpec("dense", ["out_features": "128"]), LayerSpec("relu"),
        LayerSpec("dense", ["out_features": "10"]),
    ]

    func testSameLayerListInfersShapesForImagesAndSpectrograms() throws {
        let image = try Sequential(Self.lenet, inputShape: [1, 28, 28])
        XCTAssertEqual(image.shapes[3], [32, 14, 14])
        XCTAssertEqual(image.shapes[6], [64, 5, 5])
        XCTAssertEqual(image.shapes[7], [1600])
        XCTAssertEqual(image.outputShape, [10])
        XCTAssertEqual(image.namedParameters.map(\.name), ["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias"])
        XCTAssertEqual(image.namedParameters[4].param.shape, [128, 1600])
        let spectrogram = try Sequential(Self.lenet, inputShape: [1, 64, 101])
        XCTAssertEqual(spectrogram.shapes[6], [64, 14, 23])
        XCTAssertEqual(spectrogram.namedParameters[4].param.shape, [128, 64 * 14 * 23])
        XCTAssertEqual(spectrogram.outputShape, [10])
    }

    func testShapeMismatchNamesLayerIndexTypeAndBothShapes() {
        XCTAssertThrowsError(try Sequential([LayerSpec("conv2d", ["out_channels": "4", "kernel_size": "3"]),
                                             LayerSpec("dense", ["out_features": "10"])], inputShape: [1, 8, 8])) { e in
            XCTAssertEqual((e as? PerceptError)?.description,
                           "layer 1 (dense): expects input [features] (rank 1; add a flatten layer), got [4, 6, 6]")
        }
        XCTAssertThrowsError(try Sequential([LayerSpec("flatten"), LayerSpec("dense", ["out_features": "3", "in_features": "10"])],
                                            inputShape: [2, 3])) { e in
            XCTAssertEqual((e as? PerceptError)?.description, "layer 1 (dense): expects input [10] (in_features), got [6]")
        }
        XCTAssertThrowsError(try Sequential([LayerSpec("conv2d", ["out_channels": "4", "kernel_size": "5"])], inputShape: [1, 3, 3])) { e in
            XCTAssertTrue((e as? PerceptError)?.description.hasPrefix("layer 0 (conv2d): expects input [C, H, W] with H ≥ 5") ?? false, "\(e)")
        }
    }

    func testAWeightTooLargeForTheMemoryLimitNamesItsLayerBeforeAllocating() {
        XCTAssertThrowsError(try ResourceLimits.maxMemory.withValue(1 << 20) {
            try Sequential([LayerSpec("flatten"), LayerSpec("dense", ["out_features": "1000"])], inputShape: [1, 28, 28])
        }) { e in
            XCTAssertEqual((e as? PerceptError)?.description,
                           "layer 1 (dense): weight: its 1000 × 784 weight and gradient would need 6.3 MB, more than the memory limit of 1.0 MB (--max-memory)")
        }
        XCTAssertThrowsError(try Sequential([LayerSpec("flatten"), LayerSpec("dense", ["out_features": "\(Int.max / 2)"])], inputShape: [1, 28, 28])) { e in
            XCTAssertTrue((e as? PerceptError)?.description.contains("more memory than can be addressed") ?? false, "\(e)")
        }
    }

    func testUnknownLayersAndOptionsAreClearErrors() {
        XCTAssertThrowsError(try LayerRegistry.make("conv2", [:])) { e in
            XCTAssertEqual((e as? PerceptError)?.description, "conv2: unknown layer (did you mean 'conv2d'?)")
        }
        XCTAssertThrowsError(try LayerRegistry.make("conv2d", ["out_channels": "4", "kernel_size": "3", "strides": "2"])) { e in
            XCTAssertEqual((e as? PerceptError)?.description, "conv2d.strides: unknown option for conv2d (did you mean 'stride'?)")
        }
        XCTAssertThrowsError(try LayerRegistry.make("conv2d", ["out_channels": "4", "kernel_size": "3", "padding": "same", "stride": "2"])) { e in
            XCTAssertEqual((e as? PerceptError)?.description, "conv2d.padding: 'same' needs stride 1")
        }
        XCTAssertThrowsError(try LayerRegistry.make("dropout", ["p": "1.5"])) { e in
            XCTAssertEqual((e as? PerceptError)?.description, "dropout.p: must be in [0, 1)")
        }
        XCTAssertThrowsError(try LayerRegistry.make("dense", [:])) { e in
            XCTAssertEqual((e as? PerceptError)?.description, "dense.out_features: is required")
        }
    }

    func testEveryRegisteredLayerHasDocumentedSnakeCaseParameters() {
        for t in LayerRegistry.shared.entries.map(\.info) {
            XCTAssertFalse(t.summary.isEmpty, t.name)
            for p in t.parameters {
                XCTAssertEqual(p.name, p.name.lowercased(), "\(t.name).\(p.name)")
                XCTAssertFalse(p.doc.isEmpty, "\(t.name).\(p.name)")
            }
        }
        XCTAssertEqual(Set(LayerRegistry.shared.names).count, LayerRegistry.shared.names.count)
    }

    func testSameSeedBuildsIdenticalWeightsAndOtherSeedDiffers() throws {
        let a = try Sequential(Self.lenet, inputShape: [1, 28, 28], seed: 5)
        let b = try Sequential(Self.lenet, inputShape: [1, 28, 28], seed: 5)
        let c = try Sequential(Self.lenet, inputShape: [1, 28, 28], seed: 6)
        XCTAssertEqual(a.snapshot(), b.snapshot())
        XCTAssertNotEqual(a.snapshot()[0], c.snapshot()[0])
        // Biases start at zero; Kaiming-uniform weights stay inside ±sqrt(6 / fan_in).
        XCTAssertTrue(a.namedParameters[1].param.value.array(32).allSatisfy { $0 == 0 })
        let bound = (6.0 / 25.0).squareRoot()
        XCTAssertTrue(a.snapshot()[0].allSatisfy { abs(Double($0)) <= bound })
    }

    func testInitializersHaveTheirVariance() throws {
        let cases: [(String, Double)] = [("kaiming_normal", 2.0 / 200), ("xavier_normal", 2.0 / 300), ("kaiming_uniform", 2.0 / 200),
                                         ("xavier_uniform", 2.0 / 300), ("torch_default", 1.0 / 600)]
        for (name, expected) in cases {
            let (layer, _) = try buildLayer("dense", ["out_features": "100", "init": .of(name)], input: [200])
            let w = layer.weights[0].value.array(20_000).map(Double.init)
            let mean: Double = w.reduce(0, +) / 20_000
            var variance = 0.0
            for v in w { variance += (v - mean) * (v - mean) }
            variance /= 20_000
            XCTAssertEqual(variance, expected, accuracy: expected * 0.05, name)
            XCTAssertEqual(mean, 0, accuracy: 0.01, name)
        }
    }

    func testPredictBatchesGiveTheSameResultAsOneBatch() throws {
        let model = try Sequential(Self.lenet, inputShape: [1, 28, 28], seed: 1)
        let x = try Tensor(shape: [7, 1, 28, 28], data: randomValues(7 * 784, seed: 2))
        let whole = try model.predict(x, batchSize: 7)
        let pieces = try model.predict(x, batchSize: 3)
        XCTAssertEqual(whole.shape, [7, 10])
        XCTAssertLessThanOrEqual(whole.maxAbsDifference(pieces), 1e-5)
        XCTAssertThrowsError(try model.predict(Tensor(shape: [2, 1, 28, 27]))) { e in
            XCTAssertEqual((e as? PerceptError)?.description, "input: expected [N] + [1, 28, 28], got [2, 1, 28, 27]")
        }
    }

    func testDropoutIsIdentityAtInferenceAndScalesWhileTraining() throws {
        let (layer, _) = try buildLayer("dropout", ["p": "0.25"], input: [1000])
        let x = [Float](repeating: 1, count: 1000)
        XCTAssertEqual(forward(layer, x, batch: 1, count: 1000), x)
        let y = forward(layer, x, batch: 1, count: 1000, training: true)
        let zeros = y.filter { $0 == 0 }.count
        XCTAssertTrue(y.allSatisfy { $0 == 0 || abs($0 - 4.0 / 3.0) < 1e-6 })
        XCTAssertEqual(Double(zeros), 250, accuracy: 45)
    }

    func testForwardThroughALayerStopsThereAndTheFullPassContinuesFromIt() throws {
        let m = try Sequential([LayerSpec("dense", ["out_features": 3]), LayerSpec("relu"), LayerSpec("dense", ["out_features": 2])],
                               inputShape: [4], seed: 5)
        let x: [Float] = [1, -2, 0.5, 3, 0, 1, -1, 2]
        let rng = RandomStream(seed: 5)
        let hidden = x.withUnsafeBufferPointer { Array(UnsafeBufferPointer(start: m.forward($0.baseAddress!, batch: 2, through: 1, training: false, rng: rng), count: 6)) }
        XCTAssertTrue(hidden.allSatisfy { $0 >= 0 }, "after the relu")
        let full = try m.predict(Tensor(unchecked: [2, 4], data: x))
        let again = hidden.withUnsafeBufferPointer { h -> [Float] in
            let out = m.layers[2].forward(h.baseAddress!, batch: 2, context: ForwardContext(training: false, rng: rng.split(2)))
            return Array(UnsafeBufferPointer(start: out, count: 4))
        }
        XCTAssertEqual(full.storage, again)
    }

    func testPredictedClassesAreTheArgmaxOrTheSignOfOneOutput() {
        XCTAssertEqual(Sequential.predictedClasses(Tensor(unchecked: [2, 3], data: [0.1, 2, -1, 5, 0, 4.9])), [1, 0])
        XCTAssertEqual(Sequential.predictedClasses(Tensor(unchecked: [3, 1], data: [0.3, -0.2, 0])), [1, 0, 0])
    }
}
