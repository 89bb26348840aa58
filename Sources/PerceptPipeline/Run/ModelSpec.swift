import PerceptCore
import PerceptNN

/// One model of a pipeline file: which data, which feature chain, the layer list and how to
/// train it. The layer list may say `classes` for the number of classes of its data.
///
///     models: {cnn: {data: digits, features: pixels, layers: [flatten, {dense: {out_features: classes}}]}}
public struct ModelSpec: Sendable {
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("data", .string, doc: "the data set it trains on (a name under `data`)"),
        ParameterSpec("features", .string, doc: "the feature chain its inputs go through (a name under `features`; none: the decoded input)"),
        ParameterSpec("layers", .layers, doc: "the layer list; shapes are inferred from the chain's output, `classes` is the number of classes"),
        ParameterSpec("init", .choice, choices: Initializer.allCases.map(\.rawValue),
                      doc: "weight initialisation of every layer that has one (a layer's own `init` wins); default: each layer's"),
        ParameterSpec("augment", .bool, default: true, doc: "run the chain's random stages on training samples (false: train on clean features)"),
        ParameterSpec("train", .map, doc: "how to train it (see Training)"),
        ParameterSpec("checkpoint_every", .int, default: 1, doc: "write a resumable checkpoint every N epochs"),
        ParameterSpec("tensorboard", .map, doc: "TensorBoard event files: {histograms: [dense_1], every: 1, samples: 16}; false for none (see TensorBoard)"),
    ]

    public let name: String
    /// `models.NAME`.
    public let path: String
    public let data: String
    public let dataOrigin: Origin
    /// The feature chain's name; empty for none.
    public let features: String
    public let featuresOrigin: Origin
    /// The layer list as written (with `classes` unresolved).
    public let layers: Value
    public let initializer: Initializer?
    public let augment: Bool
    public let train: TrainSpec
    public let checkpointEvery: Int
    public let tensorboard: TensorBoardSpec

    /// Parses `models.NAME`, recording every error; nil when there was any.
    public static func parse(_ value: Value, name: String, dataNames: [String], featureNames: [String], diagnostics d: Diagnostics) -> ModelSpec? {
        let path = "models.\(name)"
        let before = d.errors.count
        guard let p = PipelineSpec.mapping(value, specs: parameters, owner: "model", path: path, expected: "data, features, layers and train",
                                           diagnostics: d) else { return nil }
        let data = d.check { () -> String in
            guard let s = p.optionalString("data") else { throw p.invalid("data", "is required: the data set this model trains on") }
            return s
        }
        let features = p.optionalString("features") ?? ""
        if let data, !dataNames.contains(data) {
            d.record(p.invalid("data", "no data set named '\(data)'\(didYouMean(data, in: dataNames))"))
        }
        if !features.isEmpty, !featureNames.contains(features) {
            d.record(p.invalid("features", "no feature chain named '\(features)'\(didYouMean(features, in: featureNames))"))
        }
        let layers = p.value("layers")
        if layers == nil { d.record(p.invalid("layers", "is required: the model's layer list")) }
        if let layers {
            // Names and options are checked now (with a stand-in class count); shapes once the data is read.
            d.check { _ = try LayerRegistry.shared.makeList(ModelSpec.substituteClasses(layers, 2), path: "\(path).layers") }
        }
        let initializer = p.optionalString("init").flatMap(Initializer.init(rawValue:))
        let augment = d.check { try p.bool("augment") } ?? true
        let every = d.check { try p.int("checkpoint_every", atLeast: 1) } ?? 1
        let train = TrainSpec.parse(p.value("train") ?? Value(.map([]), origin: value.origin), path: "\(path).train", diagnostics: d)
        let tensorboard = TensorBoardSpec.parse(p.value("tensorboard"), path: "\(path).tensorboard", diagnostics: d)
        guard d.errors.count == before, let data, let layers, let train else { return nil }
        return ModelSpec(name: name, path: path, data: data, dataOrigin: p.value("data")?.origin ?? value.origin,
                         features: features, featuresOrigin: p.value("features")?.origin ?? value.origin,
                         layers: layers, initializer: initializer, augment: augment, train: train, checkpointEvery: every,
                         tensorboard: tensorboard)
    }

    /// The layer list with every `classes` replaced by the class count.
    static func substituteClasses(_ v: Value, _ classes: Int) -> Value {
        switch v.content {
        case .string(let s) where s == "classes": return Value(.int(classes), origin: v.origin)
        case .list(let items): return Value(.list(items.map { substituteClasses($0, classes) }), origin: v.origin)
        case .map(let entries):
            return Value(.map(entries.map { Value.Entry($0.key, substituteClasses($0.value, classes), keyOrigin: $0.keyOrigin) }), origin: v.origin)
        default: return v
        }
    }

    /// The layer descriptions for `classes` classes, with the model-wide `init` given to every
    /// layer that takes one and does not set its own.
    public func layerSpecs(classes: Int) throws -> [LayerSpec] {
        var specs = try LayerSpec.list(ModelSpec.substituteClasses(layers, classes), path: "\(path).layers")
        if let initializer {
            for i in specs.indices where specs[i].values["init"] == nil {
                let takesInit = LayerRegistry.shared.entry(named: specs[i].type)?.info.parameters.contains { $0.name == "init" } ?? false
                if takesInit { specs[i].values["init"] = .of(initializer.rawValue) }
            }
        }
        return specs
    }
}

