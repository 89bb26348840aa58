import Foundation
@testable import PerceptPipeline
import XCTest

/// `HistoryLog.keep`: what a resumed run keeps of `history.csv`.
final class HistoryLogTests: XCTestCase {
    private func kept(_ text: String, epochs: Int) throws -> [String] {
        let p = NSTemporaryDirectory() + "percept-history-\(UUID().uuidString).csv"
        try text.write(toFile: p, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: p) }
        var log = HistoryLog(path: p)
        log.keep(epochs: epochs)
        return log.rows
    }

    func testKeepsTheCheckpointsEpochsAndDropsLaterRows() throws {
        let text = HistoryLog.header + "\n1,0.9,0.5,,,0.001,1.0\n2,0.8,0.6,,,0.001,1.5\n3,0.7,0.7,,,0.001,1.2\n"
        XCTAssertEqual(try kept(text, epochs: 2), ["1,0.9,0.5,,,0.001,1.0", "2,0.8,0.6,,,0.001,1.5"])
    }

    func testATornOrMisnumberedRowEndsWhatIsKept() throws {
        let torn = HistoryLog.header + "\n1,0.9,0.5,,,0.001,1.0\n2,0.8,0."
        XCTAssertEqual(try kept(torn, epochs: 3), ["1,0.9,0.5,,,0.001,1.0"])
        let skipped = HistoryLog.header + "\n1,0.9,0.5,,,0.001,1.0\n3,0.8,0.6,,,0.001,1.5\n"
        XCTAssertEqual(try kept(skipped, epochs: 2), ["1,0.9,0.5,,,0.001,1.0"])
        XCTAssertEqual(try kept("", epochs: 2), [])
    }
}
