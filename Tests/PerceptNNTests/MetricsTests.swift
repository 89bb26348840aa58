import PerceptNN
import XCTest

final class MetricsTests: XCTestCase {
    func testPerClassPrecisionRecallF1FromConfusionMatrix() {
        // rows: true class, columns: predicted
        let m = ClassificationMetrics(confusion: [[5, 1, 0], [2, 3, 0], [0, 0, 0]])
        XCTAssertEqual(m.accuracy, 8.0 / 11.0, accuracy: 1e-12)
        XCTAssertEqual(m.precision[0], 5.0 / 7.0, accuracy: 1e-12)
        XCTAssertEqual(m.recall[0], 5.0 / 6.0, accuracy: 1e-12)
        XCTAssertEqual(m.precision[1], 3.0 / 4.0, accuracy: 1e-12)
        XCTAssertEqual(m.recall[1], 3.0 / 5.0, accuracy: 1e-12)
        XCTAssertEqual(m.f1[1], 2 * 0.75 * 0.6 / 1.35, accuracy: 1e-12)
        XCTAssertEqual(m.f1[2], 0)   // a class never seen nor predicted scores 0, not NaN
        XCTAssertEqual(m.macroF1, (m.f1[0] + m.f1[1]) / 3, accuracy: 1e-12)
        XCTAssertTrue(m.report.contains("macro-F1"))
    }
}
