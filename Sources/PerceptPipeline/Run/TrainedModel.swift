import Foundation
import PerceptAugment
import PerceptCore
import PerceptIO
import PerceptNN

/// A model written by `percept run`, with everything needed to use it: the network, the feature
/// chain its inputs went through (random stages are skipped), the data kind and sample rate, and
/// the class names. `percept predict` and `percept evaluate` need nothing else.
///
///     let m = try TrainedModel(path: "runs/quickstart/models/spoken_cnn/model.safetensors")
///     let top = try m.predict(files: ["a.wav"], top: 3)    // [[("3", 0.97), ...]]
public final class TrainedModel {
    public let path: String
    public let model: Sequential
    public let classes: [String]
    public let kind: SampleKind
    public let sampleRate: Int?
    public let chain: AugmentationChain
    /// The chain as written in the pipeline file.
    public let features: Value

    public init(path: String) throws {
        self.path = path
        model = try Checkpoint.loadModel(path)
        guard let text = try Checkpoint.metadata(path)["pipeline"] else {
            throw PerceptError.badInput(file: path, "has no pipeline record (it was not written by `percept run`); it holds weights only")
        }
        guard let info = try? JSONDecoder().decode(Value.self, from: Data(text.utf8)),
              let kindText = info["kind"]?.scalarText, let kind = SampleKind(rawValue: kindText),
              let classes = info["classes"]?.items?.compactMap(\.scalarText) else {
            throw PerceptError.badInput(file: path, "malformed pipeline record in the checkpoint metadata")
        }
        self.kind = kind
        self.classes = classes
        sampleRate = info["sample_rate"].flatMap { Parameters.int($0) }
        features = info["features"] ?? []
        do {
            chain = AugmentationChain(try StageRegistry.steps(features, path: "features"))
        } catch let e as PerceptError {
            throw PerceptError.badInput(file: path, "its feature chain does not build here: \(e.description)")
        }
    }

    /// The model's input for one decoded sample (the chain without its random stages).
    public func input(_ sample: Sample, name: String) throws -> Tensor {
        let x = try chain.apply(0..<chain.steps.count, to: sample, randomStages: false, seed: 0, epoch: 0, index: 0).data
        guard x.shape == model.inputShape else {
            throw PerceptError.badInput(file: name, "gives features of shape \(dimsText(x.shape)); the model takes \(dimsText(model.inputShape))")
        }
        return x
    }

    /// Class probabilities (softmax of the outputs) of each input, `[N, classes]`.
    public func probabilities(_ inputs: [Tensor]) throws -> [[Double]] {
        guard !inputs.isEmpty else { return [] }
        let size = inputs[0].count
        var flat = [Float](); flat.reserveCapacity(size * inputs.count)
        for t in inputs { t.withUnsafeBufferPointer { flat.append(contentsOf: $0) } }
        let out = try model.predict(Tensor(shape: [inputs.count] + model.inputShape, data: flat))
        let w = model.outputSize
        return out.withUnsafeBufferPointer { o in
            (0..<inputs.count).map { i in
                let row = (0..<w).map { Double(o[i * w + $0]) }
                if w == 1 { let p = 1 / (1 + exp(-row[0])); return [1 - p, p] }
                let m = row.max() ?? 0
                let e = row.map { exp($0 - m) }
                let s = e.reduce(0, +)
                return e.map { $0 / s }
            }
        }
    }

    /// The `top` most likely classes of each file, with probabilities, best first.
    public func predict(files: [String], top: Int) throws -> [[(name: String, probability: Double)]] {
        let inputs = try files.map { try input(Dataset.decode(file: $0, kind: kind, sampleRate: sampleRate), name: $0) }
        return try probabilities(inputs).map { p in
            p.indices.sorted { p[$0] > p[$1] }.prefix(top).map { (classes[$0], p[$0]) }
        }
    }

    /// Accuracy, precision, recall, F1 and the confusion matrix on labelled items of a data set
    /// loaded with the model's class names (`Dataset.load(_:seed:classes:)`).
    public func evaluate(_ data: Dataset, items: [DataItem]) throws -> ClassificationMetrics {
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes.count), count: classes.count)
        let batch = 256
        var start = 0
        while start < items.count {
            let chunk = Array(items[start..<min(start + batch, items.count)])
            var inputs = [Tensor?](repeating: nil, count: chunk.count)
            let failure = FirstFailure()
            inputs.withUnsafeMutableBufferPointer { buf in
                let out = UnsafeSendable(buf.baseAddress!)
                Parallel.forEachDynamic(count: chunk.count, state: { () }) { _, j in
                    do { out.value[j] = try self.input(data.sample(chunk[j]), name: chunk[j].displayName) } catch { failure.record(j, error) }
                }
            }
            try failure.rethrow()
            let probs = try probabilities(inputs.map { $0! })
            for (j, p) in probs.enumerated() {
                let predicted = p.indices.max { p[$0] < p[$1] } ?? 0
                confusion[chunk[j].label][predicted] += 1   // labels are the model's class indices (Dataset.load with its classes)
            }
            start += batch
        }
        return ClassificationMetrics(confusion: confusion)
    }
}
