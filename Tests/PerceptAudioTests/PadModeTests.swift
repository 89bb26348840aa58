import PerceptAudio
import XCTest

final class PadModeTests: XCTestCase {
    func testPaddingMatchesNumpyPadIncludingRepeatedReflections() {
        let x: [Float] = [1, 2, 3, 4]
        x.withUnsafeBufferPointer { b in
            // Values printed by np.pad([1, 2, 3, 4], (7, 6), mode).
            XCTAssertEqual(PadMode.reflect.pad(b, left: 7, right: 6), [2, 1, 2, 3, 4, 3, 2, 1, 2, 3, 4, 3, 2, 1, 2, 3, 4])
            XCTAssertEqual(PadMode.symmetric.pad(b, left: 7, right: 6), [2, 3, 4, 4, 3, 2, 1, 1, 2, 3, 4, 4, 3, 2, 1, 1, 2])
            XCTAssertEqual(PadMode.edge.pad(b, left: 2, right: 2), [1, 1, 1, 2, 3, 4, 4, 4])
            XCTAssertEqual(PadMode.constant.pad(b, left: 1, right: 2), [0, 1, 2, 3, 4, 0, 0])
        }
        [Float(5)].withUnsafeBufferPointer { b in
            XCTAssertEqual(PadMode.reflect.pad(b, left: 2, right: 1), [5, 5, 5, 5])
            XCTAssertEqual(PadMode.symmetric.pad(b, left: 2, right: 1), [5, 5, 5, 5])
        }
    }
}
