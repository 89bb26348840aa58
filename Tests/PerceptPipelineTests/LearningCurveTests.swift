@testable import PerceptPipeline
import XCTest

/// Learning-curve subsets: n per class, seeded, nested, whatever order the split lists its items in.
final class LearningCurveTests: XCTestCase {
    /// 3 classes, listed class by class (as a folder data set is), 10 / 8 / 4 items.
    let train: [DataItem] = (0..<10).map { DataItem(location: .file("a/\($0)"), label: 0) }
        + (0..<8).map { DataItem(location: .file("b/\($0)"), label: 1) } + (0..<4).map { DataItem(location: .file("c/\($0)"), label: 2) }

    func testASubsetHoldsNOfEachClassAndIsNested() {
        let three = LearningCurve.subset(train, perClass: 3, classes: 3, seed: 7)
        XCTAssertEqual((0..<3).map { c in three.filter { $0.label == c }.count }, [3, 3, 3])
        let four = LearningCurve.subset(train, perClass: 4, classes: 3, seed: 7)
        XCTAssertTrue(Set(three).isSubset(of: Set(four)), "the 3 per class are among the 4")
        XCTAssertEqual(LearningCurve.subset(train, perClass: 3, classes: 3, seed: 7), three, "seeded")
        XCTAssertNotEqual(three.filter { $0.label == 0 }, Array(train.prefix(3)), "drawn from the whole class, not its first items")
    }

    func testTheSmallestClassIsFound() {
        XCTAssertEqual(LearningCurve.smallestClass(train, classes: 3).count, 4)
        XCTAssertEqual(LearningCurve.smallestClass(train, classes: 3).index, 2)
        XCTAssertEqual(LearningCurve.smallestClass(train, classes: 4).count, 0, "a class with no training sample")
    }
}
