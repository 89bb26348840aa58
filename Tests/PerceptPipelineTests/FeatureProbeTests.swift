import PerceptCore
@testable import PerceptPipeline
import XCTest

final class FeatureProbeTests: XCTestCase {
    /// Three well separated clusters in 4-D (with a useless constant column), plus noise.
    func clusters(_ perClass: Int, offset: Int) -> (Tensor, [Int]) {
        var rows: [Float] = [], labels: [Int] = []
        for c in 0..<3 {
            for i in 0..<perClass {
                let t = Float(i + offset) * 0.7
                let centre: [Float] = [c == 0 ? 3 : 0, c == 1 ? 3 : 0, c == 2 ? 3 : 0]
                rows += [centre[0] + 0.4 * sin(t), centre[1] + 0.4 * cos(1.3 * t), centre[2] + 0.4 * sin(2.1 * t + 1), 5]
                labels.append(c)
            }
        }
        return (Tensor(unchecked: [3 * perClass, 4], data: rows), labels)
    }

    func space() -> FeatureSpace {
        let (tr, ytr) = clusters(30, offset: 0), (va, yva) = clusters(8, offset: 100), (te, yte) = clusters(10, offset: 200)
        return FeatureSpace(name: "toy", train: tr, trainLabels: ytr, validation: va, validationLabels: yva, test: te, testLabels: yte, classes: 3)
    }

    func testSeparableClustersAreLearnedByBothProbes() throws {
        var p = FeatureProbe()
        p.strengths = [1e-3, 1e-1]
        p.epochs = 30
        p.k = 5
        let r = try p.run(space())
        XCTAssertEqual(r.linearAccuracy, 1, accuracy: 1e-9)
        XCTAssertEqual(r.knnAccuracy, 1, accuracy: 1e-9)
        XCTAssertTrue([1e-3, 1e-1].contains(r.chosenStrength))
    }

    func testKNNVotesWithTheNearestRowsByCosine() throws {
        // Train: two rows pointing along x (class 0) and one along y (class 1). A test row at 10° from
        // x is class 0 with k = 1; with k = 3 the two class-0 votes still outweigh the one for class 1.
        let train = Tensor(unchecked: [3, 2], data: [1, 0, 2, 0.1, 0, 1])
        let test = Tensor(unchecked: [2, 2], data: [0.98, 0.17, 0.1, 1])
        var p = FeatureProbe()
        p.k = 1
        XCTAssertEqual(try p.knnAccuracy(train: train, trainLabels: [0, 0, 1], test: test, testLabels: [0, 1], classes: 2), 1)
        p.k = 3
        XCTAssertEqual(try p.knnAccuracy(train: train, trainLabels: [0, 0, 1], test: test, testLabels: [0, 0], classes: 2), 0.5,
                       "with temperature 0.07 the nearest row dominates: the y-like test row goes to class 1")
    }

    func testStandardisationLeavesConstantColumnsAtZero() {
        let x = Tensor(unchecked: [2, 2], data: [1, 5, 3, 5])
        let (m, s) = FeatureProbe.columnStats(x)
        XCTAssertEqual(m, [2, 5])
        XCTAssertEqual(s, [1, 1])
        XCTAssertEqual(FeatureProbe.standardised(x, m, s).storage, [-1, 0, 1, 0])
    }

    func testRowsAndLabelsOfDifferentCountsAreAnError() {
        let s = space()
        let bad = FeatureSpace(name: "bad", train: s.train, trainLabels: Array(s.trainLabels.dropLast()), validation: s.validation,
                               validationLabels: s.validationLabels, test: s.test, testLabels: s.testLabels, classes: 3)
        XCTAssertThrowsError(try FeatureProbe().run(bad))
    }
}
