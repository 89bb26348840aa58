import Foundation
import PerceptCore
import PerceptNN
import XCTest

/// The typed Swift initialisers (`Conv2D(outChannels: 8, kernelSize: 3)`) are the registry's
/// option path under another spelling: same recorded values, same weights, same errors, same
/// checkpoint record.
final class TypedAPITests: XCTestCase {
    /// One typed layer, the registry name and options it stands for, and an input shape to build it on.
    struct LayerCase {
        let typed: any Layer
        let name: String
        let values: [String: Value]
        let input: [Int]
    }

    static func layerCases() throws -> [LayerCase] {
        [
            LayerCase(typed: try Conv2D(outChannels: 4, kernelSize: [3, 5], stride: 2, padding: [1, 2], dilation: 1, groups: 2,
                                        inChannels: 2, bias: false, initializer: .xavierNormal),
                      name: "conv2d", values: ["out_channels": 4, "kernel_size": [3, 5], "stride": 2, "padding": [1, 2], "dilation": 1,
                                               "groups": 2, "in_channels": 2, "bias": false, "init": "xavier_normal"], input: [2, 9, 9]),
            LayerCase(typed: try Conv2D(outChannels: 3, kernelSize: 3, padding: .same),
                      name: "conv2d", values: ["out_channels": 3, "kernel_size": 3, "padding": "same"], input: [1, 6, 6]),
            LayerCase(typed: try Conv2D(outChannels: 3, kernelSize: 3, dilation: [2, 1]),
                      name: "conv2d", values: ["out_channels": 3, "kernel_size": 3, "dilation": [2, 1]], input: [1, 7, 7]),
            LayerCase(typed: try Conv1D(outChannels: 4, kernelSize: 3, stride: 1, padding: .same, dilation: 2, inChannels: 2, bias: true,
                                        initializer: .torchDefault),
                      name: "conv1d", values: ["out_channels": 4, "kernel_size": 3, "stride": 1, "padding": "same", "dilation": 2,
                                               "in_channels": 2, "bias": true, "init": "torch_default"], input: [2, 10]),
            LayerCase(typed: try Conv1D(outChannels: 2, kernelSize: 3, padding: 1),
                      name: "conv1d", values: ["out_channels": 2, "kernel_size": 3, "padding": 1], input: [1, 5]),
            LayerCase(typed: try Dense(outFeatures: 5, inFeatures: 12, bias: false, initializer: .kaimingNormal),
                      name: "dense", values: ["out_features": 5, "in_features": 12, "bias": false, "init": "kaiming_normal"], input: [12]),
            LayerCase(typed: try MaxPool2D(kernelSize: [2, 3], stride: 1, padding: 1, dilation: [1, 2]),
                      name: "maxpool2d", values: ["kernel_size": [2, 3], "stride": 1, "padding": 1, "dilation": [1, 2]], input: [1, 6, 8]),
            LayerCase(typed: try AvgPool2D(kernelSize: 3, stride: [1, 2], padding: 1, countIncludePad: false),
                      name: "avgpool2d", values: ["kernel_size": 3, "stride": [1, 2], "padding": 1, "count_include_pad": false], input: [2, 6, 6]),
            LayerCase(typed: GlobalAvgPool(), name: "global_avg_pool", values: [:], input: [2, 3, 3]),
            LayerCase(typed: Flatten(), name: "flatten", values: [:], input: [2, 3, 3]),
            LayerCase(typed: try Dropout(p: 0.25), name: "dropout", values: ["p": 0.25], input: [6]),
            LayerCase(typed: ReLU(), name: "relu", values: [:], input: [6]),
            LayerCase(typed: try LeakyReLU(negativeSlope: 0.1), name: "leaky_relu", values: ["negative_slope": 0.1], input: [6]),
            LayerCase(typed: try ELU(alpha: 0.7), name: "elu", values: ["alpha": 0.7], input: [6]),
            LayerCase(typed: Sigmoid(), name: "sigmoid", values: [:], input: [6]),
            LayerCase(typed: Tanh(), name: "tanh", values: [:], input: [6]),
            LayerCase(typed: Softmax(), name: "softmax", values: [:], input: [6]),
            LayerCase(typed: try Maxout(poolSize: 3), name: "maxout", values: ["pool_size": 3], input: [6]),
            LayerCase(typed: try LSTM(hiddenSize: 4, inputSize: 3, numLayers: 2, bidirectional: true, returnSequences: true, bias: true, dropout: 0.1),
                      name: "lstm", values: ["hidden_size": 4, "input_size": 3, "num_layers": 2, "bidirectional": true,
                                             "return_sequences": true, "bias": true, "dropout": 0.1], input: [5, 3]),
            LayerCase(typed: try GRU(hiddenSize: 3, bias: false), name: "gru", values: ["hidden_size": 3, "bias": false], input: [4, 2]),
            LayerCase(typed: try BatchNorm1D(numFeatures: 3, eps: 1e-3, momentum: 0.2, affine: true, trackRunningStats: false),
                      name: "batchnorm1d", values: ["num_features": 3, "eps": 1e-3, "momentum": 0.2, "affine": true,
                                                    "track_running_stats": false], input: [3, 4]),
            LayerCase(typed: try BatchNorm2D(), name: "batchnorm2d", values: [:], input: [2, 3, 3]),
            LayerCase(typed: ToSequence(), name: "to_sequence", values: [:], input: [2, 3, 4]),
            // The body's items are maps with keys in sorted order: how `LayerSpec.value` writes them.
            LayerCase(typed: try Residual(body: [Conv2D(outChannels: 4, kernelSize: 3, padding: 1), BatchNorm2D(), ReLU()], activation: .identity),
                      name: "residual", values: ["body": [["conv2d": ["kernel_size": 3, "out_channels": 4, "padding": 1]], "batchnorm2d", "relu"],
                                                 "activation": "none"], input: [2, 5, 5]),
        ]
    }

