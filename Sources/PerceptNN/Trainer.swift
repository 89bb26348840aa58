import Foundation
import PerceptCore

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
    /// (Shorthand for a `ModelCheckpoint` callback.)
    public var checkpointPath: String?
    public var evalBatchSize = 256
    /// Load each training batch on another thread while the previous one trains (the result is
    /// the same either way; off: each batch is loaded when its step starts).
    public var prefetch = true
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
    /// Samples in this step's batch, and how many of them the model classified right (nil
    /// when the targets are not classes).
    public var samples = 0, correct: Int? = nil
}

/// What the epoch hooks observe.
public struct EpochReport: Sendable {
    public let epoch: Int
    public let trainLoss: Double
    public let trainAccuracy: Double?
    public let validation: Evaluation?
    public let learningRate: Float
    public var seconds: Double
    /// True when a callback (early stopping) ended training after this epoch.
    public var stopped: Bool

    /// A metric by name: `loss`, `accuracy`, or `val_` + an `Evaluation` metric (`val_loss`, `val_f1`).
    public func metric(_ name: String) -> Double? {
        if name.hasPrefix("val_") { return validation?.metric(String(name.dropFirst(4))) }
        return name == "loss" ? trainLoss : (name == "accuracy" ? trainAccuracy : nil)
    }
}

