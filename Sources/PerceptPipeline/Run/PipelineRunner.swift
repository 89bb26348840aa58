import Foundation
import PerceptAugment
import PerceptCore
import PerceptIO
import PerceptNN

/// How `percept run` runs a pipeline file.
public struct RunOptions: Sendable {
    /// Models to run (all when empty).
    public var only: [String] = []
    /// Overwrite a finished run in the output folder.
    public var force = false
    /// Continue an interrupted run from its checkpoints.
    public var resume = false
    /// Redraw one live progress line (a terminal) instead of printing a line per epoch.
    public var live = false
    /// Print nothing but the final summary.
    public var quiet = false
    /// The processes of a data-parallel run (`mpirun -np K percept run`): every rank trains each
    /// model on its share of every batch (`Trainer.collective`); rank 0 alone writes the run folder,
    /// evaluates on the test split and reports. Nil or one process: an ordinary run.
    public var collective: (any Collective)?
    /// Only the feature cache is filled (`--shard`, `--merge`), so a node smaller than training
    /// needs is fine: `plan()` skips the check that training fits in memory.
    public var cacheOnly = false
    public init() {}

    /// The collective when it spans more than one process.
    var parallel: (any Collective)? { collective.flatMap { $0.size > 1 ? $0 : nil } }
}

/// What one model's run produced, as `metrics.json` records it.
public struct ModelResult: Codable, Sendable, Equatable {
    public struct ClassScore: Codable, Sendable, Equatable {
        public let name: String
        public let precision: Double, recall: Double, f1: Double
        public let support: Int
    }
    public let testAccuracy: Double?
    public let testLoss: Double?
    public let macroF1: Double?
    public let epochs: Int
    public let trainSeconds: Double
    public let params: Int
    public let classes: [String]
    public let confusion: [[Int]]?
    public let perClass: [ClassScore]?
    public let samples: [String: Int]
    public let featuresFromCache: Int
    public let featuresComputed: Int

    enum CodingKeys: String, CodingKey {
        case testAccuracy = "test_accuracy", testLoss = "test_loss", macroF1 = "macro_f1", epochs
        case trainSeconds = "train_seconds", params, classes, confusion, perClass = "per_class", samples
        case featuresFromCache = "features_from_cache", featuresComputed = "features_computed"
    }

    init(test: Evaluation?, classes: [String], epochs: Int, trainSeconds: Double, params: Int, samples: [String: Int], cache: (hits: Int, computed: Int)) {
        let c = test?.classification
        testAccuracy = c?.accuracy; testLoss = test?.loss; macroF1 = c?.macroF1
        self.epochs = epochs; self.trainSeconds = trainSeconds; self.params = params; self.classes = classes
        confusion = c?.confusion
        perClass = c.map { c in classes.indices.map { i in
            ClassScore(name: classes[i], precision: c.precision[i], recall: c.recall[i], f1: c.f1[i], support: c.confusion[i].reduce(0, +))
        } }
        self.samples = samples
        featuresFromCache = cache.hits; featuresComputed = cache.computed
    }
}

/// A model ready to train: its data, its inputs through the feature chain, and the network
/// built for their shape.
public struct ModelPlan {
    public let spec: ModelSpec
    public let dataset: Dataset
    public let features: FeaturePipeline
    public let feature: FeatureSpec?
    public let layers: [LayerSpec]
    public let model: Sequential
    /// Shapes after each chain step, from the decoded input (for the dry-run table).
    public let stageShapes: [(name: String, shape: SampleShape)]
    /// Layers whose activations are histogrammed each epoch (`tensorboard.histograms`).
    public let activationLayers: [Int]
}

/// Runs a pipeline: checks everything (inputs, data, chains, layer shapes) before any work,
/// trains each model, evaluates it on its test split and writes the run folder atomically.
///
///     let runner = PipelineRunner(spec: try PipelineSpec.load("Pipelines/quickstart.yaml"), options: RunOptions(), log: { print($0) })
///     let results = try runner.run()
public final class PipelineRunner {
    public let spec: PipelineSpec
    public let options: RunOptions
    /// Progress and log lines (stderr for the CLI); text ends with "\n" or starts with "\r" for live redraws.
    let log: (String) -> Void

