import PerceptVision
import XCTest

final class BorderModeTests: XCTestCase {
    func testIndicesMatchOpenCVBorderInterpolate() {
        // n = 5: positions −3 … 7, as cv2.borderInterpolate gives them.
        let positions = Array(-3...7)
        XCTAssertEqual(positions.map { BorderMode.reflect101.index($0, count: 5) }, [3, 2, 1, 0, 1, 2, 3, 4, 3, 2, 1])
        XCTAssertEqual(positions.map { BorderMode.reflect.index($0, count: 5) }, [2, 1, 0, 0, 1, 2, 3, 4, 4, 3, 2])
        XCTAssertEqual(positions.map { BorderMode.replicate.index($0, count: 5) }, [0, 0, 0, 0, 1, 2, 3, 4, 4, 4, 4])
        XCTAssertEqual(positions.map { BorderMode.constant.index($0, count: 5) }, [nil, nil, nil, 0, 1, 2, 3, 4, nil, nil, nil])
    }

    func testReflectionsBounceOnLinesShorterThanTheReach() {
        XCTAssertEqual(BorderMode.reflect101.index(-1, count: 1), 0)
        XCTAssertEqual(BorderMode.reflect101.index(3, count: 2), 1)   // 3 → −1 → 1
        XCTAssertEqual(BorderMode.reflect.index(-3, count: 2), 1)     // 2 → 1
    }

    func testCLINamesParse() {
        XCTAssertEqual(BorderMode(name: "reflect101"), .reflect101)
        XCTAssertNil(BorderMode(name: "wrap"))
    }
}
