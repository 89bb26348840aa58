import Foundation
import PerceptCore
import PerceptNN

/// A feature space to judge: every sample's features flattened to one row, per split.
///
///     let space = FeatureSpace(name: "hog", train: xTrain, trainLabels: yTrain, ...)
public struct FeatureSpace: Sendable {
    public let name: String
    /// [N, D] rows of features.
    public let train: Tensor, validation: Tensor, test: Tensor
    public let trainLabels: [Int], validationLabels: [Int], testLabels: [Int]
    public let classes: Int

    public init(name: String, train: Tensor, trainLabels: [Int], validation: Tensor, validationLabels: [Int],
                test: Tensor, testLabels: [Int], classes: Int) {
        self.name = name; self.train = train; self.trainLabels = trainLabels
        self.validation = validation; self.validationLabels = validationLabels
        self.test = test; self.testLabels = testLabels; self.classes = classes
    }

    public var dimension: Int { train.shape.count > 1 ? train.shape[1] : 0 }
}

/// How good a feature space is, apart from any classifier's capacity — the representation-learning
/// protocol: a linear probe (standardised features, L2-regularised multinomial logistic
/// regression, the strength chosen on the validation split) and a weighted k-NN (L2-normalised
/// features, cosine similarity, votes weighted by exp(similarity / τ), as DINO evaluates).
///
///     let r = try FeatureProbe().run(space)   // r.linearAccuracy, r.knnAccuracy
public struct FeatureProbe: Sendable {
    /// L2 strengths tried (the optimizer's weight_decay), log-spaced.
    public var strengths: [Float] = [1e-4, 1e-3, 1e-2, 1e-1, 1]
    public var epochs = 20
    /// Small sets get more epochs, so every probe takes at least this many optimizer steps.
    public var minSteps = 300
    public var batchSize = 128
    public var learningRate: Float = 0.01
    public var k = 20
    public var temperature: Float = 0.07
    public var seed: UInt64 = 0

    public init() {}

    public struct Result: Codable, Sendable, Equatable {
        public let linearAccuracy: Double
        public let chosenStrength: Float
        public let validationAccuracy: Double
        public let knnAccuracy: Double
    }

    public func run(_ s: FeatureSpace) throws -> Result {
        guard s.train.shape.count == 2, s.train.shape[0] == s.trainLabels.count, s.test.shape[0] == s.testLabels.count,
              s.validation.shape[0] == s.validationLabels.count else {
            throw PerceptError.invalidArgument(field: s.name, "feature rows and labels differ in number")
        }
        let (mean, std) = Self.columnStats(s.train)
        let xtr = Self.standardised(s.train, mean, std), xva = Self.standardised(s.validation, mean, std), xte = Self.standardised(s.test, mean, std)
        // Without a validation split the strength is chosen on the training samples.
        let (selX, selY) = s.validationLabels.isEmpty ? (xtr, s.trainLabels) : (xva, s.validationLabels)
        var best: (acc: Double, strength: Float, trainer: Trainer)?
        for l2 in strengths {
            let t = try logisticRegression(xtr, s.trainLabels, classes: s.classes, l2: l2)
            let acc = try t.evaluate(selX, .classes(selY)).accuracy ?? 0
            if best == nil || acc > best!.acc { best = (acc, l2, t) }
        }
        guard let best else { throw PerceptError.invalidArgument(field: "strengths", "needs at least one value") }
        let linear = try best.trainer.evaluate(xte, .classes(s.testLabels)).accuracy ?? 0
        let knn = try knnAccuracy(train: s.train, trainLabels: s.trainLabels, test: s.test, testLabels: s.testLabels, classes: s.classes)
        return Result(linearAccuracy: linear, chosenStrength: best.strength, validationAccuracy: best.acc, knnAccuracy: knn)
    }

    /// Softmax regression trained with Percept's own engine (a single dense layer, Adam, weight decay).
    func logisticRegression(_ x: Tensor, _ y: [Int], classes: Int, l2: Float) throws -> Trainer {
        let model = try Sequential([LayerSpec("dense", ["out_features": .of(classes)])], inputShape: [x.shape[1]], seed: seed)
        var o = TrainingOptions()
        let stepsPerEpoch = Swift.max(1, (x.shape[0] + batchSize - 1) / batchSize)
        o.epochs = Swift.max(epochs, (minSteps + stepsPerEpoch - 1) / stepsPerEpoch); o.batchSize = batchSize; o.seed = seed
        let opt = try OptimizerRegistry.make("adam", ["lr": .of(Double(learningRate)), "weight_decay": .of(Double(l2))])
        let t = Trainer(model: model, loss: try LossRegistry.make("cross_entropy"), optimizer: opt, options: o)
        _ = try t.fit(x, .classes(y))
        return t
    }