/// How a model trains: loss, optimizer, schedule, batches, epochs, regularisation and early
/// stopping. Every key has a default, so `train: {epochs: 3}` is a complete section.
public struct TrainSpec: Sendable {
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("loss", .map, default: "cross_entropy", doc: "a loss by name, or {name: {options}} (see `percept list losses`)"),
        ParameterSpec("optimizer", .map, default: "adam", doc: "an optimizer by name, or {name: {lr: ...}} (see `percept list optimizers`)"),
        ParameterSpec("schedule", .map, doc: "a learning-rate schedule: {kind: step|cosine|..., options} (see `percept list schedule`)"),
        ParameterSpec("batch_size", .int, default: 32, doc: "samples per optimizer step"),
        ParameterSpec("epochs", .int, default: 10, doc: "passes over the training samples"),
        ParameterSpec("l1", .float, doc: "L1 penalty on weights (the optimizer's `l1`)"),
        ParameterSpec("l2", .float, doc: "L2 penalty on weights (the optimizer's `weight_decay`)"),
        ParameterSpec("clip_norm", .float, doc: "clip the global gradient norm to this (torch.nn.utils.clip_grad_norm_)"),
        ParameterSpec("early_stopping", .map, doc: "{monitor: val_loss, patience: 5, min_delta: 0, restore_best: true}; `true` for the defaults"),
        ParameterSpec("eval_batch_size", .int, default: 256, doc: "samples per batch when evaluating"),
    ]
    static let earlyStoppingParameters: [ParameterSpec] = [
        ParameterSpec("monitor", .choice, default: "val_loss", choices: ["val_loss", "val_accuracy", "loss", "accuracy"], doc: "the metric watched"),
        ParameterSpec("patience", .int, default: 5, doc: "epochs without improvement before stopping"),
        ParameterSpec("min_delta", .float, default: 0, doc: "smallest change that counts as an improvement"),
        ParameterSpec("restore_best", .bool, default: true, doc: "end with the best epoch's weights"),
    ]

    public let lossName: String, lossOptions: [String: Value], lossPath: String, lossOrigin: Origin
    public let optimizerName: String, optimizerOptions: [String: Value], optimizerPath: String, optimizerOrigin: Origin
    public let schedule: [String: Value]?
    public let scheduleOrigin: Origin
    public let batchSize: Int
    public let epochs: Int
    public let clipNorm: Float?
    public let earlyStopping: (monitor: String, patience: Int, minDelta: Double, restoreBest: Bool)?
    public let evalBatchSize: Int
    public let path: String

    static func parse(_ value: Value, path: String, diagnostics d: Diagnostics) -> TrainSpec? {
        let before = d.errors.count
        guard let p = PipelineSpec.mapping(value, specs: parameters, owner: "train", path: path, expected: "loss, optimizer, batch_size, epochs...",
                                           diagnostics: d) else { return nil }
        let loss = d.check { try componentItem(p.value("loss")!, path: "\(path).loss") }
        var optimizer = d.check { try componentItem(p.value("optimizer")!, path: "\(path).optimizer") }
        if let l = loss { d.check { _ = try LossRegistry.make(l.name, l.options, path: "\(path).loss", origin: p.value("loss")!.origin) } }
        // `l1` / `l2` here are the optimizer's `l1` / `weight_decay`; saying both ways is an error.
        for (key, option) in [("l1", "l1"), ("l2", "weight_decay")] {
            guard let v = p.values[key] else { continue }
            if optimizer?.options[option] != nil {
                d.record(p.invalid(key, "is also given as the optimizer's `\(option)`; say it once"))
            } else {
                optimizer?.options[option] = v
            }
        }
        if let o = optimizer {
            d.check { _ = try OptimizerRegistry.make(o.name, o.options, path: "\(path).optimizer", origin: p.value("optimizer")!.origin) }
        }
        var schedule: [String: Value]?
        if let s = p.value("schedule") {
            if let kind = s.scalarText { schedule = ["kind": Value(.string(kind), origin: s.origin)] } else if let e = s.entries { schedule = PipelineSpec.mapValues(e) } else {
                d.record(p.invalid("schedule", "expected a kind (`cosine`) or a mapping such as {kind: step, step_size: 10}"))
            }
            if let schedule { d.check { _ = try ScheduleRegistry.make("schedule", schedule, path: "\(path).schedule", origin: s.origin) } }
        }
        let batch = d.check { try p.int("batch_size", atLeast: 1) }
        let epochs = d.check { try p.int("epochs", atLeast: 1) }
        let evalBatch = d.check { try p.int("eval_batch_size", atLeast: 1) }
        let clip = d.check { () -> Float? in
            guard let c = try p.optionalFloat("clip_norm") else { return nil }
            guard c > 0 else { throw p.invalid("clip_norm", "must be > 0, got \(c)") }
            return c
        }
        var early: (String, Int, Double, Bool)?
        if let es = p.value("early_stopping") {
            if case .bool(let on) = es.content {
                if on { early = ("val_loss", 5, 0, true) }
            } else if let e = es.entries {
                if let q = PipelineSpec.checked(e, specs: earlyStoppingParameters, owner: "early_stopping", path: "\(path).early_stopping",
                                                origin: es.origin, diagnostics: d) {
                    if let m = d.check({ try q.string("monitor") }), let pat = d.check({ try q.int("patience", atLeast: 1) }),
                       let md = d.check({ try q.float("min_delta") }), let rb = d.check({ try q.bool("restore_best") }) {
                        early = (m, pat, Double(md), rb)
                    }
                }
            } else {
                d.record(p.invalid("early_stopping", "expected true, false or a mapping such as {patience: 5}"))
            }
        }
        guard d.errors.count == before, let loss, let optimizer, let batch, let epochs, let evalBatch else { return nil }
        return TrainSpec(lossName: loss.name, lossOptions: loss.options, lossPath: "\(path).loss", lossOrigin: p.value("loss")!.origin,
                         optimizerName: optimizer.name, optimizerOptions: optimizer.options, optimizerPath: "\(path).optimizer",
                         optimizerOrigin: p.value("optimizer")!.origin,
                         schedule: schedule, scheduleOrigin: p.value("schedule")?.origin ?? value.origin,
                         batchSize: batch, epochs: epochs, clipNorm: clip ?? nil, earlyStopping: early, evalBatchSize: evalBatch, path: path)
    }

    public func makeLoss() throws -> any Loss { try LossRegistry.make(lossName, lossOptions, path: lossPath, origin: lossOrigin) }
    public func makeOptimizer() throws -> Optimizer { try OptimizerRegistry.make(optimizerName, optimizerOptions, path: optimizerPath, origin: optimizerOrigin) }
    public func makeSchedule() throws -> LRSchedule? {
        guard let schedule else { return nil }
        return try ScheduleRegistry.make("schedule", schedule, path: "\(path).schedule", origin: scheduleOrigin)
    }
}