    func testEveryRegisteredLayerHasATypedFormEqualToItsRegistryForm() throws {
        let cases = try Self.layerCases()
        XCTAssertEqual(Set(cases.map(\.name)), Set(LayerRegistry.shared.names), "a layer without a typed case here")
        for (i, c) in cases.enumerated() {
            XCTAssertEqual(type(of: c.typed).name, c.name, "case \(i)")
            XCTAssertEqual(c.typed.values, c.values, "case \(i) (\(c.name)) records other values")
            let typedModel = try Sequential(layers: [c.typed], inputShape: c.input, seed: 5)
            let specModel = try Sequential([LayerSpec(c.name, c.values)], inputShape: c.input, seed: 5)
            XCTAssertEqual(typedModel.shapes, specModel.shapes, "case \(i) (\(c.name))")
            XCTAssertEqual(typedModel.namedState.map(\.name), specModel.namedState.map(\.name), "case \(i) (\(c.name))")
            XCTAssertEqual(typedModel.snapshot(), specModel.snapshot(), "case \(i) (\(c.name)) builds other weights")
            let n = Tensor.count(of: c.input)
            let x = Tensor(unchecked: [2] + c.input, data: randomValues(2 * n, seed: UInt64(i)))
            XCTAssertEqual(try typedModel.predict(x), try specModel.predict(x), "case \(i) (\(c.name))")
        }
    }

    func testTypedOptionsLeaveDefaultsToTheSpec() throws {
        // Nothing given, nothing recorded: the spec default applies, as when a file omits the option.
        XCTAssertEqual(try Conv2D(outChannels: 8, kernelSize: 3).values, ["out_channels": 8, "kernel_size": 3])
        XCTAssertEqual(try LSTM(hiddenSize: 16).values, ["hidden_size": 16])
        XCTAssertEqual(try Dropout().p, 0.5)
        XCTAssertEqual(try LeakyReLU().slope, 0.01)
        XCTAssertEqual(try Residual(body: [Dense(outFeatures: 2)]).values, ["body": [["dense": ["out_features": 2]]]])
    }

