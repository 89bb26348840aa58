import Foundation
import PerceptCore
import PerceptNN

/// `[1, 28, 28]`.
func dimsText(_ s: [Int]) -> String { "[" + s.map(String.init).joined(separator: ", ") + "]" }

/// Training progress for `percept run`: on a terminal one live line per model (epoch, batch,
/// loss, accuracy, samples/s, ETA) redrawn in place, then a line per finished epoch; elsewhere
/// only the epoch lines; with `quiet` nothing.
final class RunProgress: TrainingCallback {
    let model: String, trainCount: Int, live: Bool, quiet: Bool
    let log: (String) -> Void
    private var epochStart = Date(), lastDraw = Date.distantPast
    private var seen = 0, correct = 0, lossSum = 0.0, hasAccuracy = false

    init(model: String, trainCount: Int, live: Bool, quiet: Bool, log: @escaping (String) -> Void) {
        self.model = model; self.trainCount = trainCount; self.live = live; self.quiet = quiet; self.log = log
    }

    func epochWillStart(_ epoch: Int, _ trainer: Trainer) throws {
        epochStart = Date(); seen = 0; correct = 0; lossSum = 0; hasAccuracy = false
    }

    func stepDidEnd(_ r: StepReport, _ trainer: Trainer) throws {
        seen += r.samples; lossSum += r.loss * Double(r.samples)
        if let c = r.correct { correct += c; hasAccuracy = true }
        guard live, !quiet else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.2 || r.step + 1 == r.stepsPerEpoch else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(epochStart), 1e-9)
        let rate = Double(seen) / elapsed
        let epochsLeft = Double(trainer.options.epochs - r.epoch - 1)
        let eta = (Double(trainCount - seen) + epochsLeft * Double(trainCount)) / max(rate, 1e-9)
        var parts = ["\(model)  epoch \(r.epoch + 1)/\(trainer.options.epochs)", "batch \(r.step + 1)/\(r.stepsPerEpoch)",
                     "loss " + String(format: "%.4f", lossSum / Double(max(seen, 1)))]
        if hasAccuracy { parts.append("acc " + String(format: "%.2f%%", 100 * Double(correct) / Double(max(seen, 1)))) }
        parts.append("\(Int(rate)) samples/s")
        parts.append("ETA \(RunProgress.clock(eta))")
        log("\r" + parts.joined(separator: "  ") + "\u{1B}[K")
    }

    func epochDidEnd(_ r: inout EpochReport, _ trainer: Trainer) throws {
        guard !quiet else { return }
        var parts = ["\(model)  epoch \(r.epoch + 1)/\(trainer.options.epochs)", "loss " + String(format: "%.4f", r.trainLoss)]
        if let a = r.trainAccuracy { parts.append("acc " + String(format: "%.2f%%", 100 * a)) }
        if let v = r.validation {
            parts.append("val_loss " + String(format: "%.4f", v.loss))
            if let a = v.accuracy { parts.append("val_acc " + String(format: "%.2f%%", 100 * a)) }
        }
        parts.append(String(format: "%.1f s", r.seconds))
        if r.stopped { parts.append("(early stop)") }
        log((live ? "\r\u{1B}[K" : "") + parts.joined(separator: "  ") + "\n")
    }

    /// `1:02:03` or `4:05`.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}

/// Text tables for `percept run`: the dry-run plan (chain and layer shapes, parameter counts,
/// as Keras's `model.summary()`) and the final results.
public enum RunTables {
    /// Columns padded to their widest cell; numbers right-aligned.
    static func table(_ header: [String], _ rows: [[String]], rightAligned: Set<Int> = []) -> String {
        let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, t in
                let pad = String(repeating: " ", count: widths[c] - t.count)
                return rightAligned.contains(c) ? pad + t : t + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    static func grouped(_ n: Int) -> String {
        let s = String(n)
        var out = ""
        for (i, ch) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return out
    }

    /// The plan of every model: data splits, the chain's shapes stage by stage, the layers.
    public static func plan(_ plans: [ModelPlan], spec: PipelineSpec) -> String {
        var out = "pipeline \(spec.name) (seed \(spec.seed)) -> \(spec.output)\n"
        for p in plans {
            let ds = p.dataset
            out += "\nmodel \(p.spec.name): data \(ds.spec.name) (\(ds.spec.kind.rawValue), \(ds.classes.count) classes: \(ds.train.count) train, \(ds.validation.count) validation, \(ds.test.count) test)\n"
            out += "features \(p.spec.features.isEmpty ? "(none)" : p.spec.features)\(p.spec.augment ? "" : " (augment: false)"):\n"
            let chainRows = p.stageShapes.enumerated().map { k, s -> [String] in
                let random: Bool = k > 0 && { if case .sample = p.features.chain.steps[k - 1] { return true } else { return false } }()
                return [k == 0 ? "" : String(k - 1), s.name, s.shape.kind.rawValue, dimsText(s.shape.dims), random ? "random (training only)" : (k > 0 && k - 1 < p.features.prefixEnd ? "cached" : "")]
            }
            out += indent(table(["#", "stage", "kind", "output shape", ""], chainRows))
            out += "layers:\n"
            var rows: [[String]] = []
            for (i, layer) in p.model.layers.enumerated() {
                let n = layer.weights.reduce(0) { $0 + $1.count }
                rows.append([String(i), type(of: layer).name, dimsText(p.model.shapes[i + 1]), grouped(n)])
            }
            out += indent(table(["#", "layer", "output shape", "params"], rows, rightAligned: [3]))
            out += "  total params: \(grouped(p.model.parameterCount))\n"
            let t = p.spec.train
            out += "  train: \(t.lossName), \(t.optimizerName) \(t.optimizerOptions.keys.sorted().map { "\($0)=\(t.optimizerOptions[$0]!)" }.joined(separator: " ")), batch \(t.batchSize), \(t.epochs) epochs\n"
        }
        return out
    }

    /// One row per model: accuracy, macro-F1, loss, epochs, parameters, training time.
    public static func results(_ results: [(name: String, result: ModelResult)]) -> String {
        let rows = results.map { n, r -> [String] in
            [n, r.testAccuracy.map { String(format: "%.2f%%", 100 * $0) } ?? "-", r.macroF1.map { String(format: "%.4f", $0) } ?? "-",
             r.testLoss.map { String(format: "%.4f", $0) } ?? "-", String(r.epochs), grouped(r.params), String(format: "%.1f", r.trainSeconds)]
        }
        return table(["model", "test accuracy", "macro-F1", "test loss", "epochs", "params", "train s"], rows, rightAligned: [1, 2, 3, 4, 5, 6])
    }

    static func indent(_ s: String) -> String { s.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "  " + $0 }.joined(separator: "\n") }
}
