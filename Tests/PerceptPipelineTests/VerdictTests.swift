@testable import PerceptPipeline
import XCTest

/// The verdict: sentences from the numbers, never claims the numbers do not support.
final class VerdictTests: XCTestCase {
    static func row(_ name: String, learned: Bool, acc: Double, train: Double = 1, features: String = "f", probe: Double = 0.9,
                    robust: [String: Double] = [:]) -> CompareRow {
        CompareRow(contender: name, features: features, learned: learned, testAccuracy: acc, ci95: 0.01, macroF1: acc, featureDimension: 10,
                   params: 100, featureSeconds: 0, trainSeconds: train, inferencePerSecond: 1000, trainingMemory: 1 << 20,
                   confusion: [[5, 0], [1, 4]], robustness: robust,
                   inputProbe: FeatureProbe.Result(linearAccuracy: probe, chosenStrength: 0.01, validationAccuracy: probe, knnAccuracy: probe - 0.01),
                   learnedProbe: learned ? FeatureProbe.Result(linearAccuracy: 0.97, chosenStrength: 0.01, validationAccuracy: 0.97, knnAccuracy: 0.96) : nil,
                   learnedDimension: learned ? 128 : nil)
    }

    static func record(_ rows: [CompareRow], curve: [CompareRecord.CurvePoint] = [], test: Int = 10_000, perturbations: [String] = []) -> CompareRecord {
        CompareRecord(pipeline: "p", seed: 1, kind: "image", classes: ["a", "b"], samples: ["train": 1000, "validation": 100, "test": test],
                      rows: rows, curve: curve, perturbations: perturbations, projections: [], verdict: [], seconds: 10, peakRSS: 1 << 30,
                      started: "2026-12-06T00:00:00Z")
    }

    func testAClearWinIsStatedWithTheIntervalAndTheCost() {
        let r = Self.record([Self.row("cnn", learned: true, acc: 0.99, train: 40), Self.row("hog_linear", learned: false, acc: 0.93, train: 1)])
        let s = Verdict.sentences(r)
        XCTAssertEqual(s.first, "On this data the best learned contender, cnn (99.0 %), beats the best hand-engineered one, hog_linear (93.0 %), by 6.0 points (± 0.5) at 40× its time to extract and train.")
    }

    func testADifferenceInsideTheIntervalIsCalledLevel() {
        let r = Self.record([Self.row("cnn", learned: true, acc: 0.91), Self.row("hog", learned: false, acc: 0.90)], test: 200)
        XCTAssertTrue(Verdict.sentences(r)[0].contains("are level"), Verdict.sentences(r)[0])
    }

    func testTheLearningCurveSaysWhereTheOtherKindWins() {
        let curve = [CompareRecord.CurvePoint(contender: "cnn", perClass: 20, trainSamples: 200, accuracy: 0.70, epochs: 40, seconds: 1),
                     CompareRecord.CurvePoint(contender: "hog", perClass: 20, trainSamples: 200, accuracy: 0.81, epochs: 40, seconds: 1),
                     CompareRecord.CurvePoint(contender: "cnn", perClass: 100, trainSamples: 1000, accuracy: 0.95, epochs: 8, seconds: 1),
                     CompareRecord.CurvePoint(contender: "hog", perClass: 100, trainSamples: 1000, accuracy: 0.90, epochs: 8, seconds: 1)]
        let r = Self.record([Self.row("cnn", learned: true, acc: 0.99), Self.row("hog", learned: false, acc: 0.93)], curve: curve)
        let s = Verdict.sentences(r)
        XCTAssertTrue(s.contains("With 20 samples per class hog is better (81.0 % against cnn's 70.0 %)."), "\(s)")
        XCTAssertFalse(s.joined().contains("100 samples per class"), "the learned model wins at 100 as on all data")
    }

    func testPerturbationsNameTheLeastAndMostHurt() {
        let r = Self.record([Self.row("cnn", learned: true, acc: 0.99, robust: ["rotation": 0.90]),
                             Self.row("hog", learned: false, acc: 0.93, robust: ["rotation": 0.91])], perturbations: ["rotation"])
        XCTAssertTrue(Verdict.sentences(r).contains("Under rotation, hog loses least (2.0 points) and cnn most (9.0 points)."), "\(Verdict.sentences(r))")
    }

    func testWithOneKindOnlyItSaysSoInsteadOfComparing() {
        let r = Self.record([Self.row("hog", learned: false, acc: 0.93), Self.row("pixels", learned: false, acc: 0.88)])
        XCTAssertTrue(Verdict.sentences(r)[0].contains("every contender here is hand-engineered"), Verdict.sentences(r)[0])
    }
}
