import Foundation
import PerceptCore
import PerceptIO
import PerceptNN
import XCTest

final class TrainerTests: XCTestCase {
    func testHooksSeeEveryStepAndEpoch() throws {
        let (x, y) = CheckpointTests.toyData(45, seed: 2)
        let model = try Sequential(CheckpointTests.smallNet, inputShape: [1, 8, 8])
        var o = TrainingOptions(); o.epochs = 2; o.batchSize = 8; o.validationSplit = 0.2
        let t = Trainer(model: model, loss: try LossRegistry.make("cross_entropy"), optimizer: try OptimizerRegistry.make("sgd", ["lr": "0.1", "momentum": "0.9"]), options: o)
        var steps: [(Int, Int)] = [], epochs: [Int] = []
        t.onStep.append { steps.append(($0.epoch, $0.step)) }
        t.onEpoch.append { epochs.append($0.epoch) }
        let reports = try t.fit(x, .classes(y))
        // 45 samples, 9 held out → 36 training → 5 steps of ≤ 8 per epoch.
        XCTAssertEqual(steps.count, 10)
        XCTAssertEqual(steps.last?.0, 1); XCTAssertEqual(steps.last?.1, 4)
        XCTAssertEqual(epochs, [0, 1])
        XCTAssertEqual(reports[1].validation?.samples, 9)
        XCTAssertEqual(reports[1].validation?.classification?.confusion.flatMap { $0 }.reduce(0, +), 9)
        XCTAssertLessThan(reports[1].trainLoss, reports[0].trainLoss)
    }

    func testValidationSplitIsSeededAndDisjoint() throws {
        let model = try Sequential([LayerSpec("dense", ["out_features": "2"])], inputShape: [3])
        var o = TrainingOptions(); o.validationSplit = 0.3; o.seed = 5
        let t = Trainer(model: model, loss: try LossRegistry.make("mse"), optimizer: try OptimizerRegistry.make("sgd"), options: o)
        let (a, b) = t.split(100)
        XCTAssertEqual(a.count, 70); XCTAssertEqual(b.count, 30)
        XCTAssertEqual(Set(a + b).count, 100)
        XCTAssertEqual(t.split(100).validation, b)
        t.options.seed = 6
        XCTAssertNotEqual(t.split(100).validation, b)
    }

    func testEarlyStoppingStopsAfterPatienceAndRestoresBestWeights() throws {
        let (x, y) = CheckpointTests.toyData(40, seed: 2)
        let model = try Sequential(CheckpointTests.smallNet, inputShape: [1, 8, 8])
        var o = TrainingOptions(); o.epochs = 20; o.batchSize = 10; o.validationSplit = 0.25
        // A min_delta nothing can beat: only the first epoch counts as an improvement.
        o.earlyStopping = EarlyStopping(monitor: "val_loss", patience: 2, minDelta: 1e9, restoreBest: true)
        let t = Trainer(model: model, loss: try LossRegistry.make("cross_entropy"), optimizer: try OptimizerRegistry.make("adam"), options: o)
        var afterFirst: [[Float]] = []
        t.onEpoch.append { if $0.epoch == 0 { afterFirst = model.snapshot() } }
        let reports = try t.fit(x, .classes(y))
        XCTAssertEqual(reports.count, 3)
        XCTAssertEqual(reports.map(\.stopped), [false, false, true])
        XCTAssertEqual(model.snapshot(), afterFirst)
        XCTAssertThrowsError(try { () throws -> Void in
            t.options.earlyStopping = EarlyStopping(monitor: "val_accuracy"); t.options.validationSplit = 0; t.options.epochs = 4
            _ = try t.fit(x, .classes(y))
        }()) { e in XCTAssertTrue("\(e)".hasPrefix("early_stopping.monitor: 'val_accuracy' is not available"), "\(e)") }
    }

