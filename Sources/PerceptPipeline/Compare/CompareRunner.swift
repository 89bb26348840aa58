import Foundation
import PerceptCore
import PerceptIO
import PerceptNN

/// One contender's line of the comparison: how its model did, and how good its feature spaces
/// are under the same linear probe and k-NN.
public struct CompareRow: Sendable {
    public let contender: String
    public let features: String
    public let testAccuracy: Double
    /// Half-width of the 95 % confidence interval of the test accuracy (normal approximation, n = test samples).
    public let ci95: Double
    public let macroF1: Double
    public let featureDimension: Int
    public let params: Int
    public let trainSeconds: Double
    public let inferencePerSecond: Double
    /// Probes of the chain's output (what the model is fed).
    public let inputProbe: FeatureProbe.Result
    /// Probes of the penultimate layer's activations (learned features), when the model has hidden layers.
    public let learnedProbe: FeatureProbe.Result?
    public let learnedDimension: Int?
}

/// `percept compare FILE`: trains every model of a pipeline file on the same data split and seed
/// (they are the contenders), then probes each feature space the same way — the chain's output
/// (hand-engineered features, or raw pixels) and each network's penultimate activations — so
/// "feature quality" is compared apart from "classifier capacity". Writes `compare.md` and
/// `compare.csv` beside the run folder's usual outputs.
///
///     let rows = try CompareRunner(spec: try PipelineSpec.load("Pipelines/compare-mnist.yaml"), options: RunOptions(), log: { print($0) }).run()
public final class CompareRunner {
    public let spec: PipelineSpec
    public let options: RunOptions
    let log: (String) -> Void
    public var probe = FeatureProbe()

    public init(spec: PipelineSpec, options: RunOptions, log: @escaping (String) -> Void) {
        self.spec = spec; self.options = options; self.log = log
        probe.seed = spec.seed
    }

    /// Every contender must use one data set: the point is the same split.
    func checkSameData() throws {
        guard let first = spec.models.first else { return }
        for m in spec.models.dropFirst() where m.data != first.data {
            throw PerceptError.invalidArgument(field: "\(m.path).data" + m.dataOrigin.suffix,
                                               "compare trains every contender on the same data; '\(m.name)' uses '\(m.data)', '\(first.name)' uses '\(first.data)'")
        }
    }