    func testInvalidTypedValuesThrowTheRegistryPathsErrors() throws {
        func message(_ body: () throws -> Any) -> String? {
            do { _ = try body(); return nil } catch { return "\(error)" }
        }
        let pairs: [(String?, String?)] = [
            (message { try Dropout(p: 1) }, message { try LayerRegistry.make("dropout", ["p": 1.0]) }),
            (message { try Conv2D(outChannels: 0, kernelSize: 3) }, message { try LayerRegistry.make("conv2d", ["out_channels": 0, "kernel_size": 3]) }),
            (message { try Conv2D(outChannels: 8, kernelSize: 3, stride: 2, padding: .same) },
             message { try LayerRegistry.make("conv2d", ["out_channels": 8, "kernel_size": 3, "stride": 2, "padding": "same"]) }),
            (message { try Conv2D(outChannels: 8, kernelSize: [1, 2, 3]) },
             message { try LayerRegistry.make("conv2d", ["out_channels": 8, "kernel_size": [1, 2, 3]]) }),
            (message { try MaxPool2D(kernelSize: 2, padding: 2) }, message { try LayerRegistry.make("maxpool2d", ["kernel_size": 2, "padding": 2]) }),
            (message { try LSTM(hiddenSize: 4, dropout: 0.5) }, message { try LayerRegistry.make("lstm", ["hidden_size": 4, "dropout": 0.5]) }),
            (message { try CrossEntropyLoss(labelSmoothing: 2) }, message { try LossRegistry.make("cross_entropy", ["label_smoothing": 2.0]) }),
            (message { try SGD(nesterov: true) }, message { try OptimizerRegistry.make("sgd", ["nesterov": true]) }),
            (message { try Adam(beta1: 1) }, message { try OptimizerRegistry.make("adam", ["beta1": 1.0]) }),
        ]
        for (i, (typed, registry)) in pairs.enumerated() {
            XCTAssertNotNil(typed, "case \(i) did not throw")
            XCTAssertEqual(typed, registry, "case \(i)")
        }
        XCTAssertEqual(pairs[0].0, "dropout.p: must be in [0, 1)")
    }

    func testTypedLossesEqualTheirRegistryForms() throws {
        let cases: [(any Loss, String, [String: Value])] = [
            (try CrossEntropyLoss(labelSmoothing: 0.1), "cross_entropy", ["label_smoothing": 0.1]),
            (BCEWithLogitsLoss(), "bce_with_logits", [:]),
            (MSELoss(), "mse", [:]),
            (MAELoss(), "mae", [:]),
            (try HingeLoss(margin: 0.5), "hinge", ["margin": 0.5]),
            (try MaskedCrossEntropyLoss(classes: 3), "masked_cross_entropy", ["classes": 3]),
        ]
        XCTAssertEqual(Set(cases.map(\.1)), Set(LossRegistry.shared.names), "a loss without a typed case here")
        let batch = 3, width = 4
        let output = randomValues(batch * width, seed: 8)
        for (typed, name, values) in cases where name != "masked_cross_entropy" {
            let registry = try LossRegistry.make(name, values)
            XCTAssertEqual(type(of: typed).name, name)
            XCTAssertEqual(typed.values, values, name)
            let targets: [Float] = typed.classTargets ? [0, 3, 1] : randomValues(batch * width, seed: 9)
            func run(_ l: any Loss) -> (Double, [Float]) {
                var grad = [Float](repeating: 0, count: batch * width)
                let v = grad.withUnsafeMutableBufferPointer { g in
                    l.compute(output: output, targets: targets, batch: batch, width: width, grad: g.baseAddress)
                }
                return (v, grad)
            }
            XCTAssertEqual(run(typed).0, run(registry).0, name)
            XCTAssertEqual(run(typed).1, run(registry).1, name)
        }
        let masked = try XCTUnwrap(cases.last?.0 as? MaskedCrossEntropyLoss)
        XCTAssertEqual(masked.classes, 3)
        XCTAssertEqual(masked.values, ["classes": 3])
    }

