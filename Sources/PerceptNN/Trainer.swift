import Foundation
import PerceptCore

/// Early stopping on a monitored metric (`val_loss`, `val_accuracy`, `val_f1`, or the training
/// `loss` / `accuracy`): stops after `patience` epochs without an improvement of `minDelta`, and
/// optionally puts back the best epoch's weights.
///
///     EarlyStopping(monitor: "val_accuracy", patience: 3, restoreBest: true)
public struct EarlyStopping: Sendable {
    public var monitor: String
    public var patience: Int
    public var minDelta: Double
    public var restoreBest: Bool
    public init(monitor: String = "val_loss", patience: Int = 5, minDelta: Double = 0, restoreBest: Bool = true) {
        self.monitor = monitor; self.patience = patience; self.minDelta = minDelta; self.restoreBest = restoreBest
    }
    var maximize: Bool { !monitor.hasSuffix("loss") }
}

/// How `Trainer.fit` runs.
///
///     var o = TrainingOptions(); o.epochs = 5; o.batchSize = 64; o.validationSplit = 0.1
public struct TrainingOptions: Sendable {
    public var epochs = 10
    public var batchSize = 32
    /// Drives the validation split, the shuffles (one stream per epoch) and dropout (one per step).
    public var seed: UInt64 = 0
    /// Fraction of the samples held out (chosen by a seeded permutation) for validation.
    public var validationSplit = 0.0
    public var shuffle = true
    /// Clip gradients to this global L2 norm before each update.
    public var clipNorm: Float?
    public var earlyStopping: EarlyStopping?
    /// Written (atomically) after every completed epoch; never overwritten by a diverged state.
    public var checkpointPath: String?
    public var evalBatchSize = 256
    /// The axis of the per-sample input shape that `lengths` count (`fit(_:_:lengths:)`): 0 for
    /// `[T, F]` sequences, 1 for `[C, T]`, 2 for `[1, F, T]` spectrograms.
    public var sequenceAxis = 0
    public init() {}
}

/// What the step hooks observe.
public struct StepReport: Sendable {
    public let epoch: Int, step: Int, stepsPerEpoch: Int
    public let loss: Double
    public let learningRate: Float
}

/// What the epoch hooks observe.
public struct EpochReport: Sendable {
    public let epoch: Int
    public let trainLoss: Double
    public let trainAccuracy: Double?
    public let validation: Evaluation?
    public let learningRate: Float
    public let seconds: Double
    /// True when early stopping ended training after this epoch.
    public let stopped: Bool
}

/// Trains a `Sequential` model: seeded mini-batches, validation, metrics, schedules, early stopping,
/// hooks and checkpoints. Every random choice comes from `options.seed` keyed by epoch and step,
/// so a run resumed from a checkpoint continues exactly as an uninterrupted one.
///
///     let t = Trainer(model: model, loss: try LossRegistry.make("cross_entropy"), optimizer: try OptimizerRegistry.make("adam"))
///     let history = try t.fit(images, .classes(labels))
///
/// Variable-length sequences padded at the end train with their per-sample `lengths`: the trainer
/// attaches one `SequenceMask` to the model's LSTM/GRU layers (and a `masked_cross_entropy` loss)
/// and sets each batch's lengths, so padding changes neither outputs nor gradients.
///
/// Batch sizes are checked before the first step (`Sequential.validate(batch:training:)`): a
/// batch BatchNorm cannot normalise (a final batch of one sample with `[C]` features) is an error
/// naming the layer, not silently dropped, so every sample is used as with PyTorch's default
/// `drop_last=False`; choose a `batch_size` that leaves a remainder other than 1.
public final class Trainer {
    public let model: Sequential
    public let loss: any Loss
    public let optimizer: Optimizer
    public var schedule: LRSchedule?
    public var options: TrainingOptions
    /// Called after every optimizer step, then after every epoch.
    public var onStep: [(StepReport) -> Void] = []
    public var onEpoch: [(EpochReport) -> Void] = []

    /// Completed epochs (a resumed run continues from here).
    public private(set) var epochsDone = 0
    private var bestMetric: Double?
    private var badEpochs = 0
    private var bestWeights: [[Float]]?
    public private(set) var history: [EpochReport] = []