    public func run() throws -> [CompareRow] {
        try checkSameData()
        let runner = PipelineRunner(spec: spec, options: options, log: log)
        let results = Dictionary(try runner.run().map { ($0.name, $0.result) }, uniquingKeysWith: { a, _ in a })
        var rows: [CompareRow] = []
        var inputProbes: [String: (FeatureProbe.Result, Int)] = [:]   // by chain: contenders sharing a chain share its probe
        for p in runner.trainedPlans {
            guard let r = results[p.spec.name] else { continue }
            let ds = p.dataset
            let split = (train: ds.train, validation: ds.validation, test: ds.test)
            let x = (train: try runner.inputs(p, split.train), validation: try runner.inputs(p, split.validation), test: try runner.inputs(p, split.test))
            let labels = (train: split.train.map(\.label), validation: split.validation.map(\.label), test: split.test.map(\.label))
            let chain = p.spec.features.isEmpty ? "none" : p.spec.features
            let input: (FeatureProbe.Result, Int)
            if let known = inputProbes[chain] {
                input = known
            } else {
                if !options.quiet { log("compare: probing the features of chain '\(chain)' (\(p.model.inputSize) values per sample)\n") }
                let s = FeatureSpace(name: chain, train: Self.rows(x.train), trainLabels: labels.train, validation: Self.rows(x.validation),
                                     validationLabels: labels.validation, test: Self.rows(x.test), testLabels: labels.test, classes: ds.classes.count)
                input = (try probe.run(s), s.dimension)
                inputProbes[chain] = input
            }
            var learned: FeatureProbe.Result?
            var learnedDim: Int?
            if let cut = Self.penultimate(p.model) {
                if !options.quiet { log("compare: probing \(p.spec.name)'s learned features (layer \(LayerNames.of(p.model)[cut]), \(Tensor.count(of: p.model.shapes[cut + 1])) values)\n") }
                let s = FeatureSpace(name: "\(p.spec.name) learned", train: try Self.activations(p.model, upTo: cut, x.train), trainLabels: labels.train,
                                     validation: try Self.activations(p.model, upTo: cut, x.validation), validationLabels: labels.validation,
                                     test: try Self.activations(p.model, upTo: cut, x.test), testLabels: labels.test, classes: ds.classes.count)
                learned = try probe.run(s)
                learnedDim = s.dimension
            }
            let started = Date()
            _ = try p.model.predict(x.test, batchSize: 256)
            let perSecond = Double(split.test.count) / Swift.max(Date().timeIntervalSince(started), 1e-9)
            let acc = r.testAccuracy ?? 0, n = Double(Swift.max(split.test.count, 1))
            rows.append(CompareRow(contender: p.spec.name, features: chain, testAccuracy: acc, ci95: 1.96 * (acc * (1 - acc) / n).squareRoot(),
                                   macroF1: r.macroF1 ?? 0, featureDimension: input.1, params: r.params, trainSeconds: r.trainSeconds,
                                   inferencePerSecond: perSecond, inputProbe: input.0, learnedProbe: learned, learnedDimension: learnedDim))
        }
        rows.sort { $0.testAccuracy > $1.testAccuracy }
        let o = RunOutputs(directory: spec.output)
        try AtomicFile.write(Data(Self.markdown(rows, pipeline: spec.name, testCount: runner.trainedPlans.first?.dataset.test.count ?? 0).utf8),
                             to: "\(o.directory)/compare.md")
        try AtomicFile.write(Data(Self.csv(rows).utf8), to: "\(o.directory)/compare.csv")
        return rows
    }

    /// The layer whose output feeds the last dense layer, when something learned comes before it.
    static func penultimate(_ model: Sequential) -> Int? {
        let types = model.layers.map { type(of: $0).name }
        guard let last = types.lastIndex(of: "dense"), last > 0 else { return nil }
        let learnedBefore = model.layers[..<last].contains { !$0.weights.isEmpty }
        return learnedBefore ? last - 1 : nil
    }

    /// Outputs of layers 0...cut for every row of `x` ([N] + input shape), as [N, D], in batches.
    static func activations(_ model: Sequential, upTo cut: Int, _ x: Tensor) throws -> Tensor {
        let n = x.shape.first ?? 0, inSize = model.inputSize, d = Tensor.count(of: model.shapes[cut + 1])
        var out = [Float](repeating: 0, count: n * d)
        x.withUnsafeBufferPointer { xb in
            guard let base = xb.baseAddress else { return }
            var start = 0
            while start < n {
                let b = Swift.min(256, n - start)
                let cur = model.forward(base + start * inSize, batch: b, through: cut, training: false, rng: RandomStream(seed: model.seed))
                out.withUnsafeMutableBufferPointer { o in (o.baseAddress! + start * d).update(from: cur, count: b * d) }
                start += b
            }
        }
        return Tensor(unchecked: [n, d], data: out)
    }

    /// [N, ...] as [N, D].
    static func rows(_ x: Tensor) -> Tensor {
        let n = x.shape.first ?? 0
        return Tensor(unchecked: [n, n == 0 ? 0 : x.count / n], data: x.storage)
    }

    static func pct(_ v: Double) -> String { String(format: "%.2f", v * 100) }

