import Foundation
import PerceptCore
import PerceptIO
import PerceptNN

/// Where a model's summaries go: TensorBoard's event file, or a test's recorder.
protocol SummarySink: AnyObject {
    func scalar(_ tag: String, _ value: Float, step: Int) throws
    func histogram(_ tag: String, _ values: UnsafeBufferPointer<Float>, step: Int) throws
    /// `picture` is [C, H, W] in [0, 1].
    func image(_ tag: String, _ picture: Tensor, step: Int) throws
    func flush() throws
}

/// One epoch's histogram of a layer's activations, as `telemetry.json` keeps it for the report:
/// the non-zero values up to their 99.5th percentile in 40 equal bins from `lo` to `hi` (`above`
/// counts the few beyond, which would otherwise stretch the axis), and apart from them the share
/// of exact zeros (ReLU units that did not fire), which would otherwise swamp the picture.
struct ActivationHistogram: Codable, Equatable {
    let epoch: Int
    let layer: String
    let lo: Float, hi: Float
    let counts: [Int]
    let above: Int
    let mean: Double, std: Double
    let zeros: Double

    static let bins = 40

    init(epoch: Int, layer: String, values: UnsafeBufferPointer<Float>) {
        self.epoch = epoch; self.layer = layer
        var sum = 0.0, sq = 0.0, z = 0, n = 0
        var nonZero: [Float] = []
        nonZero.reserveCapacity(values.count)
        for v in values where v.isFinite {
            n += 1; sum += Double(v); sq += Double(v) * Double(v)
            if v == 0 { z += 1 } else { nonZero.append(v) }
        }
        nonZero.sort()
        let lo = nonZero.first ?? 0
        let hi = nonZero.isEmpty ? 0 : nonZero[Swift.min(nonZero.count - 1, Int(Double(nonZero.count - 1) * 0.995))]
        var counts = [Int](repeating: 0, count: Self.bins)
        var above = 0
        let width = (hi - lo) / Float(Self.bins)
        for v in nonZero {
            if v > hi { above += 1; continue }
            let b = width > 0 ? Int((v - lo) / width) : 0
            counts[Swift.min(Swift.max(b, 0), Self.bins - 1)] += 1
        }
        self.lo = lo; self.hi = hi; self.counts = counts; self.above = above
        let m = Double(Swift.max(n, 1))
        mean = sum / m; std = (Swift.max(0, sq / m - mean * mean)).squareRoot()
        zeros = Double(z) / m
    }
}

/// `models/<model>/telemetry.json`: what the report shows beside history.csv and metrics.json,
/// recorded while the model trained.
struct TelemetryRecord: Codable {
    /// Keras-style names of the model's layers.
    var layers: [String]
    /// The input kind the chain gives (image, spectrogram...), for drawing samples.
    var inputKind: SampleKind
    var activations: [ActivationHistogram] = []

    enum CodingKeys: String, CodingKey { case layers, inputKind = "input_kind", activations }

    static func read(_ path: String) -> TelemetryRecord? {
        guard let d = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(TelemetryRecord.self, from: d)
    }

    func write(_ path: String) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        try AtomicFile.write(try enc.encode(self), to: path)
    }
}

/// A training callback that logs what the lectures ask to look at: loss, accuracy and learning
/// rate per step and per epoch, weight and activation histograms, the first layer's filters and
/// test samples with their predicted class (TensorBoard), and keeps activation histograms for
/// the run report.
final class RunTelemetry: TrainingCallback {
    let sink: SummarySink?
    let spec: TensorBoardSpec
    let names: [String]
    let activationLayers: [Int]
    /// Fixed inputs whose activations are histogrammed (validation samples, else training ones, clean).
    let probe: Tensor
    /// Test samples pictured each epoch, with their true classes.
    let samples: Tensor, sampleLabels: [Int]
    let classes: [String]
    let trainCount: Int
    let recordPath: String
    var record: TelemetryRecord
    private var lastStepLogged = 0

    init(sink: SummarySink?, spec: TensorBoardSpec, model: Sequential, activationLayers: [Int], probe: Tensor, samples: Tensor,
         sampleLabels: [Int], classes: [String], inputKind: SampleKind, trainCount: Int, recordPath: String) {
        self.sink = sink; self.spec = spec; self.activationLayers = activationLayers
        self.probe = probe; self.samples = samples; self.sampleLabels = sampleLabels; self.classes = classes
        self.trainCount = trainCount; self.recordPath = recordPath
        names = LayerNames.of(model)
        record = TelemetryRecord(layers: names, inputKind: inputKind)
    }