    func testTypedOptimizersEqualTheirRegistryFormsAndUpdateAlike() throws {
        let cases: [(Optimizer, String, [String: Value])] = [
            (try SGD(lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 1e-4, nesterov: true, l1: 1e-5), "sgd",
             ["lr": 0.1, "momentum": 0.9, "dampening": 0.0, "weight_decay": 1e-4, "nesterov": true, "l1": 1e-5]),
            (try AdaGrad(lr: 0.05, lrDecay: 0.01, weightDecay: 0.001, eps: 1e-9), "adagrad",
             ["lr": 0.05, "lr_decay": 0.01, "weight_decay": 0.001, "eps": 1e-9]),
            (try RMSprop(lr: 0.01, alpha: 0.9, eps: 1e-6, weightDecay: 0, momentum: 0.5, centered: true), "rmsprop",
             ["lr": 0.01, "alpha": 0.9, "eps": 1e-6, "weight_decay": 0.0, "momentum": 0.5, "centered": true]),
            (try Adam(lr: 1e-3, beta1: 0.8, beta2: 0.99, eps: 1e-7), "adam", ["lr": 1e-3, "beta1": 0.8, "beta2": 0.99, "eps": 1e-7]),
            (try AdamW(lr: 2e-3, weightDecay: 0.05), "adamw", ["lr": 2e-3, "weight_decay": 0.05]),
        ]
        XCTAssertEqual(Set(cases.map(\.1)), Set(OptimizerRegistry.shared.names), "an optimizer without a typed case here")
        for (typed, name, values) in cases {
            let registry = try OptimizerRegistry.make(name, values)
            XCTAssertEqual(type(of: typed).name, name)
            XCTAssertTrue(type(of: typed) == type(of: registry), name)
            XCTAssertEqual(typed.values, values, name)
            XCTAssertEqual(typed.lr, registry.lr, name)
            XCTAssertEqual(typed.weightDecay, registry.weightDecay, name)
            func steps(_ opt: Optimizer) throws -> [Float] {
                let p = try Param(name: "w", shape: [5])
                for i in 0..<5 { p.value.ptr[i] = Float(i) - 2 }
                for s in 0..<3 {
                    for i in 0..<5 { p.grad.ptr[i] = Float((i + s) % 3) - 0.7 }
                    opt.update([("w", p)])
                }
                return p.value.array(5)
            }
            XCTAssertEqual(try steps(typed), try steps(registry), name)
        }
        // AdamW takes Adam's typed initialiser, with AdamW's own class and defaults.
        let w = try AdamW()
        XCTAssertTrue(type(of: w) == AdamW.self)
        XCTAssertEqual(w.weightDecay, 0.01)
        XCTAssertEqual(try Adam().weightDecay, 0)
    }

    func testTypedModelRoundTripsThroughACheckpointWithTheRegistryFormsRecord() throws {
        let dir = try temporaryDirectory(); defer { try? FileManager.default.removeItem(at: dir) }
        let typedLayers: [any Layer] = try [
            Conv2D(outChannels: 4, kernelSize: 3, padding: .same), BatchNorm2D(momentum: 0.2), ReLU(),
            Residual(body: [Conv2D(outChannels: 6, kernelSize: 3, padding: 1), BatchNorm2D()]),
            MaxPool2D(kernelSize: 2), Flatten(), Dropout(p: 0.2), Dense(outFeatures: 3),
        ]
        let specs: [LayerSpec] = [
            LayerSpec("conv2d", ["out_channels": 4, "kernel_size": 3, "padding": "same"]), LayerSpec("batchnorm2d", ["momentum": 0.2]),
            LayerSpec("relu"),
            LayerSpec("residual", ["body": [["conv2d": ["out_channels": 6, "kernel_size": 3, "padding": 1]], "batchnorm2d"]]),
            LayerSpec("maxpool2d", ["kernel_size": 2]), LayerSpec("flatten"), LayerSpec("dropout", ["p": 0.2]),
            LayerSpec("dense", ["out_features": 3]),
        ]
        let typed = try Sequential(layers: typedLayers, inputShape: [1, 8, 8], seed: 11)
        let fromSpecs = try Sequential(specs, inputShape: [1, 8, 8], seed: 11)
        XCTAssertEqual(typed.architecture, fromSpecs.architecture)
        XCTAssertEqual(typed.snapshot(), fromSpecs.snapshot())

        // Train a little so BatchNorm's running statistics and the weights leave their initial values.
        let (x, y) = CheckpointTests.toyData(30, seed: 2)
        var o = TrainingOptions(); o.epochs = 1; o.batchSize = 10; o.seed = 3
        let trainer = Trainer(model: typed, loss: try CrossEntropyLoss(labelSmoothing: 0.05), optimizer: try Adam(lr: 0.01), options: o)
        _ = try trainer.fit(x, .classes(y))
        XCTAssertNotEqual(typed.snapshot(), fromSpecs.snapshot())

        let path = dir.appendingPathComponent("typed.safetensors").path, specPath = dir.appendingPathComponent("spec.safetensors").path
        try Checkpoint.save(typed, to: path)
        try Checkpoint.save(fromSpecs, to: specPath)
        // The architecture text is the one the registry form writes, byte for byte.
        XCTAssertEqual(try SafeTensors.read(path).metadata["architecture"], try SafeTensors.read(specPath).metadata["architecture"])
        let loaded = try Checkpoint.loadModel(path)
        XCTAssertEqual(loaded.architecture, typed.architecture)
        XCTAssertEqual(loaded.snapshot(), typed.snapshot())
        XCTAssertEqual(try loaded.predict(x), try typed.predict(x))
    }
}

