import Foundation
import PerceptCore

/// Everything besides tensors that a resumed run needs to continue exactly: completed epochs,
/// the seed, the schedule's state and each stateful callback's state (by its `stateKey`).
/// Saved as JSON in the checkpoint's `trainer` metadata.
///
///     let state = try JSONDecoder().decode(TrainerState.self, from: Data(json.utf8))
public struct TrainerState: Codable, Equatable, Sendable {
    public var epochsDone: Int
    /// Text, since JSON numbers cannot hold every UInt64.
    public var seed: String
    public var schedule: String?
    public var callbacks: [String: Value]

    public init(epochsDone: Int, seed: String, schedule: String?, callbacks: [String: Value]) {
        self.epochsDone = epochsDone; self.seed = seed; self.schedule = schedule; self.callbacks = callbacks
    }

    enum CodingKeys: String, CodingKey {
        case epochsDone = "epochs_done", seed, schedule, callbacks
    }
}

extension Trainer {
    /// The trainer's state as saved in checkpoints.
    public var state: TrainerState { savedState().state }

    /// The state and the callbacks' tensors, each callback asked once.
    private func savedState() -> (state: TrainerState, tensors: [(String, Tensor)]) {
        var values: [String: Value] = [:], tensors: [(String, Tensor)] = []
        for c in activeCallbacks {
            guard let k = c.stateKey else { continue }
            let (v, t) = c.savedState(self)
            values[k] = v; tensors += t
        }
        return (TrainerState(epochsDone: epochsDone, seed: String(options.seed), schedule: schedule?.stateText, callbacks: values), tensors)
    }

    /// Saves weights, buffers (BatchNorm running statistics), architecture, optimizer state,
    /// the schedule's state and every callback's state (safetensors, written atomically).
    public func saveCheckpoint(to path: String, metadata extra: [String: String] = [:]) throws {
        let params = model.namedParameters
        var tensors = Checkpoint.stateTensors(model)
        tensors += optimizer.stateTensors(params).map { ("optimizer.\($0.0)", $0.1) }
        let saved = savedState()
        tensors += saved.tensors
        var meta = Checkpoint.modelMetadata(model)
        meta["optimizer"] = Checkpoint.json(["type": type(of: optimizer).name, "values": optimizer.values.mapValues(\.jsonObject), "step": optimizer.step])
        meta["loss"] = Checkpoint.json(["type": type(of: loss).name, "values": loss.values.mapValues(\.jsonObject)])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        meta["trainer"] = String(decoding: try encoder.encode(saved.state), as: UTF8.self)
        meta.merge(extra) { mine, _ in mine }
        try SafeTensors.write(tensors, metadata: meta, to: path)
    }

    /// Restores everything `saveCheckpoint` wrote; the model must have the same architecture and
    /// the trainer the same kind of optimizer.
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
        guard let tjson = file.metadata["trainer"],
              let t = try? JSONDecoder().decode(TrainerState.self, from: Data(tjson.utf8)) else {
            throw PerceptError.badInput(file: path, "no trainer state in the checkpoint metadata")
        }
        epochsDone = t.epochsDone
        if let s = t.schedule { try schedule?.loadState(s) }
        for c in activeCallbacks {
            guard let k = c.stateKey else { continue }
            try c.restore(t.callbacks[k] ?? nil, tensors: file.tensors, self)
        }
    }
}