    /// compare.md: the table, sorted, the best test accuracy in bold, and what the columns mean.
    static func markdown(_ rows: [CompareRow], pipeline: String, testCount: Int) -> String {
        let best = rows.map(\.testAccuracy).max()
        var s = "# \(pipeline): contenders compared\n\n"
        s += "Every contender trained on the same split with the same seed; \(testCount) test samples. Accuracies in %.\n\n"
        s += "| contender | features | test accuracy | ± 95 % | macro-F1 | feature dim | params | train s | inference / s | linear probe | k-NN | learned dim | learned: linear probe | learned: k-NN |\n"
        s += "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        for r in rows {
            let acc = r.testAccuracy == best ? "**\(pct(r.testAccuracy))**" : pct(r.testAccuracy)
            s += "| \(r.contender) | \(r.features) | \(acc) | \(pct(r.ci95)) | \(String(format: "%.3f", r.macroF1)) | \(r.featureDimension) | \(RunTables.grouped(r.params)) | "
            s += "\(String(format: "%.1f", r.trainSeconds)) | \(String(format: "%.0f", r.inferencePerSecond)) | \(pct(r.inputProbe.linearAccuracy)) | \(pct(r.inputProbe.knnAccuracy)) | "
            s += "\(r.learnedDimension.map(String.init) ?? "–") | \(r.learnedProbe.map { pct($0.linearAccuracy) } ?? "–") | \(r.learnedProbe.map { pct($0.knnAccuracy) } ?? "–") |\n"
        }
        s += """

        - **test accuracy**: the contender's own model on the test split; ± is the 95 % interval of a binomial proportion (1.96 √(p(1−p)/n)).
        - **linear probe / k-NN** of the features its chain feeds the model: standardised features, L2-regularised softmax regression
          with the strength chosen on the validation split (1e-4 … 1); L2-normalised features, cosine similarity, k = 20, votes
          weighted exp(sim / 0.07). Contenders with the same chain share these numbers.
        - **learned**: the same probes on the penultimate layer's activations of the trained network (frozen), so the quality of
          learned and hand-engineered features compares without the classifiers' capacity.

        """
        return s
    }

    static func csv(_ rows: [CompareRow]) -> String {
        var s = "contender,features,test_accuracy,ci95,macro_f1,feature_dim,params,train_seconds,inference_per_second,linear_probe,knn,linear_probe_l2,learned_dim,learned_linear_probe,learned_knn\n"
        for r in rows {
            let fields: [String] = [r.contender, r.features, String(format: "%.6f", r.testAccuracy), String(format: "%.6f", r.ci95), String(format: "%.6f", r.macroF1),
                                    String(r.featureDimension), String(r.params), String(format: "%.3f", r.trainSeconds), String(format: "%.1f", r.inferencePerSecond),
                                    String(format: "%.6f", r.inputProbe.linearAccuracy), String(format: "%.6f", r.inputProbe.knnAccuracy),
                                    String(format: "%g", r.inputProbe.chosenStrength), r.learnedDimension.map(String.init) ?? "",
                                    r.learnedProbe.map { String(format: "%.6f", $0.linearAccuracy) } ?? "", r.learnedProbe.map { String(format: "%.6f", $0.knnAccuracy) } ?? ""]
            s += fields.joined(separator: ",") + "\n"
        }
        return s
    }

    /// The table for the terminal: the columns people read first, aligned.
    public static func table(_ rows: [CompareRow]) -> String {
        let head = ["contender", "features", "test acc", "± 95%", "macro-F1", "params", "train s", "probe", "k-NN", "learned"]
        let body = rows.map { r in
            [r.contender, r.features, pct(r.testAccuracy) + "%", pct(r.ci95) + "%", String(format: "%.4f", r.macroF1), RunTables.grouped(r.params),
             String(format: "%.1f", r.trainSeconds), pct(r.inputProbe.linearAccuracy) + "%", pct(r.inputProbe.knnAccuracy) + "%",
             r.learnedProbe.map { pct($0.linearAccuracy) + "%" } ?? "–"]
        }
        let widths = head.indices.map { c in ([head] + body).map { $0[c].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, t in
                let pad = String(repeating: " ", count: widths[c] - t.count)
                return c < 2 ? t + pad : pad + t
            }.joined(separator: "  ") + "\n"
        }
        return ([head] + body).map(line).joined()
    }
}
