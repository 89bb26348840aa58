import Foundation
import PerceptCore
import PerceptIO
import XCTest

final class AudioReaderTests: TempDirTestCase {
    func testBlocksConcatenateToTheWholeFileMixdown() throws {
        try AudioFile.write(stereoSignal(frames: 10_007), sampleRate: 44100, to: path("s.flac"), format: .flac24)
        let whole = try AudioFile.read(path("s.flac")).mono()
        for block in [1, 1000, 4096, 20_000] {
            let r = try AudioReader(path("s.flac"))
            XCTAssertEqual(r.channels, 2)
            XCTAssertEqual(r.frames, 10_007)
            var joined = [Float]()
            while let b = try r.readMono(frames: block) {
                XCTAssertLessThanOrEqual(b.count, block)
                joined += b
            }
            XCTAssertEqual(joined, whole, "block \(block)")
        }
    }

    func testTruncatedFileIsRefusedUpFront() throws {
        try AudioFile.write(stereoSignal(), sampleRate: 44100, to: path("a.wav"))
        let full = bytes(path("a.wav"))
        let cut = write(Array(full[0..<(full.count / 2)]), "cut.wav")
        assertBadInput(try AudioReader(cut), file: cut, "truncated")
    }
}