    public init(spec: PipelineSpec, options: RunOptions, log: @escaping (String) -> Void) {
        self.spec = spec; self.options = options; self.log = log
    }

    var outputs: RunOutputs { RunOutputs(directory: spec.output) }

    /// The data sets read by the last `plan()`, by name.
    private(set) var datasets: [String: Dataset] = [:]

    /// The models of the last `run()`, trained (their `model` holds the final weights).
    public private(set) var trainedPlans: [ModelPlan] = []

    /// More checks of the built plans (data read, models built), run by `run()` before it writes
    /// or trains anything: `percept compare` checks its learning curve and perturbations here.
    public var checkPlans: (([ModelPlan]) throws -> Void)?

    /// The models to run, in file order.
    func selectedModels() throws -> [ModelSpec] {
        let names = spec.models.map(\.name) + spec.exports.map(\.name)
        for n in options.only where !names.contains(n) {
            throw PerceptError.invalidArgument(field: "--only", "no model or export named '\(n)'\(didYouMean(n, in: names))")
        }
        return options.only.isEmpty ? spec.models : spec.models.filter { options.only.contains($0.name) }
    }

    /// The exports to write, in file order.
    func selectedExports() -> [ExportSpec] {
        options.only.isEmpty ? spec.exports : spec.exports.filter { options.only.contains($0.name) }
    }

    /// Reads the data and builds every selected model, or throws every problem found. Nothing
    /// is written.
    public func plan() throws -> [ModelPlan] {
        let models = try selectedModels()
        let d = Diagnostics()
        // Every missing input, listed at once, before reading anything.
        let exports = selectedExports()
        let used = spec.data.filter { ds in models.contains { $0.data == ds.name } || exports.contains { $0.data == ds.name } }
        for ds in used { for e in ds.missingInputs() { d.record(e) } }
        try d.throwIfAny()
        datasets = [:]
        for ds in used {
            if let loaded = d.check({ try Dataset.load(ds, seed: spec.seed) }) { datasets[ds.name] = loaded }
        }
        var plans: [ModelPlan] = []
        for m in models {
            guard let data = datasets[m.data] else { continue }
            if let p = d.check({ try planModel(m, data) }) { plans.append(p) }
        }
        for e in exports {
            guard let data = datasets[e.data], let first = data.train.first ?? data.test.first else { continue }
            d.check {
                let chain = spec.feature(named: e.features)?.chain ?? AugmentationChain([])
                do { _ = try chain.outputShape(for: try data.sample(first).shape, 0..<chain.steps.count, randomStages: false) } catch let err as PerceptError {
                    throw PerceptError.invalidArgument(field: "\(e.path).features (\(e.features))", err.description)
                }
            }
        }
        try d.throwIfAny()
        return plans
    }

