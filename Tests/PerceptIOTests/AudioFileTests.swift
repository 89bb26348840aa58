import Foundation
import PerceptCore
@testable import PerceptIO
import XCTest

final class AudioFileTests: TempDirTestCase {
    func testRoundTripEveryWritableFormatWithinItsQuantisation() throws {
        let signal = stereoSignal()
        let cases: [(AudioFormat, String, Float)] = [
            (.wav8, "a8.wav", 1.0 / 64), (.wav16, "a16.wav", 1.0 / 16384), (.wav24, "a24.wav", 1e-6),
            (.wav32, "a32.wav", 1e-8), (.wavFloat, "af.wav", 0), (.flac16, "a.flac", 1.0 / 16384),
            (.flac24, "a24.flac", 1e-6), (.oggVorbis, "a.ogg", 0.05),
        ]
        for (format, name, tol) in cases {
            try AudioFile.write(signal, sampleRate: 44100, to: path(name), format: format)
            let back = try AudioFile.read(path(name))
            XCTAssertEqual(back.sampleRate, 44100, "\(format)")
            XCTAssertEqual(back.samples.shape, [2, 4410], "\(format)")
            XCTAssertLessThanOrEqual(back.samples.maxAbsDifference(signal), tol, "\(format)")
        }
    }

    func testInfoReportsContainerCodecAndDuration() throws {
        try AudioFile.write(stereoSignal(), sampleRate: 44100, to: path("a.flac"), format: .flac16)
        let info = try AudioFile.info(path("a.flac"))
        XCTAssertTrue(info.container.hasPrefix("FLAC"))
        XCTAssertTrue(info.codec.contains("16 bit"))
        XCTAssertEqual(info.channels, 2)
        XCTAssertEqual(info.frames, 4410)
        XCTAssertEqual(info.duration, 0.1, accuracy: 1e-9)
    }

    func testMonoAveragesChannels() {
        let a = AudioData(samples: Tensor(unchecked: [2, 3], data: [1, 2, 3, 3, 2, 1]), sampleRate: 8000)
        XCTAssertEqual(a.mono(), [2, 2, 2])
    }

    func testWavFloatKeepsValuesAboveFullScaleAndPCMClips() throws {
        let loud = Tensor(unchecked: [1, 2], data: [1.5, -2])
        try AudioFile.write(loud, sampleRate: 8000, to: path("f.wav"), format: .wavFloat)
        XCTAssertEqual(try AudioFile.read(path("f.wav")).samples.storage, [1.5, -2])
        try AudioFile.write(loud, sampleRate: 8000, to: path("i.wav"), format: .wav16)
        let clipped = try AudioFile.read(path("i.wav")).samples.storage
        XCTAssertEqual(clipped[0], 1, accuracy: 1e-4)
        XCTAssertEqual(clipped[1], -1, accuracy: 1e-4)
    }

    func testMissingEmptyDirectoryAndGarbageAreBadInput() {
        assertBadInput(try AudioFile.read(path("none.wav")), file: path("none.wav"), "no such file")
        let empty = write([], "empty.wav")
        assertBadInput(try AudioFile.read(empty), file: empty, "empty file")
        assertBadInput(try AudioFile.read(dir), file: dir, "directory")
        let junk = write(Array("this is not audio at all, just text".utf8), "junk.wav")
        assertBadInput(try AudioFile.read(junk), file: junk, "not a readable audio file")
    }

    func testTruncatedWavIsBadInput() throws {
        try AudioFile.write(stereoSignal(), sampleRate: 44100, to: path("full.wav"), format: .wav16)
        let full = bytes(path("full.wav"))
        let cut = write(Array(full[0..<(full.count / 2)]), "cut.wav")
        assertBadInput(try AudioFile.read(cut), file: cut, "truncated")
        let headerOnly = write(Array(full[0..<30]), "header.wav")
        assertBadInput(try AudioFile.read(headerOnly), file: headerOnly, "")
    }

    func testTruncatedOrCorruptFlacIsBadInput() throws {
        try AudioFile.write(stereoSignal(), sampleRate: 44100, to: path("full.flac"), format: .flac16)
        let full = bytes(path("full.flac"))
        let cut = write(Array(full[0..<(full.count * 2 / 3)]), "cut.flac")
        assertBadInput(try AudioFile.read(cut), file: cut, "")
        var corrupt = full
        for i in stride(from: full.count / 2, to: full.count - 8, by: 7) { corrupt[i] ^= 0x5A }
        let bad = write(corrupt, "corrupt.flac")
        assertBadInput(try AudioFile.read(bad), file: bad, "")
    }

