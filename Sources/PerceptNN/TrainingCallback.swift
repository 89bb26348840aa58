import Foundation
import PerceptCore

/// Something that runs alongside `Trainer.fit` — early stopping, checkpointing, the NaN guard,
/// logging, progress — at fixed points of the step loop. Callbacks run in the order of
/// `Trainer.callbacks`; each may keep state, which checkpoints save and a resumed run restores, so
/// a resumed run continues exactly as an uninterrupted one.
///
///     trainer.callbacks.append(ProgressLogger { print($0) })
public protocol TrainingCallback: AnyObject {
    /// Before the first epoch of a `fit` call.
    func fitWillStart(_ trainer: Trainer) throws
    /// Before each epoch's first step.
    func epochWillStart(_ epoch: Int, _ trainer: Trainer) throws
    /// After a step's loss is computed, before its backward pass and update; throwing stops training.
    func lossComputed(_ loss: Double, epoch: Int, step: Int, _ trainer: Trainer) throws
    /// After each optimizer update.
    func stepDidEnd(_ report: StepReport, _ trainer: Trainer) throws
    /// After each epoch's metrics; set `report.stopped` to end training after this epoch (later
    /// callbacks see the final report).
    func epochDidEnd(_ report: inout EpochReport, _ trainer: Trainer) throws
    /// The key of this callback's state in checkpoints, or nil when it has none.
    var stateKey: String? { get }
    /// State to save: a value (JSON) and named tensors.
    func savedState(_ trainer: Trainer) -> (Value, [(String, Tensor)])
    /// Restores what `savedState` returned (`tensors` holds every tensor of the checkpoint).
    func restore(_ state: Value, tensors: [String: Tensor], _ trainer: Trainer) throws
}

extension TrainingCallback {
    public func fitWillStart(_ trainer: Trainer) throws {}
    public func epochWillStart(_ epoch: Int, _ trainer: Trainer) throws {}
    public func lossComputed(_ loss: Double, epoch: Int, step: Int, _ trainer: Trainer) throws {}
    public func stepDidEnd(_ report: StepReport, _ trainer: Trainer) throws {}
    public func epochDidEnd(_ report: inout EpochReport, _ trainer: Trainer) throws {}
    public var stateKey: String? { nil }
    public func savedState(_ trainer: Trainer) -> (Value, [(String, Tensor)]) { (nil, []) }
    public func restore(_ state: Value, tensors: [String: Tensor], _ trainer: Trainer) throws {}
}

/// Early stopping on a monitored metric (`val_loss`, `val_accuracy`, `val_f1`, or the training
/// `loss` / `accuracy`): stops after `patience` epochs without an improvement of `minDelta`, and
/// optionally puts back the best epoch's weights (Keras `EarlyStopping`).
///
///     var o = TrainingOptions(); o.earlyStopping = EarlyStopping(monitor: "val_accuracy", patience: 3)
public final class EarlyStopping: TrainingCallback, @unchecked Sendable {
    public let monitor: String
    public let patience: Int
    public let minDelta: Double
    public let restoreBest: Bool
    /// Best value so far, epochs since it, and the weights of that epoch.
    public private(set) var best: Double?
    public private(set) var badEpochs = 0
    private var bestWeights: [[Float]]?

    public init(monitor: String = "val_loss", patience: Int = 5, minDelta: Double = 0, restoreBest: Bool = true) {
        self.monitor = monitor; self.patience = patience; self.minDelta = minDelta; self.restoreBest = restoreBest
    }

    var maximize: Bool { !monitor.hasSuffix("loss") }

    public func epochDidEnd(_ report: inout EpochReport, _ trainer: Trainer) throws {
        guard let m = report.metric(monitor) else {
            throw PerceptError.invalidArgument(field: "early_stopping.monitor", "'\(monitor)' is not available (use val_loss, val_accuracy, val_f1, loss or accuracy; val_* needs a validation split)")
        }
        let better = best.map { maximize ? m > $0 + minDelta : m < $0 - minDelta } ?? true
        if better {
            best = m; badEpochs = 0
            if restoreBest { bestWeights = trainer.model.snapshot() }
        } else {
            badEpochs += 1
            if badEpochs >= patience {
                report.stopped = true
                if restoreBest, let bw = bestWeights { trainer.model.restore(bw) }
            }
        }
    }

    public var stateKey: String? { "early_stopping" }

    public func savedState(_ trainer: Trainer) -> (Value, [(String, Tensor)]) {
        var v: [Value.Entry] = [.init("bad_epochs", .of(badEpochs))]
        if let best { v.append(.init("best_bits", .of(String(best.bitPattern)))) }   // bits: a resumed run compares exactly
        let state = trainer.model.namedState
        let tensors = bestWeights.map { w in zip(state, w).map { ("best.\($0.name)", Tensor(unchecked: $0.param.shape, data: $1)) } } ?? []
        return (Value(.map(v)), tensors)
    }

    public func restore(_ state: Value, tensors: [String: Tensor], _ trainer: Trainer) throws {
        badEpochs = state["bad_epochs"].flatMap(Parameters.int) ?? 0
        best = state["best_bits"]?.scalarText.flatMap(UInt64.init).map { Double(bitPattern: $0) }
        let names = trainer.model.namedState.map(\.name)
        let weights = names.compactMap { tensors["best.\($0)"]?.storage }
        bestWeights = weights.count == names.count && !weights.isEmpty ? weights : nil
    }
}

