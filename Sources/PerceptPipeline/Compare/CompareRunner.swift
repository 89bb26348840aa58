import Foundation
import PerceptCore
import PerceptIO
import PerceptNN

/// `percept compare FILE`: trains every model of a pipeline file on the same data split and seed
/// (they are the contenders), then judges them the same way: test accuracy with its interval,
/// costs (feature extraction, training, inference, memory), a learning curve, accuracy under
/// test-time perturbations, and a linear probe and k-NN of every feature space — the chain's
/// output (hand-engineered features, or raw pixels) and each network's penultimate activations —
/// so "feature quality" is compared apart from "classifier capacity". Writes compare.json,
/// compare.md, compare.csv and compare.html beside the run folder's usual outputs.
///
///     let record = try CompareRunner(spec: try PipelineSpec.load("Pipelines/compare-mnist.yaml"), options: RunOptions(), log: { print($0) }).run()
public final class CompareRunner {
    public let spec: PipelineSpec
    public let options: RunOptions
    let log: (String) -> Void
    public var probe = FeatureProbe()

    public init(spec: PipelineSpec, options: RunOptions, log: @escaping (String) -> Void) {
        self.spec = spec; self.options = options; self.log = log
        probe.seed = spec.seed
        probe.k = spec.compare.knnK
        probe.strengths = spec.compare.probeStrengths
    }

    func say(_ text: String) { if !options.quiet { log(text) } }

    /// Every contender must use one data set: the point is the same split.
    func checkSameData() throws {
        guard let first = spec.models.first else { return }
        for m in spec.models {
            if m.data != first.data {
                throw PerceptError.invalidArgument(field: "\(m.path).data" + m.dataOrigin.suffix,
                                                   "compare trains every contender on the same data; '\(m.name)' uses '\(m.data)', '\(first.name)' uses '\(first.data)'")
            }
        }
    }

    /// The perturbations of this comparison: the file's, or the data kind's defaults.
    func perturbations(for kind: SampleKind) -> [CompareSpec.Perturbation] {
        spec.compare.robustness ?? CompareSpec.defaultPerturbations(for: kind)
    }

    /// Checks that need the data and the built models, before anything is trained: every class
    /// holds enough training samples for the learning curve, and each perturbation applies to
    /// the data and keeps the shape every chain expects.
    func checkPlans(_ plans: [ModelPlan]) throws {
        guard let p = plans.first else { return }
        let ds = p.dataset
        let c = spec.compare
        if let most = c.learningCurve.max() {
            let (count, index) = LearningCurve.smallestClass(ds.train, classes: ds.classes.count)
            if count < most {
                throw PerceptError.invalidArgument(field: "compare.learning_curve" + c.learningCurveOrigin.suffix,
                                                   "asks for \(most) training samples per class, but class '\(ds.classes[index])' has only \(count) in the training split; use points ≤ \(count) (or learning_curve: [] for none)")
            }
        }
        guard let firstItem = ds.test.first ?? ds.train.first else { return }
        let shape = try ds.sample(firstItem).shape
        for pert in perturbations(for: ds.spec.kind) {
            let field = "compare.robustness.\(pert.name)" + pert.items.origin.suffix
            let out: SampleShape
            do { out = try pert.chain.outputShape(for: shape, 0..<pert.chain.steps.count, randomStages: true) } catch let e as PerceptError {
                throw PerceptError.invalidArgument(field: field, "on \(ds.spec.kind.withArticle) of shape \(shape.dims): \(e.description)")
            }
            guard out == shape else {
                throw PerceptError.invalidArgument(field: field, "changes the sample's shape from \(shape.dims) to \(out.dims); a perturbation must keep it")
            }
        }
    }