    func testRegressionWithMSEFitsALinearMap() throws {
        var rng = RandomStream(seed: 1)
        let n = 200
        var xs = [Float](), ys = [Float]()
        for _ in 0..<n {
            let a = rng.uniform(-1, 1), b = rng.uniform(-1, 1)
            xs += [a, b]; ys.append(2 * a - 3 * b + 0.5)
        }
        let model = try Sequential([LayerSpec("dense", ["out_features": "1"])], inputShape: [2])
        var o = TrainingOptions(); o.epochs = 60; o.batchSize = 20
        let t = Trainer(model: model, loss: try LossRegistry.make("mse"), optimizer: try OptimizerRegistry.make("sgd", ["lr": "0.1", "momentum": "0.5"]), options: o)
        _ = try t.fit(Tensor(unchecked: [n, 2], data: xs), .values(Tensor(unchecked: [n, 1], data: ys)))
        let w = model.namedParameters[0].param.value.array(2), b = model.namedParameters[1].param.value.ptr[0]
        XCTAssertEqual(w[0], 2, accuracy: 1e-3); XCTAssertEqual(w[1], -3, accuracy: 1e-3); XCTAssertEqual(b, 0.5, accuracy: 1e-3)
        XCTAssertLessThan(try t.evaluate(Tensor(unchecked: [n, 2], data: xs), .values(Tensor(unchecked: [n, 1], data: ys))).loss, 1e-6)
    }

    func testTargetsThatDoNotFitTheModelAreClearErrors() throws {
        let model = try Sequential([LayerSpec("dense", ["out_features": "3"])], inputShape: [2])
        let t = Trainer(model: model, loss: try LossRegistry.make("cross_entropy"), optimizer: try OptimizerRegistry.make("sgd"))
        let x = Tensor(shape: [2, 2])
        XCTAssertThrowsError(try t.fit(x, .classes([0, 3]))) { e in
            XCTAssertEqual("\(e)", "targets: class 3 is outside 0..<3 for an output of 3")
        }
        XCTAssertThrowsError(try t.fit(x, .classes([0]))) { e in XCTAssertEqual("\(e)", "targets: 1 targets for 2 samples") }
        XCTAssertThrowsError(try t.fit(x, .values(Tensor(shape: [2, 3])))) { e in
            XCTAssertEqual("\(e)", "targets: cross_entropy needs class indices, got values")
        }
    }

    /// The Samples MNIST subset: 2000 training and 500 test digits.
    func testSmallCNNLearnsMNISTSubsetToNinetyPercent() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Samples/mnist")
        func images(_ name: String) throws -> Tensor {
            let t = try IDX.readImages(root.appendingPathComponent(name).path)
            return Tensor(unchecked: [t.shape[0], 1, t.shape[1], t.shape[2]], data: t.storage.map { $0 / 255 })
        }
        let xTrain = try images("train-images-idx3-ubyte.gz"), yTrain = try IDX.readLabels(root.appendingPathComponent("train-labels-idx1-ubyte.gz").path)
        let xTest = try images("t10k-images-idx3-ubyte.gz"), yTest = try IDX.readLabels(root.appendingPathComponent("t10k-labels-idx1-ubyte.gz").path)
        XCTAssertEqual(xTrain.shape, [2000, 1, 28, 28]); XCTAssertEqual(xTest.shape[0], 500)
        let model = try Sequential([
            LayerSpec("conv2d", ["out_channels": "8", "kernel_size": "5", "padding": "same"]), LayerSpec("relu"),
            LayerSpec("maxpool2d", ["kernel_size": "2"]),
            LayerSpec("conv2d", ["out_channels": "16", "kernel_size": "5"]), LayerSpec("relu"),
            LayerSpec("maxpool2d", ["kernel_size": "2"]),
            LayerSpec("flatten"), LayerSpec("dense", ["out_features": "10"]),
        ], inputShape: [1, 28, 28], seed: 1)
        var o = TrainingOptions(); o.epochs = 4; o.batchSize = 32; o.seed = 1
        let t = Trainer(model: model, loss: try LossRegistry.make("cross_entropy"), optimizer: try OptimizerRegistry.make("adam", ["lr": "0.003"]), options: o)
        let started = Date()
        _ = try t.fit(xTrain, .classes(yTrain))
        let result = try t.evaluate(xTest, .classes(yTest))
        let accuracy = try XCTUnwrap(result.accuracy)
        print("MNIST subset: test accuracy \(accuracy), loss \(result.loss), \(Date().timeIntervalSince(started)) s")
        XCTAssertGreaterThanOrEqual(accuracy, 0.90)
        XCTAssertEqual(result.classification?.confusion.count, 10)
    }
}
