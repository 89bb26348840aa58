import Foundation
import PerceptCore
@testable import PerceptIO
import XCTest

final class AudioPartsTests: TempDirTestCase {
    private func samples(_ n: Int, channels: Int, seed: UInt64) -> Tensor {
        var rng = RandomStream(seed: seed)
        return Tensor(unchecked: [channels, n], data: (0..<(channels * n)).map { _ in Float(rng.uniform(-0.9, 0.9)) })
    }

    func testPartsReadOnSeveralHandlesEqualTheWholeFileMixedToMono() throws {
        for (format, channels) in [(AudioFormat.wav16, 1), (.wav16, 2), (.wav24, 3), (.wavFloat, 2), (.wav32, 1)] {
            let path = dir + "/\(format)-\(channels).wav"
            try AudioFile.write(samples(70_001, channels: channels, seed: 3), sampleRate: 16000, to: path, format: format)
            let whole = try AudioFile.read(path).mono()
            let parts = try XCTUnwrap(AudioParts(path: path), "\(format)")
            XCTAssertEqual([parts.frames, parts.channels, parts.sampleRate], [70_001, channels, 16000])
            // Two readers at once, ranges in any order, across read windows and up to the last frame.
            let a = try XCTUnwrap(parts.reader()), b = try XCTUnwrap(parts.reader())
            XCTAssertGreaterThan(a.preferredReadLength, 1000)
            for (reader, range) in [(a, 60_000..<70_001), (b, 0..<1), (a, 123..<40_000), (b, 39_999..<65_536)] {
                var got = [Float](repeating: .nan, count: range.count)
                XCTAssertTrue(got.withUnsafeMutableBufferPointer { reader.read(range, into: $0.baseAddress!) }, "\(format) \(range)")
                XCTAssertTrue(got.withUnsafeBytes { Array($0) } == whole[range].withUnsafeBytes { Array($0) }, "\(format) × \(channels): \(range) differs")
            }
            var two: [Float] = [0, 0]
            XCTAssertTrue(a.read(5..<5, into: &two), "nothing to read")
            XCTAssertFalse(a.read(70_000..<70_002, into: &two), "past the end")
        }
    }

    func testFilesThatCannotBeReadAtExactPositionsAreLeftToTheWholeRead() throws {
        let flac = dir + "/a.flac"
        try AudioFile.write(samples(20_000, channels: 1, seed: 4), sampleRate: 16000, to: flac, format: .flac16)
        XCTAssertNil(AudioParts(path: flac), "compressed")
        XCTAssertNil(AudioParts(path: dir + "/missing.wav"), "missing")
        XCTAssertNil(AudioParts(path: write(Array("not audio at all".utf8), "junk.wav")), "garbage")
        // A WAV whose data chunk is cut off: the whole read reports it as truncated.
        let good = dir + "/good.wav"
        try AudioFile.write(samples(20_000, channels: 1, seed: 5), sampleRate: 16000, to: good, format: .wav16)
        let full = bytes(good)
        XCTAssertNil(AudioParts(path: write(Array(full[0..<(full.count - 2000)]), "cut.wav")), "truncated")
    }

    func testAReaderOfAFileChangedSinceOpeningIsRefused() throws {
        let path = dir + "/changing.wav"
        try AudioFile.write(samples(20_000, channels: 1, seed: 6), sampleRate: 16000, to: path, format: .wav16)
        let parts = try XCTUnwrap(AudioParts(path: path))
        try AudioFile.write(samples(20_000, channels: 2, seed: 6), sampleRate: 16000, to: path, format: .wav16)
        XCTAssertNil(parts.reader())
    }
}