/// Trains a `Sequential` model: the step loop over a `BatchSource`, with validation, metrics and
/// the learning-rate schedule; everything else — early stopping, checkpoints, the NaN guard,
/// logging, progress — is a `TrainingCallback`. Every random choice comes from `options.seed`
/// keyed by epoch and step, so a run resumed from a checkpoint continues exactly as an
/// uninterrupted one.
///
///     let t = Trainer(model: model, loss: CrossEntropyLoss(), optimizer: try Adam(lr: 1e-3))
///     let history = try t.fit(images, .classes(labels))
///
/// Variable-length sequences padded at the end train with their per-sample lengths (from the
/// source, or `lengths:`): the trainer attaches one `SequenceMask` to the model's LSTM/GRU layers
/// (and a `masked_cross_entropy` loss) and sets each batch's lengths, so padding changes neither
/// outputs nor gradients.
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
    /// Run in order at each point of the loop: after the NaN guard and `options.earlyStopping`,
    /// before `options.checkpointPath`'s `ModelCheckpoint` and `onStep` / `onEpoch`.
    public var callbacks: [any TrainingCallback] = []
    /// Called after every optimizer step, then after every epoch.
    public var onStep: [(StepReport) -> Void] = []
    public var onEpoch: [(EpochReport) -> Void] = []
    /// Data-parallel training (`mpirun -np K percept run`): with a collective of more than one
    /// process, rank 0's initial state is copied to every rank, each rank computes the gradients of
    /// its contiguous share of every global batch (`DataParallel.slice`), and one fused sum per
    /// step averages them, so every rank applies the same update a single process would with the
    /// same `batchSize`. Validation is split the same way and its totals summed. Per-sample
    /// randomness (augmentation) is keyed by sample, not by rank; dropout draws one stream per
    /// rank, and BatchNorm normalises each rank's share with its own statistics (as PyTorch's
    /// DistributedDataParallel), its running statistics taken from rank 0 after every epoch.
    public var collective: (any Collective)?
    /// Seconds each data-parallel step spent in its gradient sum (waiting for the slowest rank
    /// included), for the cost model in docs/scale-out.md.
    public internal(set) var exchangeSeconds: [Double] = []

    /// Completed epochs (a resumed run continues from here).
    public internal(set) var epochsDone = 0
    public private(set) var history: [EpochReport] = []

    // Step buffers, allocated once per batch size (inputs: `BatchLoader`).
    private let tb = FloatBuffer(), gb = FloatBuffer()
    /// Attached on the first call with lengths, then reused (cleared for calls without).
    private var mask: SequenceMask?
    private let nanGuard = NaNGuard()
    private var checkpointer: ModelCheckpoint?

    public init(model: Sequential, loss: any Loss, optimizer: Optimizer, schedule: LRSchedule? = nil, options: TrainingOptions = TrainingOptions()) {
        self.model = model; self.loss = loss; self.optimizer = optimizer; self.schedule = schedule; self.options = options
    }

    /// Every callback in the order they run.
    var activeCallbacks: [any TrainingCallback] {
        var list: [any TrainingCallback] = [nanGuard]
        if let es = options.earlyStopping { list.append(es) }
        list += callbacks
        // After every other stateful callback, so the checkpoint holds their end-of-epoch state.
        if let path = options.checkpointPath {
            if checkpointer?.path != path { checkpointer = ModelCheckpoint(path: path) }
            list.append(checkpointer!)
        }
        if !onStep.isEmpty || !onEpoch.isEmpty {
            list.append(ClosureCallback(step: { r in self.onStep.forEach { $0(r) } }, epoch: { r in self.onEpoch.forEach { $0(r) } }))
        }
        return list
    }

    /// Floats of target per sample the loss reads.
    private var targetWidth: Int { loss.classTargets ? 1 : model.outputSize }

    /// Checks that a source fits the model and the loss; returns its sample count.
    private func check(_ source: BatchSource) throws -> Int {
        guard source.sampleShape == model.inputShape else {
            throw PerceptError.invalidArgument(field: "input", "samples of shape \(shapeText(source.sampleShape)) do not fit the model's input \(shapeText(model.inputShape))")
        }
        let n = source.count, y = source.targets
        guard n > 0 else { throw PerceptError.invalidArgument(field: "input", "no samples") }
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

    /// An in-memory source, checked as `fit(_:_:lengths:)` always did (lengths before any step).
    private func source(_ x: Tensor, _ y: Targets, lengths: [Int]?) throws -> TensorSource {
        let n = try model.checkInput(x)
        guard y.count == n else { throw PerceptError.invalidArgument(field: "targets", "\(y.count) targets for \(n) samples") }
        let s = try TensorSource(x, y, lengths: lengths)
        if let lengths { try checkLengths(lengths, indices: 0..<n) }
        return s
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

    /// The mask for sources with lengths (attached once), or nil after clearing it.
    private func prepareMask(_ hasLengths: Bool) throws -> SequenceMask? {
        guard hasLengths else { mask?.clear(); return nil }
        let frames = try sequenceFrames()
        if let m = mask, m.frames == frames { return m }
        let m = try SequenceMask.attach(to: model, frames: frames)
        (loss as? MaskedCrossEntropyLoss)?.mask = m
        mask = m
        return m
    }

    /// Frames along `options.sequenceAxis`, the most a sample's length may be.
    private func sequenceFrames() throws -> Int {
        let axis = options.sequenceAxis
        guard axis >= 0 && axis < model.inputShape.count else {
            throw PerceptError.invalidArgument(field: "sequence_axis", "\(axis) is not an axis of the input shape \(shapeText(model.inputShape))")
        }
        return model.inputShape[axis]
    }

    private func checkLengths(_ lengths: [Int], indices: some Collection<Int>) throws {
        let frames = try sequenceFrames()
        if let (i, bad) = zip(indices, lengths).first(where: { $0.1 < 1 || $0.1 > frames }) {
            throw PerceptError.invalidArgument(field: "lengths", "length \(bad) of sample \(i) is outside 1...\(frames) frames")
        }
    }

    /// Fills a batch's inputs and sets its lengths on the mask.
    private func load(_ source: BatchSource, _ idx: ArraySlice<Int>, epoch: Int?, into dst: UnsafeMutablePointer<Float>, mask: SequenceMask?) throws {
        try setLengths(source.fill(idx, epoch: epoch, into: dst), of: idx, on: mask)
    }

    /// Checks a batch's sample lengths and sets them on the sequence mask.
    private func setLengths(_ lengths: [Int]?, of idx: ArraySlice<Int>, on mask: SequenceMask?) throws {
        guard let mask, let lengths, !idx.isEmpty else { return }
        try checkLengths(lengths, indices: idx)
        try mask.set(lengths: lengths, batch: idx.count)
    }

    /// Checks every batch size a pass over `n` samples in batches of `bs` will use, before the first
    /// forward pass, so a batch BatchNorm cannot take fails at once with the layer named. With
    /// `ranks` processes each checks every rank's share, so all of them fail alike.
    private func validateBatches(samples n: Int, batchSize bs: Int, training: Bool, ranks: Int = 1) throws {
        let last = n % bs
        for b in Set([Swift.min(bs, n), last]) where b > 0 {
            for part in Set((0..<ranks).map { DataParallel.slice(b, rank: $0, of: ranks).count }) where part > 0 {
                do { try model.validate(batch: part, training: training) } catch PerceptError.invalidArgument(let field, let msg) where ranks > 1 {
                    throw PerceptError.invalidArgument(field: field, "\(msg); a batch of \(b) split over \(ranks) processes gives one \(part) (pick a batch size whose shares are larger)")
                } catch PerceptError.invalidArgument(let field, let msg) where b == last && n > bs {
                    throw PerceptError.invalidArgument(field: field, "\(msg); the last batch holds \(last) of \(n) samples at batch size \(bs) (pick a batch size that leaves a remainder other than 1)")
                }
            }
        }
    }

    /// One data-parallel step: forward and backward of this rank's share `mine` (inputs `x`) of
    /// a global batch of `b`, its gradients scaled by share / batch so that the fused sum over
    /// ranks is the mean gradient over the whole batch. Returns the batch's mean loss and right
    /// answers (all ranks').
    private func parallelStep(_ source: BatchSource, _ mine: ArraySlice<Int>, _ x: UnsafeMutablePointer<Float>, batch b: Int, epoch: Int, step s: Int,
                              root: RandomStream, over dp: any Collective, _ exchange: GradientExchange) throws -> (Double, Int?) {
        let w = model.outputSize
        // Loss, right answers, and rank 0's learning rate (a resumed plateau schedule is rank 0's).
        var totals: [Float] = [0, 0, dp.rank == 0 ? optimizer.lr : 0]
        if mine.isEmpty {
            for (_, p) in exchange.params { p.grad.ptr.update(repeating: 0, count: p.count) }
        } else {
            let n = mine.count, share = Float(n) / Float(b)
            gatherTargets(source.targets, mine, tb.ptr)
            let out = model.forward(UnsafePointer(x), batch: n, training: true, rng: root.split(3).split(epoch).split(s).split(dp.rank))
            let l = loss.compute(output: out, targets: tb.ptr, batch: n, width: w, grad: gb.ptr)
            if case .classes(let c) = source.targets {
                for (j, i) in mine.enumerated() where predictedClass(out + j * w, width: w) == c[i] { totals[1] += 1 }
            }
            totals[0] = Float(l) * share
            for j in 0..<(n * w) { gb.ptr[j] *= share }
            model.backward(UnsafePointer(gb.ptr), batch: n)
        }
        let t0 = DispatchTime.now().uptimeNanoseconds
        try exchange.sum(&totals, over: dp)
        exchangeSeconds.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        optimizer.lr = totals[2]
        let classes: Bool = { if case .classes = source.targets { return true } else { return false } }()
        return (Double(totals[0]), classes ? Int(totals[1]) : nil)
    }

    /// Training and validation sample indices for `n` samples (seeded, fixed for the run).
    public func split(_ n: Int) -> (train: [Int], validation: [Int]) {
        let v = Int((Double(n) * options.validationSplit).rounded())
        guard v > 0 && v < n else { return (Array(0..<n), []) }
        var rng = RandomStream(seed: options.seed).split(1)
        let perm = rng.permutation(n)
        return (Array(perm[..<(n - v)]), Array(perm[(n - v)...]).sorted())
    }

    /// Trains on an in-memory tensor `[N] + inputShape`; `lengths` (valid frames per sample along
    /// `options.sequenceAxis`) masks padded sequences. See `fit(_:validation:)`.
    public func fit(_ x: Tensor, _ y: Targets, lengths: [Int]? = nil) throws -> [EpochReport] {
        try fit(source(x, y, lengths: lengths))
    }

    /// Trains until `options.epochs` epochs are done (or a callback stops it); returns this call's
    /// epochs. Validation uses `validation`, or else `options.validationSplit` of the source's
    /// samples (evaluated without augmentation).
    ///
    ///     let history = try trainer.fit(StreamingSource(...), validation: heldOut)
    public func fit(_ source: BatchSource, validation: BatchSource? = nil) throws -> [EpochReport] {
        let n = try check(source)
        if let validation { _ = try check(validation) }
        guard options.batchSize > 0 else { throw PerceptError.invalidArgument(field: "batch_size", "must be > 0") }
        let (trainIdx, valIdx) = validation == nil ? split(n) : (Array(0..<n), [])
        guard !trainIdx.isEmpty else { throw PerceptError.invalidArgument(field: "input", "no training samples") }
        let seqMask = try prepareMask(source.hasLengths || validation?.hasLengths == true)
        // Lengths left set would mask a later direct `model.forward` of the same batch size.
        defer { seqMask?.clear() }
        let bs = options.batchSize, w = model.outputSize, tw = targetWidth
        let dp = collective.flatMap { $0.size > 1 ? $0 : nil }
        try validateBatches(samples: trainIdx.count, batchSize: bs, training: true, ranks: dp?.size ?? 1)
        tb.ensure(bs * tw); gb.ensure(bs * w)
        let loader = BatchLoader(capacity: bs * model.inputSize, overlap: options.prefetch)
        defer { loader.drain() }
        let params = model.namedParameters
        let stepsPerEpoch = (trainIdx.count + bs - 1) / bs
        let root = RandomStream(seed: options.seed)
        let callbacks = activeCallbacks
        for c in callbacks { try c.fitWillStart(self) }
        // After the callbacks' start (a resumed run has loaded its checkpoint by now).
        let exchange = dp.map { _ in GradientExchange(params: params, extras: 3) }
        if let dp { try broadcastState(dp, optimizerState: true) }
        var reports: [EpochReport] = []
        var stop = false

        while epochsDone < options.epochs && !stop {
            let epoch = epochsDone
            let started = Date()
            for c in callbacks { try c.epochWillStart(epoch, self) }
            var order = trainIdx
            if options.shuffle {
                var r = root.split(0).split(epoch)
                let perm = r.permutation(trainIdx.count)
                order = perm.map { trainIdx[$0] }
            }
            var lossSum = 0.0, correct = 0, seen = 0
            // The samples this process trains on in step s: the whole batch, or its rank's share.
            let mine = { (s: Int) -> ArraySlice<Int> in
                let lo = s * bs, hi = Swift.min(lo + bs, order.count)
                guard let dp else { return order[lo..<hi] }
                let part = DataParallel.slice(hi - lo, rank: dp.rank, of: dp.size)
                return order[(lo + part.lowerBound)..<(lo + part.upperBound)]
            }
            for s in 0..<stepsPerEpoch {
                let lo = s * bs, hi = Swift.min(lo + bs, order.count), b = hi - lo
                let idx = mine(s)
                let (x, lengths) = try loader.take(source, idx, epoch: epoch)
                if s + 1 < stepsPerEpoch { loader.prefetch(source, mine(s + 1), epoch: epoch) }
                try setLengths(lengths, of: idx, on: seqMask)
                let lr = schedule?.learningRate(base: optimizer.baseLR, epoch: epoch, globalStep: optimizer.step) ?? optimizer.baseLR
                optimizer.lr = lr
                var l: Double
                var stepCorrect: Int?
                if let dp, let exchange {
                    (l, stepCorrect) = try parallelStep(source, idx, x, batch: b, epoch: epoch, step: s, root: root, over: dp, exchange)
                    for c in callbacks { try c.lossComputed(l, epoch: epoch, step: s, self) }
                } else {
                    gatherTargets(source.targets, idx, tb.ptr)
                    let out = model.forward(UnsafePointer(x), batch: b, training: true, rng: root.split(3).split(epoch).split(s))
                    l = loss.compute(output: out, targets: tb.ptr, batch: b, width: w, grad: gb.ptr)
                    for c in callbacks { try c.lossComputed(l, epoch: epoch, step: s, self) }
                    if case .classes(let c) = source.targets {
                        var k = 0
                        for (j, i) in idx.enumerated() where predictedClass(out + j * w, width: w) == c[i] { k += 1 }
                        stepCorrect = k
                    }
                    model.backward(UnsafePointer(gb.ptr), batch: b)
                }
                correct += stepCorrect ?? 0
                lossSum += l * Double(b); seen += b
                if let c = options.clipNorm { clipGradientNorm(params, maxNorm: c) }
                optimizer.update(params)
                var r = StepReport(epoch: epoch, step: s, stepsPerEpoch: stepsPerEpoch, loss: l, learningRate: lr)
                r.samples = b; r.correct = stepCorrect
                for c in callbacks { try c.stepDidEnd(r, self) }
            }
            let trainLoss = lossSum / Double(seen)
            let trainAcc: Double? = { if case .classes = source.targets { return Double(correct) / Double(seen) } else { return nil } }()
            // Every rank continues from rank 0's weights and BatchNorm statistics (sums agree on
            // every rank in practice; this makes it certain, for one copy per epoch).
            if let dp { try broadcastState(dp, optimizerState: false) }
            let evaluation: Evaluation?
            if let validation {
                evaluation = try evaluate(validation, indices: Array(0..<validation.count), mask: seqMask, over: dp)
            } else {
                evaluation = valIdx.isEmpty ? nil : try evaluate(source, indices: valIdx, mask: seqMask, over: dp)
            }
            var report = EpochReport(epoch: epoch, trainLoss: trainLoss, trainAccuracy: trainAcc, validation: evaluation,
                                     learningRate: optimizer.lr, seconds: 0, stopped: false)
            schedule?.observe(report.metric(evaluation != nil ? "val_loss" : "loss") ?? trainLoss)
            epochsDone = epoch + 1
            report.seconds = Date().timeIntervalSince(started)
            for c in callbacks { try c.epochDidEnd(&report, self) }
            if let dp {   // rank 0's early stopping decides for all
                var flag: [Float] = [report.stopped ? 1 : 0]
                try dp.broadcast(&flag, count: 1)
                report.stopped = flag[0] != 0
            }
            stop = report.stopped
            reports.append(report)
            history.append(report)
        }
        return reports
    }

    /// Mean loss and metrics over all samples, in batches, without dropout; `lengths` as for `fit`.
    public func evaluate(_ x: Tensor, _ y: Targets, lengths: [Int]? = nil) throws -> Evaluation {
        try evaluate(source(x, y, lengths: lengths))
    }

    /// Mean loss and metrics over every sample of a source (no augmentation, no dropout).
    public func evaluate(_ source: BatchSource) throws -> Evaluation {
        let n = try check(source)
        let m = try prepareMask(source.hasLengths)
        defer { m?.clear() }
        return try evaluate(source, indices: Array(0..<n), mask: m)
    }

    /// `evaluate`, plus each sample's predicted class in source order (argmax, or the sign of a
    /// single output): the run report's misclassified samples come from the same pass as its metrics.
    ///
    ///     let (test, predicted) = try trainer.evaluateWithPredictions(testSource)
    public func evaluateWithPredictions(_ source: BatchSource) throws -> (Evaluation, [Int]) {
        let n = try check(source)
        let m = try prepareMask(source.hasLengths)
        defer { m?.clear() }
        var predicted = [Int](repeating: 0, count: n)
        let e = try evaluate(source, indices: Array(0..<n), mask: m) { i, out in predicted[i] = predictedClass(out, width: self.model.outputSize) }
        return (e, predicted)
    }

    /// The model's outputs `[N] + outputShape` in batches of `options.evalBatchSize`; with `lengths`
    /// every batch (the last partial one too) runs masked.
    ///
    ///     let logits = try trainer.predict(padded, lengths: [40, 17, 33])
    public func predict(_ x: Tensor, lengths: [Int]? = nil) throws -> Tensor {
        let n = try model.checkInput(x)
        if let lengths {
            guard lengths.count == n else { throw PerceptError.invalidArgument(field: "lengths", "\(lengths.count) lengths for \(n) samples") }
            try checkLengths(lengths, indices: 0..<n)
        }
        let m = try prepareMask(lengths != nil)
        defer { m?.clear() }
        let bs = Swift.max(1, options.evalBatchSize)
        try validateBatches(samples: n, batchSize: bs, training: false)
        return try model.predict(x, batchSize: bs) { r in
            if let m, let lengths { try m.set(lengths: r.map { lengths[$0] }, batch: r.count) }
        }
    }

    /// `evaluate` of this rank's share of `indices`, summed over the ranks (all of them when `dp` is nil).
    private func evaluate(_ source: BatchSource, indices: [Int], mask: SequenceMask?, over dp: (any Collective)?) throws -> Evaluation {
        guard let dp else { return try evaluate(source, indices: indices, mask: mask) }
        let part = DataParallel.slice(indices.count, rank: dp.rank, of: dp.size)
        return try combine(evaluate(source, indices: Array(indices[part]), mask: mask), over: dp)
    }

    private func evaluate(_ source: BatchSource, indices: [Int], mask: SequenceMask?,
                          observe: ((Int, UnsafePointer<Float>) -> Void)? = nil) throws -> Evaluation {
        let bs = Swift.max(1, options.evalBatchSize), w = model.outputSize, tw = targetWidth
        try validateBatches(samples: indices.count, batchSize: bs, training: false)
        let xe = FloatBuffer(count: bs * model.inputSize), te = FloatBuffer(count: bs * tw)
        var total = 0.0
        var confusion: [[Int]]? = nil
        if case .classes = source.targets { let k = w == 1 ? 2 : w; confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k) }
        var lo = 0
        while lo < indices.count {
            let hi = Swift.min(lo + bs, indices.count), b = hi - lo
            let idx = indices[lo..<hi]
            try load(source, idx, epoch: nil, into: xe.ptr, mask: mask)
            gatherTargets(source.targets, idx, te.ptr)
            let out = model.forward(UnsafePointer(xe.ptr), batch: b, training: false, rng: RandomStream(seed: options.seed))
            total += loss.compute(output: out, targets: te.ptr, batch: b, width: w, grad: nil) * Double(b)
            if let observe { for (j, i) in idx.enumerated() { observe(i, out + j * w) } }
            if case .classes(let c) = source.targets {
                for (j, i) in idx.enumerated() { confusion?[c[i]][predictedClass(out + j * w, width: w)] += 1 }
            }
            lo = hi
        }
        return Evaluation(loss: total / Double(Swift.max(indices.count, 1)), samples: indices.count,
                          classification: confusion.map { ClassificationMetrics(confusion: $0) })
    }
}