    // Step buffers, allocated once per batch size.
    private let xb = FloatBuffer(), tb = FloatBuffer(), gb = FloatBuffer()
    /// Attached on the first call with lengths, then reused (cleared for calls without).
    private var mask: SequenceMask?

    public init(model: Sequential, loss: any Loss, optimizer: Optimizer, schedule: LRSchedule? = nil, options: TrainingOptions = TrainingOptions()) {
        self.model = model; self.loss = loss; self.optimizer = optimizer; self.schedule = schedule; self.options = options
    }

    /// Floats of target per sample the loss reads.
    private var targetWidth: Int { loss.classTargets ? 1 : model.outputSize }

    private func checkTargets(_ x: Tensor, _ y: Targets) throws -> Int {
        let n = try model.checkInput(x)
        guard y.count == n else { throw PerceptError.invalidArgument(field: "targets", "\(y.count) targets for \(n) samples") }
        switch y {
        case .classes(let c):
            let k = model.outputSize == 1 ? 2 : model.outputSize
            if let bad = c.first(where: { $0 < 0 || $0 >= k }) {
                throw PerceptError.invalidArgument(field: "targets", "class \(bad) is outside 0..<\(k) for an output of \(model.outputSize)")
            }
        case .values(let t):
            if loss.classTargets {
                throw PerceptError.invalidArgument(field: "targets", "\(type(of: loss).name) needs class indices, got values")
            }
            guard Array(t.shape.dropFirst()) == model.outputShape else {
                throw PerceptError.invalidArgument(field: "targets", "shape \(t.shape) does not match the model output [N] + \(model.outputShape)")
            }
        }
        return n
    }

    /// Writes the targets of `indices` into `dst` as the loss expects them.
    private func gatherTargets(_ y: Targets, _ indices: ArraySlice<Int>, _ dst: UnsafeMutablePointer<Float>) {
        let w = targetWidth
        switch y {
        case .classes(let c):
            for (j, i) in indices.enumerated() {
                if loss.classTargets || w == 1 { dst[j * w] = Float(c[i]); continue }
                (dst + j * w).update(repeating: 0, count: w)
                dst[j * w + c[i]] = 1   // one-hot for dense losses on class labels
            }
        case .values(let t):
            t.withUnsafeBufferPointer { b in
                for (j, i) in indices.enumerated() { (dst + j * w).update(from: b.baseAddress! + i * w, count: w) }
            }
        }
    }

    private func gatherInputs(_ x: UnsafePointer<Float>, _ indices: ArraySlice<Int>, _ dst: UnsafeMutablePointer<Float>) {
        let s = model.inputSize
        for (j, i) in indices.enumerated() { (dst + j * s).update(from: x + i * s, count: s) }
    }

    /// The mask for a call with per-sample `lengths` (attached once), or nil after clearing it.
    private func prepareMask(_ lengths: [Int]?, samples n: Int) throws -> SequenceMask? {
        guard let lengths else { mask?.clear(); return nil }
        let axis = options.sequenceAxis
        guard axis >= 0 && axis < model.inputShape.count else {
            throw PerceptError.invalidArgument(field: "sequence_axis", "\(axis) is not an axis of the input shape \(shapeText(model.inputShape))")
        }
        let frames = model.inputShape[axis]
        guard lengths.count == n else { throw PerceptError.invalidArgument(field: "lengths", "\(lengths.count) lengths for \(n) samples") }
        if let (i, bad) = lengths.enumerated().first(where: { $0.element < 1 || $0.element > frames }) {
            throw PerceptError.invalidArgument(field: "lengths", "length \(bad) of sample \(i) is outside 1...\(frames) frames")
        }
        if let m = mask, m.frames == frames { return m }
        let m = try SequenceMask.attach(to: model, frames: frames)
        (loss as? MaskedCrossEntropyLoss)?.mask = m
        mask = m
        return m
    }

    /// Sets the mask lengths of the samples `indices` (no-op without a mask).
    private func setLengths(_ mask: SequenceMask?, _ lengths: [Int]?, _ indices: some Collection<Int>) throws {
        guard let mask, let lengths else { return }
        try mask.set(lengths: indices.map { lengths[$0] }, batch: indices.count)
    }