/// Writes the trainer's checkpoint (atomically) after every completed epoch (Keras `ModelCheckpoint`).
///
///     trainer.callbacks.append(ModelCheckpoint(path: "runs/x/model.safetensors"))
public final class ModelCheckpoint: TrainingCallback {
    public let path: String
    public init(path: String) { self.path = path }
    public func epochDidEnd(_ report: inout EpochReport, _ trainer: Trainer) throws { try trainer.saveCheckpoint(to: path) }
}

/// Stops training with a clear error when a step's loss is NaN or infinite, after putting the
/// model and optimizer back to the start of the epoch (a diverged state is never checkpointed).
/// Always part of the trainer's callbacks.
public final class NaNGuard: TrainingCallback {
    private var goodWeights: [[Float]] = []
    private var goodOptimizer: [(String, Tensor)] = []
    private var goodStep = 0

    public init() {}

    public func epochWillStart(_ epoch: Int, _ trainer: Trainer) throws {
        goodWeights = trainer.model.snapshot()
        goodOptimizer = trainer.optimizer.stateTensors(trainer.model.namedParameters)
        goodStep = trainer.optimizer.step
    }

    public func lossComputed(_ loss: Double, epoch: Int, step: Int, _ trainer: Trainer) throws {
        guard !loss.isFinite else { return }
        trainer.model.restore(goodWeights)
        try trainer.optimizer.loadState(Dictionary(goodOptimizer, uniquingKeysWith: { a, _ in a }), step: goodStep,
                                        params: trainer.model.namedParameters)
        let kept = trainer.options.checkpointPath.map { "; the last good checkpoint is \($0)" } ?? ""
        throw PerceptError.runtime("training stopped at epoch \(epoch + 1), step \(step + 1): the loss is \(loss.isNaN ? "NaN" : "infinite") (try a lower learning rate or gradient clipping); the model was reset to the end of epoch \(epoch)\(kept)")
    }
}

/// Progress for people: one line per epoch (epoch, loss, accuracy, validation, learning rate,
/// time), and on a terminal a line redrawn in place during the epoch with the step and samples/s.
///
///     trainer.callbacks.append(ProgressLogger(live: isatty(2) == 1) { FileHandle.standardError.write(Data($0.utf8)) })
public final class ProgressLogger: TrainingCallback {
    let write: (String) -> Void
    let live: Bool
    let prefix: String
    private var epochStart = Date()
    private var lastDraw = Date.distantPast

    /// `write` receives complete text (lines end in "\n"; live redraws start with "\r").
    public init(prefix: String = "", live: Bool = false, write: @escaping (String) -> Void) {
        self.prefix = prefix; self.live = live; self.write = write
    }

    public func epochWillStart(_ epoch: Int, _ trainer: Trainer) throws { epochStart = Date() }

    public func stepDidEnd(_ r: StepReport, _ trainer: Trainer) throws {
        guard live else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 || r.step + 1 == r.stepsPerEpoch else { return }
        lastDraw = now
        let rate = Double((r.step + 1) * trainer.options.batchSize) / Swift.max(now.timeIntervalSince(epochStart), 1e-9)
        write("\r\(prefix)epoch \(r.epoch + 1)/\(trainer.options.epochs)  step \(r.step + 1)/\(r.stepsPerEpoch)  loss \(ProgressLogger.num(r.loss))  \(Int(rate)) samples/s\u{1B}[K")
    }

    public func epochDidEnd(_ r: inout EpochReport, _ trainer: Trainer) throws {
        write((live ? "\r\u{1B}[K" : "") + ProgressLogger.line(r, epochs: trainer.options.epochs, prefix: prefix) + "\n")
    }

    /// `epoch 3/10  loss 0.1234  accuracy 0.9650  val_loss 0.1500  val_accuracy 0.9600  lr 0.001  2.1 s`
    public static func line(_ r: EpochReport, epochs: Int, prefix: String = "") -> String {
        var parts = ["\(prefix)epoch \(r.epoch + 1)/\(epochs)", "loss \(num(r.trainLoss))"]
        if let a = r.trainAccuracy { parts.append("accuracy \(num(a))") }
        if let v = r.validation {
            parts.append("val_loss \(num(v.loss))")
            if let a = v.accuracy { parts.append("val_accuracy \(num(a))") }
        }
        parts.append("lr \(r.learningRate)")
        parts.append(String(format: "%.1f s", r.seconds))
        if r.stopped { parts.append("(early stop)") }
        return parts.joined(separator: "  ")
    }

    static func num(_ x: Double) -> String { String(format: "%.4f", x) }
}

/// Runs closures after every step and epoch (what `Trainer.onStep` / `onEpoch` hold).
final class ClosureCallback: TrainingCallback {
    let step: (StepReport) -> Void
    let epoch: (EpochReport) -> Void
    init(step: @escaping (StepReport) -> Void, epoch: @escaping (EpochReport) -> Void) { self.step = step; self.epoch = epoch }
    func stepDidEnd(_ report: StepReport, _ trainer: Trainer) throws { step(report) }
    func epochDidEnd(_ report: inout EpochReport, _ trainer: Trainer) throws { epoch(report) }
}
