import Foundation
import PerceptCore
import PerceptIO

/// Everything a comparison measured, as `compare.json` in the run folder: the report pages
/// (compare.md, compare.html) are drawn from it alone, so `percept report` can redraw them.
///
///     let record = try CompareRecord.read("runs/compare-mnist/compare.json")
public struct CompareRecord: Codable, Sendable {
    public var pipeline: String
    public var seed: UInt64
    public var kind: String
    public var classes: [String]
    public var samples: [String: Int]
    public var rows: [CompareRow]
    /// Accuracy of every contender retrained on n samples per class (n nil: the main run, all samples).
    public var curve: [CurvePoint]
    /// Perturbation names in the order they were applied.
    public var perturbations: [String]
    public var projections: [ProjectionRecord]
    /// Sentences of the verdict, generated from the numbers above.
    public var verdict: [String]
    public var seconds: Double
    /// The process's peak resident memory (bytes, getrusage) at the end of the comparison.
    public var peakRSS: Int
    public var started: String

    public struct CurvePoint: Codable, Sendable, Equatable {
        public var contender: String
        /// Samples per class; nil for the full training split.
        public var perClass: Int?
        public var trainSamples: Int
        public var accuracy: Double
        public var epochs: Int
        public var seconds: Double
    }

    /// One feature space drawn in 2-D: the first test samples, their classes and the method.
    public struct ProjectionRecord: Codable, Sendable {
        public var space: String
        /// "pca" or "tsne".
        public var method: String
        public var x: [Float], y: [Float]
        public var labels: [Int]
        /// PCA: the explained variance ratio of the two components; t-SNE: the final KL divergence.
        public var detail: [Double]
    }

    public static func read(_ path: String) throws -> CompareRecord {
        guard let data = FileManager.default.contents(atPath: path) else { throw PerceptError.badInput(file: path, "cannot be read") }
        do { return try JSONDecoder().decode(CompareRecord.self, from: data) } catch {
            throw PerceptError.badInput(file: path, "is not a comparison record written by percept compare")
        }
    }

    public func write(_ path: String) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try e.encode(self), to: path)
    }

    /// The row of a contender.
    public func row(_ name: String) -> CompareRow? { rows.first { $0.contender == name } }
}

/// One contender's line of the comparison: how its model did, what it cost, and how good its
/// feature spaces are under the same linear probe and k-NN.
public struct CompareRow: Codable, Sendable {
    public var contender: String
    public var features: String
    /// Whether the model learns its own features (convolutional or recurrent layers) rather than
    /// classifying the chain's output with dense layers only.
    public var learned: Bool
    public var testAccuracy: Double
    /// Half-width of the 95 % confidence interval of the test accuracy (normal approximation, n = test samples).
    public var ci95: Double
    public var macroF1: Double
    public var featureDimension: Int
    public var params: Int
    /// Seconds to compute the chain's features for every sample of every split, without the cache.
    public var featureSeconds: Double
    public var trainSeconds: Double
    public var inferencePerSecond: Double
    /// Bytes one training step needs: weights, gradients, optimizer moments, one batch's
    /// activations and their gradients (from the layer shapes).
    public var trainingMemory: Int
    public var confusion: [[Int]]
    /// Test accuracy under each perturbation, by name.
    public var robustness: [String: Double]
    /// Probes of the chain's output (what the model is fed).
    public var inputProbe: FeatureProbe.Result
    /// Probes of the penultimate layer's activations (learned features), when the model has hidden layers.
    public var learnedProbe: FeatureProbe.Result?
    public var learnedDimension: Int?
}