    /// Weighted k-NN accuracy: each test row votes with its k most similar training rows (cosine),
    /// each vote weighted exp(similarity / τ). The similarities come from a dense layer whose
    /// weights are the normalised training rows, so the engine's GEMM does the work in batches.
    func knnAccuracy(train: Tensor, trainLabels: [Int], test: Tensor, testLabels: [Int], classes: Int) throws -> Double {
        let n = train.shape[0], d = train.shape[1], m = test.shape[0]
        guard n > 0, m > 0 else { return 0 }
        guard trainLabels.allSatisfy({ $0 >= 0 && $0 < classes }) else {
            throw PerceptError.invalidArgument(field: "labels", "a training label is outside 0..<\(classes)")
        }
        let k = Swift.min(self.k, n)
        let bank = try Sequential([LayerSpec("dense", ["out_features": .of(n), "bias": false])], inputShape: [d], seed: seed)
        try bank.setParameter("0.weight", Self.normalisedRows(train))
        let q = Self.normalisedRows(test)
        var correct = 0
        let batch = Swift.max(1, Swift.min(256, (64 << 20) / Swift.max(n * 4, 1)))
        q.withUnsafeBufferPointer { qb in
            guard let base = qb.baseAddress else { return }
            var start = 0
            var votes = [Float](repeating: 0, count: classes)
            var top = [(Float, Int)]()
            top.reserveCapacity(k + 1)
            while start < m {
                let b = Swift.min(batch, m - start)
                let sims = bank.forward(base + start * d, batch: b, training: false, rng: RandomStream(seed: seed))
                for r in 0..<b {
                    top.removeAll(keepingCapacity: true)
                    let row = sims + r * n
                    for j in 0..<n {
                        let v = row[j]
                        if top.count < k { top.append((v, j)); if top.count == k { top.sort { $0.0 > $1.0 } } ; continue }
                        guard v > top[k - 1].0 else { continue }
                        var i = k - 1
                        while i > 0 && top[i - 1].0 < v { top[i] = top[i - 1]; i -= 1 }
                        top[i] = (v, j)
                    }
                    for c in 0..<classes { votes[c] = 0 }
                    for (s, j) in top { votes[trainLabels[j]] += Foundation.exp(s / temperature) }
                    var pick = 0
                    for c in 1..<classes where votes[c] > votes[pick] { pick = c }
                    if pick == testLabels[start + r] { correct += 1 }
                }
                start += b
            }
        }
        return Double(correct) / Double(m)
    }

    static func columnStats(_ x: Tensor) -> ([Float], [Float]) {
        let n = x.shape[0], d = x.shape[1]
        var mean = [Double](repeating: 0, count: d), sq = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { let v = Double(x.storage[i * d + j]); mean[j] += v; sq[j] += v * v } }
        let m = mean.map { $0 / Double(Swift.max(n, 1)) }
        let s = (0..<d).map { j -> Float in
            let v = sq[j] / Double(Swift.max(n, 1)) - m[j] * m[j]
            return v > 1e-12 ? Float(v.squareRoot()) : 1   // constant columns stay constant (0 after centring)
        }
        return (m.map(Float.init), s)
    }

    static func standardised(_ x: Tensor, _ mean: [Float], _ std: [Float]) -> Tensor {
        let d = mean.count
        guard x.shape.count == 2, x.count > 0 else { return Tensor(shape: [0, d]) }
        var out = x
        out.withUnsafeMutableBufferPointer { o in for i in 0..<o.count { o[i] = (o[i] - mean[i % d]) / std[i % d] } }
        return out
    }

    static func normalisedRows(_ x: Tensor) -> Tensor {
        let n = x.shape[0], d = x.shape[1]
        var out = x
        out.withUnsafeMutableBufferPointer { o in
            for i in 0..<n {
                var s: Float = 0
                for j in 0..<d { s += o[i * d + j] * o[i * d + j] }
                let inv = s > 0 ? 1 / s.squareRoot() : 0
                for j in 0..<d { o[i * d + j] *= inv }
            }
        }
        return out
    }
}