/// A layer defined outside Percept: `y = scale · x` with one learned factor.
final class Scale: Layer {
    static let name = "test_scale"
    static let summary = "multiply by one learned factor (test layer)"
    static let parameters: [ParameterSpec] = [ParameterSpec("initial", .float, default: 1, doc: "starting factor")]

    let values: [String: Value]
    let initial: Float
    private(set) var weights: [Param] = []
    private var size = 0
    private var input: UnsafePointer<Float>?
    private let out = FloatBuffer(), dx = FloatBuffer()

    init(_ params: Parameters) throws {
        values = params.values
        initial = try params.float("initial")
    }

    func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] {
        let s = try Param(name: "scale", shape: [1])
        s.value.ptr[0] = initial
        weights = [s]
        size = Tensor.count(of: inputShape)
        return inputShape
    }

    func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float> {
        input = x
        let n = batch * size, s = weights[0].value.ptr[0]
        out.ensure(n)
        for i in 0..<n { out.ptr[i] = s * x[i] }
        return UnsafePointer(out.ptr)
    }

    func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        let n = batch * size, s = weights[0].value.ptr[0]
        var g: Float = 0
        if let x = input { for i in 0..<n { g += dy[i] * x[i] } }
        weights[0].grad.ptr[0] = g
        guard inputGradient else { return nil }
        dx.ensure(n)
        for i in 0..<n { dx.ptr[i] = s * dy[i] }
        return UnsafePointer(dx.ptr)
    }
}

final class UserLayerCheckpointTests: XCTestCase {
    func testUserRegisteredLayerRoundTripsThroughACheckpoint() throws {
        LayerRegistry.shared.register(Scale.self)
        defer { LayerRegistry.shared.unregister(Scale.name) }
        let dir = try temporaryDirectory(); defer { try? FileManager.default.removeItem(at: dir) }

        let specs = try LayerSpec.list(["flatten", ["dense": ["out_features": 3]], ["test_scale": ["initial": 0.5]]], path: "layers")
        let model = try Sequential(specs, inputShape: [1, 8, 8], seed: 6)
        XCTAssertTrue(model.layers[2] is Scale)
        let (x, y) = CheckpointTests.toyData(30, seed: 4)
        var o = TrainingOptions(); o.epochs = 2; o.batchSize = 10; o.seed = 1
        _ = try Trainer(model: model, loss: CrossEntropyLoss(), optimizer: try SGD(lr: 0.1), options: o).fit(x, .classes(y))
        let scale = try XCTUnwrap(model.namedParameters.first { $0.name == "2.scale" }).param
        XCTAssertNotEqual(scale.value.ptr[0], 0.5, "the user layer's parameter is trained")

        let path = dir.appendingPathComponent("scale.safetensors").path
        try Checkpoint.save(model, to: path)
        let loaded = try Checkpoint.loadModel(path)
        XCTAssertTrue(loaded.layers[2] is Scale)
        XCTAssertEqual(loaded.architecture, model.architecture)
        XCTAssertEqual(loaded.snapshot(), model.snapshot())
        XCTAssertEqual(try loaded.predict(x), try model.predict(x))
    }

    func testUnregisterRemovesOnlyTheNamedLayer() throws {
        let before = LayerRegistry.shared.names
        LayerRegistry.shared.register(Scale.self)
        XCTAssertNotNil(LayerRegistry.shared.entry(named: "Test-Scale"))
        LayerRegistry.shared.unregister("TEST_SCALE")
        XCTAssertNil(LayerRegistry.shared.entry(named: "test_scale"))
        XCTAssertEqual(LayerRegistry.shared.names, before)
        XCTAssertThrowsError(try LayerRegistry.make("test_scale"))
    }
}