    /// Keeps the histograms of the epochs a resumed run does not repeat.
    func keep(epochs: Int) {
        guard let old = TelemetryRecord.read(recordPath) else { return }
        record.activations = old.activations.filter { $0.epoch <= epochs }
    }

    func stepDidEnd(_ report: StepReport, _ trainer: Trainer) throws {
        guard let sink, spec.stepScalars else { return }
        let step = report.epoch * report.stepsPerEpoch + report.step + 1
        try sink.scalar("train/loss_step", Float(report.loss), step: step)
        if let c = report.correct, report.samples > 0 { try sink.scalar("train/accuracy_step", Float(c) / Float(report.samples), step: step) }
        try sink.scalar("train/learning_rate", report.learningRate, step: step)
    }

    func epochDidEnd(_ report: inout EpochReport, _ trainer: Trainer) throws {
        let epoch = report.epoch + 1
        if let sink {
            try sink.scalar("train/loss", Float(report.trainLoss), step: epoch)
            if let a = report.trainAccuracy { try sink.scalar("train/accuracy", Float(a), step: epoch) }
            if let v = report.validation {
                try sink.scalar("validation/loss", Float(v.loss), step: epoch)
                if let a = v.accuracy { try sink.scalar("validation/accuracy", Float(a), step: epoch) }
            }
            try sink.scalar("train/learning_rate_epoch", report.learningRate, step: epoch)
            if report.seconds > 0 { try sink.scalar("train/samples_per_second", Float(Double(trainCount) / report.seconds), step: epoch) }
        }
        let last = epoch == trainer.options.epochs || report.stopped
        if epoch % spec.every == 0 || last {
            try pictures(trainer.model, epoch: epoch)
            try record.write(recordPath)
        }
        try sink?.flush()
    }

    /// Histograms and images of the model as it is after `epoch`.
    func pictures(_ model: Sequential, epoch: Int) throws {
        if let sink {
            for (name, p) in model.namedParameters {
                guard let dot = name.firstIndex(of: "."), let i = Int(name[..<dot]) else { continue }
                let values = UnsafeBufferPointer(start: p.value.ptr, count: p.count)
                try sink.histogram("weights/\(names[i])/\(name[name.index(after: dot)...])", values, step: epoch)
            }
        }
        for (layer, values) in try activations(model) {
            try values.withUnsafeBufferPointer { b in
                try sink?.histogram("activations/\(names[layer])", b, step: epoch)
                record.activations.append(ActivationHistogram(epoch: epoch, layer: names[layer], values: b))
            }
        }
        guard let sink else { return }
        if let (i, w) = Self.firstFilters(model) {
            try sink.image("filters/\(names[i])", ModelPictures.filterGrid(w), step: epoch)
        }
        if samples.count > 0 {
            let predicted = Sequential.predictedClasses(try model.predict(samples, batchSize: 64))
            let tiles = (0..<sampleLabels.count).map { ModelPictures.tile(samples.slice($0), kind: record.inputKind, minSide: 84) }
            let captions = zip(sampleLabels, predicted).map { "true \(classes[$0]) / predicted \(classes[$1])" }
            try sink.image("test_samples", SampleSheet.captioned(tiles, captions: captions, wrong: zip(sampleLabels, predicted).map { $0 != $1 }), step: epoch)
        }
    }

    /// The outputs of each activation layer for the probe batch (inference mode).
    func activations(_ model: Sequential) throws -> [(Int, [Float])] {
        guard probe.count > 0 else { return [] }
        let n = probe.shape[0]
        return probe.withUnsafeBufferPointer { xb in
            activationLayers.map { i in
                let out = model.forward(xb.baseAddress!, batch: n, through: i, training: false, rng: RandomStream(seed: model.seed))
                return (i, Array(UnsafeBufferPointer(start: out, count: n * Tensor.count(of: model.shapes[i + 1]))))
            }
        }
    }

    /// The first convolution's weight and its layer index.
    static func firstFilters(_ model: Sequential) -> (Int, Tensor)? {
        for (name, p) in model.namedParameters where name.hasSuffix(".weight") && p.shape.count >= 3 {
            guard let i = Int(name.prefix { $0 != "." }) else { continue }
            return (i, Tensor(unchecked: p.shape, data: p.value.array(p.count)))
        }
        return nil
    }

}