    public func run() throws -> CompareRecord {
        try checkSameData()
        let started = Date()
        let runner = PipelineRunner(spec: spec, options: options, log: log)
        runner.checkPlans = { [unowned self] in try self.checkPlans($0) }
        let results = Dictionary(try runner.run().map { ($0.name, $0.result) }, uniquingKeysWith: { a, _ in a })
        let plans = runner.trainedPlans.filter { results[$0.spec.name] != nil }
        guard let first = plans.first else { throw PerceptError.invalidArgument(field: "models", "no contender was trained") }
        let ds = first.dataset
        let perts = perturbations(for: ds.spec.kind)
        var rows: [CompareRow] = []
        var projections: [CompareRecord.ProjectionRecord] = []
        let labels = (train: ds.train.map(\.label), validation: ds.validation.map(\.label), test: ds.test.map(\.label))
        let shown = Array(0..<Swift.min(spec.compare.projectionSamples, ds.test.count))
        let projector = FeatureProjector(seed: spec.seed, tsne: spec.compare.tsne, log: say)

        // Contenders sharing a chain share its features, probes, projections and perturbed inputs.
        var chains: [String] = []
        for p in plans where !chains.contains(p.spec.features) { chains.append(p.spec.features) }
        for chain in chains {
            let group = plans.filter { $0.spec.features == chain }
            let p0 = group[0], name = chain.isEmpty ? "none" : chain
            let t0 = Date()
            let x = (train: try ChainFeatures.compute(p0, ds.train, seed: spec.seed),
                     validation: try ChainFeatures.compute(p0, ds.validation, seed: spec.seed),
                     test: try ChainFeatures.compute(p0, ds.test, seed: spec.seed))
            let featureSeconds = Date().timeIntervalSince(t0)
            say("compare: features of chain '\(name)' for \(ds.train.count + ds.validation.count + ds.test.count) samples in \(String(format: "%.1f", featureSeconds)) s; probing them (\(p0.model.inputSize) values per sample)\n")
            let space = FeatureSpace(name: name, train: Self.rows(x.train), trainLabels: labels.train, validation: Self.rows(x.validation),
                                     validationLabels: labels.validation, test: Self.rows(x.test), testLabels: labels.test, classes: ds.classes.count)
            let inputProbe = try probe.run(space)
            projections += try projector.project(space: name, Self.rows(x.test), rows: shown, labels: labels.test)
            var perturbed: [String: Tensor] = [:]
            for pert in perts {
                perturbed[pert.name] = try ChainFeatures.compute(p0, ds.test, perturbation: pert, seed: spec.seed)
            }
            for p in group {
                guard let r = results[p.spec.name] else { continue }
                var learned: FeatureProbe.Result?
                var learnedDim: Int?
                if let cut = Self.penultimate(p.model) {
                    say("compare: probing \(p.spec.name)'s learned features (layer \(LayerNames.of(p.model)[cut]), \(Tensor.count(of: p.model.shapes[cut + 1])) values)\n")
                    let s = FeatureSpace(name: "\(p.spec.name) learned", train: try Self.activations(p.model, upTo: cut, x.train), trainLabels: labels.train,
                                         validation: try Self.activations(p.model, upTo: cut, x.validation), validationLabels: labels.validation,
                                         test: try Self.activations(p.model, upTo: cut, x.test), testLabels: labels.test, classes: ds.classes.count)
                    learned = try probe.run(s)
                    learnedDim = s.dimension
                    projections += try projector.project(space: "\(p.spec.name) (learned)", s.test, rows: shown, labels: labels.test)
                }
                let t1 = Date()
                _ = try p.model.predict(x.test, batchSize: 256)
                let perSecond = Double(ds.test.count) / Swift.max(Date().timeIntervalSince(t1), 1e-9)
                var robust: [String: Double] = [:]
                for (pname, xp) in perturbed {
                    let predicted = Sequential.predictedClasses(try p.model.predict(xp, batchSize: 256))
                    robust[pname] = Self.accuracy(predicted, labels.test)
                }
                let acc = r.testAccuracy ?? 0, n = Double(Swift.max(ds.test.count, 1))
                rows.append(CompareRow(contender: p.spec.name, features: name, learned: Self.learnsFeatures(p.model), testAccuracy: acc,
                                       ci95: 1.96 * (acc * (1 - acc) / n).squareRoot(), macroF1: r.macroF1 ?? 0,
                                       featureDimension: space.dimension, params: r.params, featureSeconds: featureSeconds,
                                       trainSeconds: r.trainSeconds, inferencePerSecond: perSecond,
                                       trainingMemory: PipelineRunner.trainingMemory(p.model, batch: p.spec.train.batchSize, optimizer: p.spec.train.optimizerName) ?? Int.max,
                                       confusion: r.confusion ?? [], robustness: robust, inputProbe: inputProbe,
                                       learnedProbe: learned, learnedDimension: learnedDim))
            }
        }
        rows.sort { $0.testAccuracy > $1.testAccuracy }

        var curve = rows.map { r in
            CompareRecord.CurvePoint(contender: r.contender, perClass: nil, trainSamples: ds.train.count, accuracy: r.testAccuracy,
                                     epochs: results[r.contender]?.epochs ?? 0, seconds: r.trainSeconds)
        }
        for n in spec.compare.learningCurve {
            let items = LearningCurve.subset(ds.train, perClass: n, classes: ds.classes.count, seed: spec.seed)
            for p in plans {
                let point: CompareRecord.CurvePoint
                do {
                    point = try LearningCurve.point(runner, p, items: items, test: ds.test, minSteps: spec.compare.curveMinSteps, perClass: n)
                } catch is StopRequested {
                    throw RunInterrupted(message: "interrupted during the learning curve; the trained models are in \(spec.output). Run percept compare again with --force to redo the comparison")
                }
                say("compare: learning curve, \(p.spec.name) on \(n) per class (\(items.count) samples, \(point.epochs) epochs): test accuracy \(String(format: "%.4f", point.accuracy)) (\(String(format: "%.1f", point.seconds)) s)\n")
                curve.append(point)
            }
        }

        var record = CompareRecord(pipeline: spec.name, seed: spec.seed, kind: ds.spec.kind.rawValue, classes: ds.classes,
                                   samples: ["train": ds.train.count, "validation": ds.validation.count, "test": ds.test.count],
                                   rows: rows, curve: curve, perturbations: perts.map(\.name), projections: projections, verdict: [],
                                   seconds: Date().timeIntervalSince(started), peakRSS: Self.peakRSS(),
                                   started: ISO8601DateFormatter().string(from: started))
        record.verdict = Verdict.sentences(record)
        try CompareReport.write(record, run: spec.output)
        return record
    }

