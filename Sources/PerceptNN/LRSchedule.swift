import Foundation
import PerceptCore

/// Learning-rate schedule per epoch (step, exponential, cosine, reduce-on-plateau) with an optional
/// linear warm-up over the first optimizer steps (PyTorch `lr_scheduler` formulas).
///
///     var s = try LRSchedule(["kind": "cosine", "t_max": 10])
public struct LRSchedule: Sendable, Equatable, Component {
    public static let name = "schedule", summary = "learning rate per epoch, with optional warm-up"
    public enum Kind: String, CaseIterable, Sendable { case constant, step, exponential, cosine, plateau }

    public static let parameters: [ParameterSpec] = [
        ParameterSpec("kind", .choice, default: "constant", choices: Kind.allCases.map(\.rawValue), doc: "schedule shape"),
        ParameterSpec("step_size", .int, default: "10", doc: "epochs between decays", requires: .value("kind", in: ["step"])),
        ParameterSpec("gamma", .float, default: "0.1", doc: "decay factor", requires: .value("kind", in: ["step", "exponential"])),
        ParameterSpec("t_max", .int, default: "10", doc: "epochs of one half cosine", requires: .value("kind", in: ["cosine"])),
        ParameterSpec("eta_min", .float, default: "0", doc: "final learning rate", requires: .value("kind", in: ["cosine"])),
        ParameterSpec("warmup_steps", .int, default: "0", doc: "linear warm-up length in optimizer steps"),
        ParameterSpec("warmup_start_factor", .float, default: "0.1", doc: "warm-up starts at this fraction of the rate",
                      requires: "warmup_steps"),
        ParameterSpec("factor", .float, default: "0.1", doc: "multiply the rate by this on a plateau", requires: .value("kind", in: ["plateau"])),
        ParameterSpec("patience", .int, default: "10", doc: "epochs without improvement before reducing",
                      requires: .value("kind", in: ["plateau"])),
        ParameterSpec("threshold", .float, default: "1e-4", doc: "relative improvement that counts", requires: .value("kind", in: ["plateau"])),
        ParameterSpec("min_lr", .float, default: "0", doc: "lower bound of the rate", requires: .value("kind", in: ["plateau"])),
        ParameterSpec("mode", .choice, default: "min", choices: ["min", "max"], doc: "whether the monitored metric should fall or rise",
                      requires: .value("kind", in: ["plateau"])),
    ]

    public let kind: Kind
    let stepSize: Int, gamma: Float, tMax: Int, etaMin: Float
    let warmupSteps: Int, warmupStart: Float
    let factor: Float, patience: Int, threshold: Double, minLR: Float, maximize: Bool
    /// Plateau state: best metric so far, epochs since it, and the accumulated scale.
    public internal(set) var best: Double?
    public internal(set) var badEpochs = 0
    public internal(set) var scale: Float = 1

    public init(_ params: Parameters) throws {
        kind = Kind(rawValue: params.optionalString("kind") ?? "constant") ?? .constant
        stepSize = try params.int("step_size")
        gamma = try params.float("gamma")
        tMax = try params.int("t_max")
        etaMin = try params.float("eta_min")
        warmupSteps = try params.int("warmup_steps")
        warmupStart = try params.float("warmup_start_factor")
        factor = try params.float("factor")
        patience = try params.int("patience")
        threshold = Double(try params.float("threshold"))
        minLR = try params.float("min_lr")
        maximize = try params.string("mode") == "max"
        guard stepSize > 0 else { throw params.invalid("step_size", "must be > 0") }
        guard tMax > 0 else { throw params.invalid("t_max", "must be > 0") }
        guard warmupSteps >= 0 else { throw params.invalid("warmup_steps", "must be ≥ 0") }
        guard gamma > 0 else { throw params.invalid("gamma", "must be > 0") }
        guard factor > 0 && factor < 1 else { throw params.invalid("factor", "must be in (0, 1)") }
        guard patience >= 0 else { throw params.invalid("patience", "must be ≥ 0") }
    }

    /// Convenience: a schedule from option values, e.g. `["kind": "step", "step_size": 2]`.
    public init(_ values: [String: Value]) throws {
        try self.init(Parameters(owner: "schedule", specs: LRSchedule.parameters, values: values))
    }

    /// The rate for a step in `epoch` (0-based) after `globalStep` optimizer steps.
    public func learningRate(base: Float, epoch: Int, globalStep: Int) -> Float {
        var lr: Float
        switch kind {
        case .constant: lr = base
        case .step: lr = base * Float(pow(Double(gamma), Double(epoch / stepSize)))
        case .exponential: lr = base * Float(pow(Double(gamma), Double(epoch)))
        case .cosine:
            let t = Double(Swift.min(epoch, tMax)) / Double(tMax)
            lr = etaMin + (base - etaMin) * Float((1 + cos(Double.pi * t)) / 2)
        case .plateau: lr = Swift.max(base * scale, minLR)
        }
        if warmupSteps > 0 && globalStep < warmupSteps {
            lr *= warmupStart + (1 - warmupStart) * Float(globalStep) / Float(warmupSteps)
        }
        return lr
    }

    /// Feeds the epoch's monitored metric (plateau only): reduces the rate after `patience` epochs
    /// without a relative improvement of `threshold`.
    public mutating func observe(_ metric: Double) {
        guard kind == .plateau else { return }
        let improved: Bool
        if let b = best {
            improved = maximize ? metric > b * (1 + threshold) : metric < b * (1 - threshold)
        } else {
            improved = true
        }
        if improved { best = metric; badEpochs = 0 } else { badEpochs += 1 }
        if badEpochs > patience { scale *= factor; badEpochs = 0 }
    }

    /// Plateau state as text for checkpoints (exact: floats written as bit patterns).
    var stateText: String { "\(best.map { String($0.bitPattern) } ?? "none") \(badEpochs) \(scale.bitPattern)" }

    mutating func loadState(_ text: String) throws {
        let parts = text.split(separator: " ").map(String.init)
        guard parts.count == 3, let bad = Int(parts[1]), let sc = UInt32(parts[2]) else {
            throw PerceptError.invalidArgument(field: "schedule", "unreadable schedule state '\(text)'")
        }
        best = UInt64(parts[0]).map { Double(bitPattern: $0) }
        badEpochs = bad
        scale = Float(bitPattern: sc)
    }
}

/// Every learning-rate schedule by name.
///
///     let s = try ScheduleRegistry.make("schedule", ["kind": "cosine", "t_max": 10])
public enum ScheduleRegistry {
    public static let shared: Registry<LRSchedule> = {
        let r = Registry<LRSchedule>(kind: "schedule")
        r.register(LRSchedule.self) { try LRSchedule($0) }
        return r
    }()

    public static func make(_ name: String, _ values: [String: Value] = [:], path: String? = nil, origin: Origin = .code) throws -> LRSchedule {
        try shared.make(name, values, path: path, origin: origin)
    }
}