    /// Checks every batch size a pass over `n` samples in batches of `bs` will use, before the first
    /// forward pass, so a batch BatchNorm cannot take fails at once with the layer named.
    private func validateBatches(samples n: Int, batchSize bs: Int, training: Bool) throws {
        let last = n % bs
        for b in Set([Swift.min(bs, n), last]) where b > 0 {
            do { try model.validate(batch: b, training: training) } catch PerceptError.invalidArgument(let field, let msg) where b == last && n > bs {
                throw PerceptError.invalidArgument(field: field, "\(msg); the last batch holds \(last) of \(n) samples at batch size \(bs) (pick a batch size that leaves a remainder other than 1)")
            }
        }
    }

    /// Training and validation sample indices for `n` samples (seeded, fixed for the run).
    public func split(_ n: Int) -> (train: [Int], validation: [Int]) {
        let v = Int((Double(n) * options.validationSplit).rounded())
        guard v > 0 && v < n else { return (Array(0..<n), []) }
        var rng = RandomStream(seed: options.seed).split(1)
        let perm = rng.permutation(n)
        return (Array(perm[..<(n - v)]), Array(perm[(n - v)...]).sorted())
    }

    /// Trains until `options.epochs` epochs are done (or early stopping); returns this call's epochs.
    /// `lengths` (valid frames per sample along `options.sequenceAxis`) masks padded sequences.
    public func fit(_ x: Tensor, _ y: Targets, lengths: [Int]? = nil) throws -> [EpochReport] {
        let n = try checkTargets(x, y)
        guard options.batchSize > 0 else { throw PerceptError.invalidArgument(field: "batch_size", "must be > 0") }
        let (trainIdx, valIdx) = split(n)
        guard !trainIdx.isEmpty else { throw PerceptError.invalidArgument(field: "input", "no training samples") }
        let seqMask = try prepareMask(lengths, samples: n)
        // Lengths left set would mask a later direct `model.forward` of the same batch size.
        defer { seqMask?.clear() }
        let bs = options.batchSize, w = model.outputSize, tw = targetWidth
        try validateBatches(samples: trainIdx.count, batchSize: bs, training: true)
        xb.ensure(bs * model.inputSize); tb.ensure(bs * tw); gb.ensure(bs * w)
        let params = model.namedParameters
        let stepsPerEpoch = (trainIdx.count + bs - 1) / bs
        let root = RandomStream(seed: options.seed)
        var reports: [EpochReport] = []
        var stop = false

        while epochsDone < options.epochs && !stop {
            let epoch = epochsDone
            let started = Date()
            // Rollback point in case the loss diverges in this epoch.
            let goodWeights = model.snapshot()
            let goodOptimizer = optimizer.stateTensors(params), goodStep = optimizer.step
            var order = trainIdx
            if options.shuffle {
                var r = root.split(0).split(epoch)
                let perm = r.permutation(trainIdx.count)
                order = perm.map { trainIdx[$0] }
            }
            var lossSum = 0.0, correct = 0, seen = 0
            for s in 0..<stepsPerEpoch {
                let lo = s * bs, hi = Swift.min(lo + bs, order.count), b = hi - lo
                let idx = order[lo..<hi]
                x.withUnsafeBufferPointer { xp in gatherInputs(xp.baseAddress!, idx, xb.ptr) }
                gatherTargets(y, idx, tb.ptr)
                try setLengths(seqMask, lengths, idx)
                let lr = schedule?.learningRate(base: optimizer.baseLR, epoch: epoch, globalStep: optimizer.step) ?? optimizer.baseLR
                optimizer.lr = lr
                let out = model.forward(UnsafePointer(xb.ptr), batch: b, training: true, rng: root.split(3).split(epoch).split(s))
                let l = loss.compute(output: out, targets: tb.ptr, batch: b, width: w, grad: gb.ptr)
                guard l.isFinite else {
                    model.restore(goodWeights)
                    try optimizer.loadState(Dictionary(goodOptimizer, uniquingKeysWith: { a, _ in a }), step: goodStep, params: params)
                    let kept = options.checkpointPath.map { "; the last good checkpoint is \($0)" } ?? ""
                    throw PerceptError.runtime("training stopped at epoch \(epoch + 1), step \(s + 1): the loss is \(l.isNaN ? "NaN" : "infinite") (try a lower learning rate or gradient clipping); the model was reset to the end of epoch \(epoch)\(kept)")
                }
                if case .classes(let c) = y {
                    for (j, i) in idx.enumerated() where predictedClass(out + j * w, width: w) == c[i] { correct += 1 }
                }
                lossSum += l * Double(b); seen += b
                model.backward(UnsafePointer(gb.ptr), batch: b)
                if let c = options.clipNorm { clipGradientNorm(params, maxNorm: c) }
                optimizer.update(params)
                if !onStep.isEmpty {
                    let r = StepReport(epoch: epoch, step: s, stepsPerEpoch: stepsPerEpoch, loss: l, learningRate: lr)
                    for h in onStep { h(r) }
                }
            }
            let trainLoss = lossSum / Double(seen)
            let trainAcc: Double? = { if case .classes = y { return Double(correct) / Double(seen) } else { return nil } }()
            let validation = valIdx.isEmpty ? nil : try evaluate(x, y, indices: valIdx, lengths: lengths, mask: seqMask)
            func monitored(_ name: String) -> Double? {
                if name.hasPrefix("val_") { return validation?.metric(String(name.dropFirst(4))) }
                return name == "loss" ? trainLoss : (name == "accuracy" ? trainAcc : nil)
            }
            schedule?.observe(monitored(validation != nil ? "val_loss" : "loss") ?? trainLoss)
            epochsDone = epoch + 1
            if let es = options.earlyStopping {
                guard let m = monitored(es.monitor) else {
                    throw PerceptError.invalidArgument(field: "early_stopping.monitor", "'\(es.monitor)' is not available (use val_loss, val_accuracy, val_f1, loss or accuracy; val_* needs a validation split)")
                }
                let better = bestMetric.map { es.maximize ? m > $0 + es.minDelta : m < $0 - es.minDelta } ?? true
                if better {
                    bestMetric = m; badEpochs = 0
                    if es.restoreBest { bestWeights = model.snapshot() }
                } else {
                    badEpochs += 1
                    if badEpochs >= es.patience {
                        stop = true
                        if es.restoreBest, let bw = bestWeights { model.restore(bw) }
                    }
                }
            }
            if let path = options.checkpointPath { try saveCheckpoint(to: path) }
            let report = EpochReport(epoch: epoch, trainLoss: trainLoss, trainAccuracy: trainAcc, validation: validation,
                                     learningRate: optimizer.lr, seconds: Date().timeIntervalSince(started), stopped: stop)
            reports.append(report)
            history.append(report)
            for h in onEpoch { h(report) }
        }
        return reports
    }

