import Foundation
import PerceptCore
@testable import PerceptPipeline
import XCTest

final class TSNETests: XCTestCase {
    /// `perClass` points around each of `classes` centres 10 apart in 10-D (noise std 1).
    func blobs(classes: Int, perClass: Int, seed: UInt64 = 1) -> (Tensor, [Int]) {
        var rng = RandomStream(seed: seed)
        var rows: [Float] = [], labels: [Int] = []
        for c in 0..<classes {
            for _ in 0..<perClass {
                for k in 0..<10 { rows.append((k == c ? 10 : 0) + rng.normal()) }
                labels.append(c)
            }
        }
        return (Tensor(unchecked: [classes * perClass, 10], data: rows), labels)
    }

    func testJointProbabilitiesMatchScikitLearn() throws {
        let (shape, expected) = try projectionFixture("tsne_p")
        let p = TSNE.jointProbabilities(try digits(shape[0]), perplexity: 20)
        XCTAssertEqual(p.count, expected.count)
        // Entry by entry, relative to each entry (probabilities span many orders of magnitude).
        var worst = 0.0
        for (a, b) in zip(p, expected) where b > 1e-12 { worst = Swift.max(worst, abs(a - b) / b) }
        XCTAssertLessThan(worst, 1e-5)
        XCTAssertLessThan(zip(p, expected).map { abs($0 - $1) }.max()!, 1e-9)
    }

    /// How many points' nearest neighbour in the 2-D embedding has their label.
    func nearestNeighbourAgreement(_ e: Tensor, _ labels: [Int]) -> Int {
        let y = e.storage, n = labels.count
        var same = 0
        for i in 0..<n {
            var best = -1, bestD = Float.infinity
            for j in 0..<n where j != i {
                let d = (y[2 * i] - y[2 * j]) * (y[2 * i] - y[2 * j]) + (y[2 * i + 1] - y[2 * j + 1]) * (y[2 * i + 1] - y[2 * j + 1])
                if d < bestD { bestD = d; best = j }
            }
            if labels[best] == labels[i] { same += 1 }
        }
        return same
    }

    func testBlobsAreSeparatedAndTheDivergenceFalls() throws {
        let (x, labels) = blobs(classes: 4, perClass: 25)
        var tsne = TSNE(perplexity: 15)
        tsne.maxIterations = 500
        let r = try tsne.fit(x)
        XCTAssertEqual(r.embedding.shape, [100, 2])
        XCTAssertTrue(r.embedding.storage.allSatisfy(\.isFinite))
        XCTAssertGreaterThan(nearestNeighbourAgreement(r.embedding, labels), 95)
        XCTAssertTrue(r.klDivergence.isFinite)
        XCTAssertLessThan(r.klDivergence, r.initialKLDivergence)
        XCTAssertLessThan(r.klDivergence, 1)
        XCTAssertEqual(r.learningRate, 50)   // auto: max(100 / 12 / 4, 50)
        XCTAssertGreaterThan(try TSNE.trustworthiness(x, r.embedding, neighbors: 5), 0.95)
    }

    func testDigitsKeepTheirNeighboursLikeScikitLearn() throws {
        // sklearn's TSNE(method="exact", random_state=0) on these rows: KL 0.235, trustworthiness 0.994.
        let x = try digits(200), labels = try projectionFixture("digits200_y").values.map { Int($0) }
        let r = try TSNE().fit(x)
        XCTAssertEqual(r.iterations, 999)
        XCTAssertEqual(r.klDivergence, 0.235, accuracy: 0.05)
        XCTAssertGreaterThan(try TSNE.trustworthiness(x, r.embedding), 0.98)
        XCTAssertGreaterThan(nearestNeighbourAgreement(r.embedding, labels), 180)
    }

    func testSameSeedGivesBitIdenticalResultsOnAnyThreadCount() throws {
        let (x, _) = blobs(classes: 3, perClass: 12)
        var tsne = TSNE(perplexity: 8, initialization: .random, seed: 7)
        tsne.maxIterations = 300
        let a = try Parallel.withThreads(1) { try tsne.fit(x) }
        let b = try Parallel.withThreads(3) { try tsne.fit(x) }
        let c = try tsne.fit(x)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a, c)
        tsne.seed = 8
        XCTAssertNotEqual(try tsne.fit(x).embedding, a.embedding)
    }

    func testTrustworthinessMatchesScikitLearn() throws {
        let (_, emb) = try projectionFixture("pca_tall_transform")
        let t = try TSNE.trustworthiness(try digits(200), Tensor(unchecked: [200, 2], data: emb.map(Float.init)), neighbors: 5)
        // Not exact: sklearn orders equal distances (integer pixels make many) by argsort, Percept by index.
        XCTAssertEqual(t, try projectionFixture("trust").values[0], accuracy: 1e-4)
    }

    func testBadInputNamesTheField() throws {
        let (x, _) = blobs(classes: 2, perClass: 5)
        XCTAssertThrowsError(try TSNE().fit(x)) { XCTAssertTrue("\($0)".hasPrefix("perplexity:")) }   // 30 ≥ 10 rows
        XCTAssertThrowsError(try TSNE(perplexity: 3, maxIterations: 100).fit(x)) { XCTAssertTrue("\($0)".hasPrefix("max_iterations:")) }
        XCTAssertThrowsError(try TSNE(perplexity: 3).fit(Tensor(shape: [TSNE.maxSamples + 1, 1]))) {
            XCTAssertTrue("\($0)".hasPrefix("x:") && "\($0)".contains("\(TSNE.maxSamples)"))
        }
        var t = TSNE(perplexity: 3); t.learningRate = 0
        XCTAssertThrowsError(try t.fit(x)) { XCTAssertTrue("\($0)".hasPrefix("learning_rate:")) }
    }
}