    private func planModel(_ m: ModelSpec, _ data: Dataset) throws -> ModelPlan {
        guard let firstItem = data.train.first else {
            throw PerceptError.invalidArgument(field: "\(m.path).data", "data set '\(data.spec.name)' has no training samples")
        }
        if let es = m.train.earlyStopping, es.monitor.hasPrefix("val_"), data.validation.isEmpty {
            throw PerceptError.invalidArgument(field: "\(m.train.path).early_stopping",
                                               "monitors \(es.monitor), but data set '\(data.spec.name)' has no validation split (add validation_split)")
        }
        let feature = m.features.isEmpty ? nil : spec.feature(named: m.features)
        let chain = feature?.chain ?? AugmentationChain([])
        let first = try data.sample(firstItem)
        let fields = "\(m.path).features (\(m.features.isEmpty ? "none" : m.features))"
        let features: FeaturePipeline
        var stageShapes: [(String, SampleShape)] = [("input", first.shape)]
        do {
            features = try FeaturePipeline(dataset: data, chain: chain, items: feature?.items ?? [], seed: spec.seed,
                                           augment: m.augment, cacheDirectory: spec.cache, first: first.shape)
            for k in chain.steps.indices {
                stageShapes.append((chain.steps[k].name, try chain.outputShape(for: first.shape, 0..<(k + 1), randomStages: false)))
            }
        } catch let e as PerceptError {
            throw PerceptError.invalidArgument(field: fields, "on \(data.spec.kind.withArticle) of shape \(first.data.shape) from \(firstItem.displayName): \(e.description)")
        }
        let layers = try m.layerSpecs(classes: data.classes.count)
        let model: Sequential
        do {
            model = try Sequential(layers, inputShape: features.inputShape.dims, seed: spec.seed)
        } catch let PerceptError.invalidArgument(field, message) {
            throw PerceptError.invalidArgument(field: layerField(field, m), "\(message) (the chain '\(m.features.isEmpty ? "none" : m.features)' gives \(dimsText(features.inputShape.dims)))")
        }
        let classes = data.classes.count
        if model.outputSize != classes, model.outputSize != 1 || classes != 2 {
            throw PerceptError.invalidArgument(field: "\(m.path).layers" + m.layers.origin.suffix,
                                               "the model outputs \(dimsText(model.outputShape)) but data set '\(data.spec.name)' has \(classes) classes (end with dense: {out_features: classes})")
        }
        // Before any training: weights, gradients, optimizer state and one batch must fit.
        if !options.cacheOnly {
            try ResourceLimits.require(bytes: Self.trainingMemory(model, batch: m.train.batchSize, optimizer: m.train.optimizerName),
                                       for: "training (weights, gradients, \(m.train.optimizerName) state and the activations of a batch of \(m.train.batchSize))",
                                       blame: { .invalidArgument(field: "\(m.path).layers" + m.layers.origin.suffix, $0) })
        }
        let activationLayers = try m.tensorboard.activationLayers(model)
        return ModelPlan(spec: m, dataset: data, features: features, feature: feature, layers: layers, model: model, stageShapes: stageShapes,
                         activationLayers: activationLayers)
    }

    /// Bytes a training step holds: weights and their gradients, the optimizer's per-weight
    /// state (Adam and AdamW keep two moments, SGD with momentum, RMSprop and AdaGrad one), and
    /// one batch's input, layer outputs and their gradients; nil when it overflows.
    static func trainingMemory(_ model: Sequential, batch: Int, optimizer: String) -> Int? {
        let slots = ["adam": 2, "adamw": 2, "sgd": 1, "rmsprop": 1, "adagrad": 1][optimizer] ?? 2
        var activations = 0
        for shape in model.shapes {
            guard let n = ResourceLimits.bytes(shape, elementSize: 1) else { return nil }
            activations = activations.addingReportingOverflow(n).overflow ? Int.max : activations + n
        }
        guard let weights = ResourceLimits.bytes([model.parameterCount, 2 + slots]),
              let batchBytes = ResourceLimits.bytes([batch, activations, 2]) else { return nil }
        let (sum, overflow) = weights.addingReportingOverflow(batchBytes)
        return overflow ? nil : sum
    }

    /// `layer 3 (conv2d)` → `models.cnn.layers[3].conv2d (line 12, column 9)`.
    private func layerField(_ field: String, _ m: ModelSpec) -> String {
        guard field.hasPrefix("layer "), let i = Int(field.dropFirst(6).prefix { $0.isNumber }),
              let items = m.layers.items, i < items.count else { return "\(m.path).layers: \(field)" }
        let name = (try? componentItem(items[i], path: ""))?.name ?? "layer"
        return "\(m.path).layers[\(i)].\(name)" + items[i].origin.suffix
    }