    func testAFLACClaimingMoreSamplesThanItHoldsIsTruncated() throws {
        try AudioFile.write(Tensor(shape: [1, 4000], repeating: 0.25), sampleRate: 16000, to: path("a.flac"), format: .flac16)
        var b = bytes(path("a.flac"))
        // STREAMINFO's 36-bit total sample count ends at byte 26 (after "fLaC" and the block header).
        var v = b[18..<26].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        v = (v & ~((1 << 36) - 1)) | 40_000_000
        for i in 0..<8 { b[25 - i] = UInt8(v >> (8 * UInt64(i)) & 0xFF) }
        let p = write(b, "claims.flac")
        assertBadInput(try AudioFile.read(p), file: p, "header promises 40000000 frames, only 4000 could be read")
        assertBadInput(try ResourceLimits.maxMemory.withValue(100_000_000) { try AudioFile.read(p) }, file: p,
                       "header claims 40000000 frames; decoding them would need 160 MB, more than the memory limit of 100 MB")
    }

    /// A canonical 44-byte-header WAV of `format` 1 (PCM) or 3 (IEEE float) around `data`.
    private func wav(format: UInt16, channels: UInt16, bits: UInt16, rate: UInt32, data: [UInt8]) -> [UInt8] {
        func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        let align: UInt16 = channels * bits / 8
        var b: [UInt8] = Array("RIFF".utf8)
        b += le(UInt32(36 + data.count))
        b += Array("WAVEfmt ".utf8)
        b += le(UInt32(16))
        for v in [format, channels] { b += le(v) }
        for v in [rate, rate * UInt32(align)] { b += le(v) }
        for v in [align, bits] { b += le(v) }
        b += Array("data".utf8)
        b += le(UInt32(data.count))
        return b + data
    }

    func testLargePCMWavDecodesEverySampleExactlyAcrossReadWindows() throws {
        // 600,000 stereo frames: 2.4 MB of file (many 256 KiB read windows) and 4.8 MB of samples
        // (a huge-page buffer), de-interleaved; libsndfile's int16 scale is exactly 1/32768.
        let n = 600_000
        var ints = [Int16](repeating: 0, count: 2 * n)
        var state: UInt32 = 12345
        for i in 0..<ints.count { state = state &* 1_664_525 &+ 1_013_904_223; ints[i] = Int16(truncatingIfNeeded: state >> 16) }
        let data = ints.withUnsafeBytes { Array($0) }
        let p = write(wav(format: 1, channels: 2, bits: 16, rate: 16000, data: data), "long.wav")
        let expected = (0..<2).flatMap { ch in (0..<n).map { Float(ints[$0 * 2 + ch]) / 32768 } }
        for threads in [1, 2, 3] {   // 3 parts of 200,000 frames are each too short to split further
            let a = try Parallel.withThreads(threads) { try AudioFile.read(p) }
            XCTAssertEqual(a.samples.shape, [2, n])
            XCTAssertTrue(a.samples.storage == expected, "samples differ with \(threads) threads")
        }
    }

    func testLongWavDecodedInPartsEqualsOneThreadAndATruncatedOneIsStillBadInput() throws {
        // 24-bit mono, 4 parts of 262,144 frames and a bit on 4 threads.
        let n = 4 * AudioFile.minFramesPerPart + 77
        var data = [UInt8](repeating: 0, count: 3 * n)
        var state: UInt32 = 99
        for i in 0..<data.count { state = state &* 1_664_525 &+ 1_013_904_223; data[i] = UInt8(truncatingIfNeeded: state >> 24) }
        let p = write(wav(format: 1, channels: 1, bits: 24, rate: 48000, data: data), "long24.wav")
        let one = try Parallel.withThreads(1) { try AudioFile.read(p) }
        let four = try Parallel.withThreads(4) { try AudioFile.read(p) }
        XCTAssertEqual(one.samples.shape, [1, n])
        XCTAssertTrue(one.samples.storage.withUnsafeBytes { Array($0) } == four.samples.storage.withUnsafeBytes { Array($0) })
        let full = bytes(p)
        let cut = write(Array(full[0..<(full.count - 3 * 1000)]), "cut24.wav")
        assertBadInput(try Parallel.withThreads(4) { try AudioFile.read(cut) }, file: cut, "truncated")
    }

    func testLargeFloatWavDecodesBitForBit() throws {
        // 1.2 M mono float samples (4.8 MB): reads larger than the window go straight to the caller.
        let n = 1_200_000
        let values: [Float] = (0..<n).map { (i: Int) -> Float in
            let x = Float(sin(Double(i) * 0.001))
            return x * 0.9 + Float(i % 7) * 1e-7
        }
        let p = write(wav(format: 3, channels: 1, bits: 32, rate: 16000, data: values.withUnsafeBytes { Array($0) }), "f.wav")
        let a = try AudioFile.read(p)
        XCTAssertEqual(a.samples.shape, [1, n])
        XCTAssertTrue(a.samples.storage.withUnsafeBytes { Array($0) } == values.withUnsafeBytes { Array($0) }, "bits differ")
    }
}