    /// Whether the model learns features of its own: convolutional or recurrent layers, as
    /// opposed to dense layers on what the chain gives.
    static func learnsFeatures(_ model: Sequential) -> Bool {
        model.layers.contains { ["conv2d", "conv1d", "lstm", "gru"].contains(type(of: $0).name) }
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

    static func accuracy(_ predicted: [Int], _ labels: [Int]) -> Double {
        guard !labels.isEmpty else { return 0 }
        return Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(labels.count)
    }

    /// The process's peak resident set size in bytes (getrusage reports KiB on Linux).
    static func peakRSS() -> Int {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Int(u.ru_maxrss) * 1024
    }

    static func pct(_ v: Double) -> String { String(format: "%.2f", v * 100) }

    /// The table for the terminal: the columns people read first, aligned.
    public static func table(_ record: CompareRecord) -> String {
        let rows = record.rows
        let head = ["contender", "features", "test acc", "± 95%", "macro-F1", "params", "train s", "probe", "k-NN", "learned probe"]
            + record.perturbations
        let body = rows.map { r in
            [r.contender, r.features, pct(r.testAccuracy) + "%", pct(r.ci95), String(format: "%.4f", r.macroF1), RunTables.grouped(r.params),
             String(format: "%.1f", r.trainSeconds), pct(r.inputProbe.linearAccuracy) + "%", pct(r.inputProbe.knnAccuracy) + "%",
             r.learnedProbe.map { pct($0.linearAccuracy) + "%" } ?? "–"] + record.perturbations.map { r.robustness[$0].map { pct($0) + "%" } ?? "–" }
        }
        let widths = head.indices.map { c in ([head] + body).map { $0[c].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, t in
                let pad = String(repeating: " ", count: widths[c] - t.count)
                return c < 2 ? t + pad : pad + t
            }.joined(separator: "  ") + "\n"
        }
        return ([head] + body).map(line).joined() + (record.verdict.isEmpty ? "" : "\n" + record.verdict.joined(separator: "\n") + "\n")
    }
}