    /// Mean loss and metrics over all samples, in batches, without dropout; `lengths` as for `fit`.
    public func evaluate(_ x: Tensor, _ y: Targets, lengths: [Int]? = nil) throws -> Evaluation {
        let n = try checkTargets(x, y)
        let m = try prepareMask(lengths, samples: n)
        defer { m?.clear() }
        return try evaluate(x, y, indices: Array(0..<n), lengths: lengths, mask: m)
    }

    /// The model's outputs `[N] + outputShape` in batches of `options.evalBatchSize`; with `lengths`
    /// every batch (the last partial one too) runs masked.
    ///
    ///     let logits = try trainer.predict(padded, lengths: [40, 17, 33])
    public func predict(_ x: Tensor, lengths: [Int]? = nil) throws -> Tensor {
        let n = try model.checkInput(x)
        let m = try prepareMask(lengths, samples: n)
        defer { m?.clear() }
        let bs = Swift.max(1, options.evalBatchSize)
        try validateBatches(samples: n, batchSize: bs, training: false)
        return try model.predict(x, batchSize: bs) { r in try setLengths(m, lengths, r) }
    }

    private func evaluate(_ x: Tensor, _ y: Targets, indices: [Int], lengths: [Int]?, mask: SequenceMask?) throws -> Evaluation {
        let bs = Swift.max(1, options.evalBatchSize), w = model.outputSize, tw = targetWidth
        try validateBatches(samples: indices.count, batchSize: bs, training: false)
        let xe = FloatBuffer(count: bs * model.inputSize), te = FloatBuffer(count: bs * tw)
        var total = 0.0
        var confusion: [[Int]]? = nil
        if case .classes = y { let k = w == 1 ? 2 : w; confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k) }
        var lo = 0
        while lo < indices.count {
            let hi = Swift.min(lo + bs, indices.count), b = hi - lo
            let idx = indices[lo..<hi]
            x.withUnsafeBufferPointer { xp in gatherInputs(xp.baseAddress!, idx, xe.ptr) }
            gatherTargets(y, idx, te.ptr)
            try setLengths(mask, lengths, idx)
            let out = model.forward(UnsafePointer(xe.ptr), batch: b, training: false, rng: RandomStream(seed: options.seed))
            total += loss.compute(output: out, targets: te.ptr, batch: b, width: w, grad: nil) * Double(b)
            if case .classes(let c) = y {
                for (j, i) in idx.enumerated() { confusion?[c[i]][predictedClass(out + j * w, width: w)] += 1 }
            }
            lo = hi
        }
        return Evaluation(loss: total / Double(Swift.max(indices.count, 1)), samples: indices.count,
                          classification: confusion.map { ClassificationMetrics(confusion: $0) })
    }

    // MARK: checkpoints

    /// Saves weights, buffers (BatchNorm running statistics), architecture, optimizer state,
    /// schedule and early-stopping state (safetensors).
    public func saveCheckpoint(to path: String) throws {
        let params = model.namedParameters
        var tensors = Checkpoint.stateTensors(model)
        tensors += optimizer.stateTensors(params).map { ("optimizer.\($0.0)", $0.1) }
        if let bw = bestWeights {
            for (p, v) in zip(model.namedState, bw) { tensors.append(("best.\(p.name)", Tensor(unchecked: p.param.shape, data: v))) }
        }
        var meta = Checkpoint.modelMetadata(model)
        meta["optimizer"] = Checkpoint.json(["type": type(of: optimizer).name, "values": optimizer.values.mapValues(\.jsonObject), "step": optimizer.step])
        meta["loss"] = Checkpoint.json(["type": type(of: loss).name, "values": loss.values.mapValues(\.jsonObject)])
        var trainer: [String: Any] = ["epochs_done": epochsDone, "bad_epochs": badEpochs, "seed": String(options.seed)]
        if let b = bestMetric { trainer["best_metric_bits"] = String(b.bitPattern) }
        if let s = schedule { trainer["schedule_state"] = s.stateText }
        meta["trainer"] = Checkpoint.json(trainer)
        try SafeTensors.write(tensors, metadata: meta, to: path)
    }

    /// Restores everything `saveCheckpoint` wrote; the model must have the same architecture.
    public func loadCheckpoint(from path: String) throws {
        let file = try SafeTensors.read(path)
        try Checkpoint.loadWeights(into: model, file: file, path: path)
        let params = model.namedParameters
        guard let ojson = file.metadata["optimizer"], let o = Checkpoint.parse(ojson),
              let otype = o["type"] as? String, let step = o["step"] as? Int else {
            throw PerceptError.badInput(file: path, "no optimizer state in the checkpoint metadata")
        }
        guard otype == type(of: optimizer).name else {
            throw PerceptError.badInput(file: path, "checkpoint optimizer is \(otype), this run uses \(type(of: optimizer).name)")
        }
        var ostate: [String: Tensor] = [:]
        for (k, v) in file.tensors where k.hasPrefix("optimizer.") { ostate[String(k.dropFirst("optimizer.".count))] = v }
        try optimizer.loadState(ostate, step: step, params: params)
        guard let tjson = file.metadata["trainer"], let t = Checkpoint.parse(tjson), let done = t["epochs_done"] as? Int else {
            throw PerceptError.badInput(file: path, "no trainer state in the checkpoint metadata")
        }
        epochsDone = done
        badEpochs = t["bad_epochs"] as? Int ?? 0
        bestMetric = (t["best_metric_bits"] as? String).flatMap(UInt64.init).map { Double(bitPattern: $0) }
        if let s = t["schedule_state"] as? String { try schedule?.loadState(s) }
        let state = model.namedState
        let best = state.compactMap { file.tensors["best.\($0.name)"]?.storage }
        bestWeights = best.count == state.count ? best : nil
    }
}