    /// Checks the output folder: a finished run needs --force, an unfinished one --resume or --force.
    func checkOutputFolder() throws {
        let o = outputs
        guard FileManager.default.fileExists(atPath: o.directory) else {
            if options.resume { throw PerceptError.invalidArgument(field: "--resume", "\(o.directory) holds no run to resume") }
            return
        }
        if options.force { return }
        if FileManager.default.fileExists(atPath: o.metricsPath) {
            if options.resume, try o.unfinishedModels(selectedModels().map(\.name)).isEmpty == false { return }
            throw PerceptError.invalidArgument(field: o.directory, "holds a finished run (metrics.json); pass --force to overwrite it or --out DIR to write elsewhere")
        }
        guard options.resume else {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: o.directory)) ?? []
            if entries.isEmpty { return }
            throw PerceptError.invalidArgument(field: o.directory, "holds an unfinished run; pass --resume to continue it or --force to start over")
        }
    }

    /// Trains and evaluates every selected model and writes the run folder.
    public func run() throws -> [(name: String, result: ModelResult)] {
        if let dp = options.parallel {
            try agreeOnPipeline(dp)
            if dp.rank != 0 { try runWorker(dp); return [] }
        }
        try checkOutputFolder()
        let plans = try plan()
        try checkPlans?(plans)
        let o = outputs
        if options.force, !options.resume, FileManager.default.fileExists(atPath: o.directory) {
            try FileManager.default.removeItem(atPath: o.directory)
        }
        try o.prepare(models: plans.map(\.spec.name))
        // Hidden temporary files that a run killed with SIGKILL left in the run folder and the
        // feature cache (the writer's process id in each name keeps those of live runs).
        for folder in [o.directory, spec.cache] {
            if let note = TemporaryFiles.note(removed: TemporaryFiles.removeLeftovers(under: folder), in: folder), !options.quiet { log(note + "\n") }
        }
        try o.writePipeline(spec)
        try RunEnvironment.current().write(o.environmentPath)
        for e in selectedExports() {
            guard let data = datasets[e.data] else { continue }
            let dir = "\(o.directory)/exports/\(e.name)"
            let n = try FeatureExport.write(e, dataset: data, feature: spec.feature(named: e.features), seed: spec.seed, to: dir)
            if !options.quiet { log("export \(e.name): \(n) samples of \(e.data) through '\(e.features.isEmpty ? "none" : e.features)' -> \(dir)/ (.npy, .png, sheet.png)\n") }
        }
        var results = try o.readResults()
        trainedPlans = plans
        if let dp = options.parallel, !options.quiet {
            log("data-parallel: \(dp.size) processes, each computing its share of every batch; rank 0 writes \(o.directory)\n")
        }
        for p in plans {
            let finished = options.resume && results[p.spec.name] != nil && FileManager.default.fileExists(atPath: o.modelPath(p.spec.name))
            try agreeOnSkipping(finished)
            if finished, let done = results[p.spec.name] {
                if !options.quiet { log("\(p.spec.name): finished in the earlier run (test accuracy \(done.testAccuracy.map { String(format: "%.4f", $0) } ?? "-"))\n") }
                continue
            }
            let r = try train(p)
            results[p.spec.name] = r
            try o.writeMetrics(pipeline: spec.name, seed: spec.seed, results: spec.models.compactMap { m in results[m.name].map { (m.name, $0) } })
        }
        if !results.isEmpty { try RunReport.write(run: o.directory) }
        return spec.models.compactMap { m in plans.contains { $0.spec.name == m.name } ? results[m.name].map { (m.name, $0) } : nil }
    }

    /// The checkpoint metadata that lets `predict` and `evaluate` rebuild a model's inputs.
    func inferenceMetadata(_ p: ModelPlan) -> [String: String] {
        let info: Value = [
            "pipeline": .of(spec.name), "model": .of(p.spec.name),
            "kind": .of(p.dataset.spec.kind.rawValue), "sample_rate": p.dataset.spec.sampleRate.map { .of($0) } ?? nil,
            "features": p.feature?.items ?? [], "feature_name": .of(p.spec.features),
            "classes": Value(.list(p.dataset.classes.map { .of($0) })),
            "input_shape": Value(.list(p.model.inputShape.map { .of($0) })),
            "percept_version": .of(PerceptVersion.string),
        ]
        return ["pipeline": info.json]
    }

    /// The model's trainer as its `train:` section says (the collective attached for data-parallel runs).
    private func makeTrainer(_ p: ModelPlan) throws -> Trainer {
        let t = p.spec.train
        var opts = TrainingOptions()
        opts.epochs = t.epochs; opts.batchSize = t.batchSize; opts.seed = spec.seed; opts.clipNorm = t.clipNorm
        opts.evalBatchSize = t.evalBatchSize
        if let es = t.earlyStopping {
            opts.earlyStopping = EarlyStopping(monitor: es.monitor, patience: es.patience, minDelta: es.minDelta, restoreBest: es.restoreBest)
        }
        let trainer = Trainer(model: p.model, loss: try t.makeLoss(), optimizer: try t.makeOptimizer(), schedule: try t.makeSchedule(), options: opts)
        trainer.collective = options.parallel
        return trainer
    }

    /// Checks that every rank resolved the same pipeline (file, `--set` overrides, `--only`): a
    /// rank started in another folder, or reading a file that changed on a shared volume, would
    /// train on other data or another model and corrupt the sums without any error.
    private func agreeOnPipeline(_ dp: any Collective) throws {
        var h = SHA256()
        h.update(spec.resolved.yaml)
        h.update(options.only.joined(separator: "\u{0}"))
        let mine = Array(h.hex().utf8).map(Float.init)
        var theirs = mine
        try dp.broadcast(&theirs, count: theirs.count)
        var differing = [mine == theirs ? 0.0 : 1.0]
        try dp.sum(&differing, count: 1)
        guard differing[0] == 0 else {
            throw PerceptError.invalidArgument(field: spec.file, mine == theirs
                ? "rank \(dp.rank) of \(dp.size): \(Int(differing[0])) other rank(s) resolved another pipeline than rank 0 (see their message)"
                : "rank \(dp.rank) of \(dp.size) resolved another pipeline than rank 0 (the file differs on this node, another folder, or other --set / --only): every rank must run the same command in the same folder")
        }
    }

    /// Rank 0 tells the other ranks whether the next model is skipped (finished in the run being
    /// resumed), so all of them train the same models.
    @discardableResult
    private func agreeOnSkipping(_ finished: Bool) throws -> Bool {
        guard let dp = options.parallel else { return finished }
        var flag: [Float] = [finished ? 1 : 0]
        try dp.broadcast(&flag, count: 1)
        return flag[0] != 0
    }

    /// The cached prefix of every sample, computed before training (in parallel): a second run
    /// decodes nothing. In a data-parallel run each rank computes every K-th sample and the counts
    /// are summed, which also waits until every rank's share is in the cache.
    private func warm(_ p: ModelPlan) throws -> (hits: Int, computed: Int) {
        let ds = p.dataset, items = ds.train + ds.validation + ds.test
        guard let dp = options.parallel else { return try p.features.warm(items) }
        let share = stride(from: dp.rank, to: items.count, by: dp.size).map { items[$0] }
        let c = try p.features.warm(share)
        var totals = [Double(c.hits), Double(c.computed)]
        try dp.sum(&totals, count: 2)
        return (Int(totals[0]), Int(totals[1]))
    }

    /// `cnn: 95 steps over 2 processes; each sum of 258,314 gradients (1.0 MB): median 0.41 ms, 2.1 % of training time`
    static func exchangeSummary(_ model: String, _ times: [Double], floats: Int, ranks: Int, trainSeconds: Double) -> String {
        let sorted = times.sorted(), median = sorted[sorted.count / 2]
        let share = trainSeconds > 0 ? 100 * times.reduce(0, +) / trainSeconds : 0
        return "\(model): \(times.count) steps over \(ranks) processes; each sum of \(RunTables.grouped(floats)) gradients (\(ResourceLimits.format(floats * 4))): median \(String(format: "%.2f", median * 1000)) ms, \(String(format: "%.1f", share)) % of training time (waiting for the slowest rank included)\n"
    }

    /// Rank r > 0 of a data-parallel run: builds the same plans from the same file, fills its
    /// share of the feature cache and trains every model with rank 0, writing nothing; rank 0's
    /// state, learning rate and stopping decisions are the ones that count (`Trainer.collective`).
    private func runWorker(_ dp: any Collective) throws {
        let plans = try plan()
        try checkPlans?(plans)
        for p in plans {
            if try agreeOnSkipping(false) { continue }
            let trainer = try makeTrainer(p)
            trainer.options.earlyStopping = nil   // rank 0 decides when to stop
            let ds = p.dataset
            let trainSource = try source(p, ds.train)
            let valSource = ds.validation.isEmpty ? nil : try source(p, ds.validation)
            _ = try warm(p)
            _ = try trainer.fit(trainSource, validation: valSource)
        }
    }

    private func train(_ p: ModelPlan) throws -> ModelResult {
        let o = outputs, m = p.spec, ds = p.dataset, t = m.train
        let trainer = try makeTrainer(p)
        let trainSource = try source(p, ds.train)
        let valSource = ds.validation.isEmpty ? nil : try source(p, ds.validation)
        let checkpoint = o.checkpointPath(m.name)
        var history = HistoryLog(path: o.historyPath(m.name))
        var earlierSeconds = 0.0
        if options.resume, FileManager.default.fileExists(atPath: checkpoint) {
            try trainer.loadCheckpoint(from: checkpoint)
            history.keep(epochs: trainer.epochsDone)
            earlierSeconds = history.earlierSeconds
            if !options.quiet { log("\(m.name): resuming after epoch \(trainer.epochsDone) of \(t.epochs) from \(checkpoint)\n") }
        }
        let meta = inferenceMetadata(p)
        let progress = RunProgress(model: m.name, trainCount: ds.train.count, live: options.live, quiet: options.quiet, log: log)
        let telemetry = try makeTelemetry(p)
        if options.resume { telemetry.keep(epochs: trainer.epochsDone) }
        trainer.callbacks = [
            progress,
            telemetry,
            EpochEnd(every: m.checkpointEvery, epochs: t.epochs) { report, trainer, save in
                history.append(report)
                try history.write()
                if save { try trainer.saveCheckpoint(to: checkpoint, metadata: meta) }
            },
        ]
        if !options.quiet {
            log("\(m.name): \(ds.train.count) train / \(ds.validation.count) validation / \(ds.test.count) test samples, \(ds.classes.count) classes, input \(dimsText(p.model.inputShape)), \(RunTables.grouped(p.model.parameterCount)) parameters\n")
        }
        let warmStart = Date()
        let counts = try warm(p)
        if !options.quiet, counts.hits + counts.computed > 0 {
            log("\(m.name): features of \(counts.hits + counts.computed) samples: \(counts.hits) from the cache, \(counts.computed) computed (\(String(format: "%.1f", Date().timeIntervalSince(warmStart))) s)\n")
        }
        let started = Date()
        do {
            // Ranks cannot stop at one step together, so a data-parallel run stops at once on a
            // signal (its last checkpoint is complete) instead of finishing the step.
            let fit = { try trainer.fit(trainSource, validation: valSource) }
            _ = try options.parallel == nil ? Interrupts.cooperate(fit) : fit()
        } catch is StopRequested {
            let saved = trainer.epochsDone
            throw RunInterrupted(message: saved > 0 && FileManager.default.fileExists(atPath: checkpoint)
                ? "interrupted in epoch \(saved + 1) of \(t.epochs) of \(m.name); \(checkpoint) holds epoch \(saved). Resume with: percept run \(spec.file) --resume"
                : "interrupted in the first epoch of \(m.name); nothing to resume, run it again")
        }
        let seconds = Date().timeIntervalSince(started)
        if let dp = options.parallel, !options.quiet, !trainer.exchangeSeconds.isEmpty {
            log(Self.exchangeSummary(m.name, trainer.exchangeSeconds, floats: p.model.parameterCount, ranks: dp.size, trainSeconds: seconds))
        }
        try Checkpoint.save(p.model, to: o.modelPath(m.name), metadata: meta)
        var test: Evaluation?
        if !ds.test.isEmpty {
            let (e, predicted) = try trainer.evaluateWithPredictions(try source(p, ds.test))
            test = e
            try writeMisclassified(p, predicted: predicted)
        }
        return ModelResult(test: test, classes: ds.classes, epochs: trainer.epochsDone, trainSeconds: seconds + earlierSeconds,
                           params: p.model.parameterCount,
                           samples: ["train": ds.train.count, "validation": ds.validation.count, "test": ds.test.count], cache: counts)
    }

    /// The model's telemetry: TensorBoard events under `tensorboard/<model>/` (unless
    /// `tensorboard: false`) and `telemetry.json` for the report.
    func makeTelemetry(_ p: ModelPlan) throws -> RunTelemetry {
        let o = outputs, ds = p.dataset, tb = p.spec.tensorboard
        let sink: SummarySink? = tb.enabled ? try EventSink(directory: o.tensorboardDirectory(p.spec.name)) : nil
        let probeItems = Array((ds.validation.isEmpty ? ds.train : ds.validation).prefix(64))
        let sampleItems = Array((ds.test.isEmpty ? ds.validation : ds.test).prefix(tb.enabled ? tb.samples : 0))
        return RunTelemetry(sink: sink, spec: tb, model: p.model, activationLayers: p.activationLayers,
                            probe: try inputs(p, probeItems), samples: try inputs(p, sampleItems), sampleLabels: sampleItems.map(\.label),
                            classes: ds.classes, inputKind: p.features.inputShape.kind, trainCount: ds.train.count,
                            recordPath: o.telemetryPath(p.spec.name))
    }

    /// Clean model inputs of `items`, stacked as [N] + input shape (computed on all cores).
    public func inputs(_ p: ModelPlan, _ items: [DataItem]) throws -> Tensor {
        try ChainFeatures.compute(p, items, seed: spec.seed)
    }

    /// `misclassified.npz`: up to 32 wrongly classified test samples (inputs, true and predicted
    /// class, index in the test split), for the report.
    func writeMisclassified(_ p: ModelPlan, predicted: [Int]) throws {
        let test = p.dataset.test
        let wrong = Array(test.indices.filter { predicted[$0] != test[$0].label }.prefix(32))
        let x = try inputs(p, wrong.map { test[$0] })
        try Npz.save([("inputs", NpyArray(x)),
                      ("true", NpyArray(int64: wrong.map { Int64(test[$0].label) }, shape: [wrong.count])),
                      ("predicted", NpyArray(int64: wrong.map { Int64(predicted[$0]) }, shape: [wrong.count])),
                      ("index", NpyArray(int64: wrong.map { Int64($0) }, shape: [wrong.count]))],
                     to: outputs.misclassifiedPath(p.spec.name))
    }

    /// A streaming source over items: features computed per request (cached prefix), random
    /// stages for training epochs only.
    func source(_ p: ModelPlan, _ items: [DataItem]) throws -> StreamingSource {
        let f = p.features
        return try StreamingSource(count: items.count, sampleShape: p.model.inputShape, targets: .classes(items.map(\.label))) { i, epoch in
            if Interrupts.stopRequested { throw StopRequested() }
            let s = try f.sample(items[i], index: i, epoch: epoch).data
            guard s.shape == p.model.inputShape else {
                throw PerceptError.badInput(file: items[i].displayName, "its features have shape \(dimsText(s.shape)), the model takes \(dimsText(p.model.inputShape)) (the first sample's); fix the size in the chain (fix_length, resize)")
            }
            return s
        }
    }
}

/// Thrown inside training when Ctrl-C asked for a stop.
struct StopRequested: Error {}

/// A run stopped by Ctrl-C after finishing its step: says what the checkpoint holds and how to
/// resume; the CLI exits 130 (128 + SIGINT), as a shell reports an interrupted command.
public struct RunInterrupted: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
    public var exitCode: Int32 { 130 }
}

/// Runs after every epoch: the history row, and a checkpoint every `every` epochs and at the end.
final class EpochEnd: TrainingCallback {
    let every: Int, epochs: Int
    let body: (EpochReport, Trainer, Bool) throws -> Void
    init(every: Int, epochs: Int, body: @escaping (EpochReport, Trainer, Bool) throws -> Void) {
        self.every = every; self.epochs = epochs; self.body = body
    }
    func stepDidEnd(_ report: StepReport, _ trainer: Trainer) throws {
        if Interrupts.stopRequested { throw StopRequested() }
    }
    func epochDidEnd(_ report: inout EpochReport, _ trainer: Trainer) throws {
        let done = report.epoch + 1
        try body(report, trainer, done % every == 0 || done == epochs || report.stopped)
    }
}
