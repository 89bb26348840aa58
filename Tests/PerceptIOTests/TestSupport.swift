import Foundation
import PerceptCore
import XCTest

/// A fresh temporary folder per test, removed afterwards.
class TempDirTestCase: XCTestCase {
    var dir: String = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "percept-io-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    func path(_ name: String) -> String { (dir as NSString).appendingPathComponent(name) }

    func write(_ bytes: [UInt8], _ name: String) -> String {
        let p = path(name)
        XCTAssertTrue(FileManager.default.createFile(atPath: p, contents: Data(bytes)), p)
        return p
    }

    func bytes(_ p: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: p) ?? Data()) }

    /// Asserts a bad-input error whose one-line message names the file and contains `fragment`.
    func assertBadInput<T>(_ expr: @autoclosure () throws -> T, file p: String, _ fragment: String,
                           line: UInt = #line) {
        XCTAssertThrowsError(try expr(), line: line) { error in
            guard let e = error as? PerceptError else { return XCTFail("not a PerceptError: \(error)", line: line) }
            XCTAssertEqual(e.exitCode, 2, line: line)
            XCTAssertTrue(e.description.hasPrefix(p + ": "), "message should name the file: \(e)", line: line)
            XCTAssertTrue(fragment.isEmpty || e.description.lowercased().contains(fragment.lowercased()), "'\(e)' lacks '\(fragment)'", line: line)
            XCTAssertFalse(e.description.contains("\n"), "one line only", line: line)
        }
    }

    /// A short stereo test signal: a 440 Hz sine and a 660 Hz sine at half amplitude.
    func stereoSignal(frames: Int = 4410, rate: Float = 44100) -> Tensor {
        var d = [Float](repeating: 0, count: 2 * frames)
        for i in 0..<frames {
            d[i] = 0.5 * sin(2 * .pi * 440 * Float(i) / rate)
            d[frames + i] = 0.25 * sin(2 * .pi * 660 * Float(i) / rate)
        }
        return Tensor(unchecked: [2, frames], data: d)
    }
}
