import PerceptAudio
import PerceptCore
import XCTest

final class StreamingExtractorTests: XCTestCase {
    private func signal(_ n: Int, seed: UInt64 = 5) -> [Float] {
        var rng = RandomStream(seed: seed)
        return (0..<n).map { i in 0.5 * sinf(Float(i) * 0.05) + Float(rng.uniform(-0.1, 0.1)) }
    }

    /// Feeds `y` in chunks of the given sizes (cycled) and joins the outputs along frames.
    private func streamed(_ p: SpectralPipeline, _ y: [Float], chunks: [Int]) throws -> Tensor {
        let s = try StreamingExtractor(pipeline: p)
        var parts = [Tensor]()
        var pos = 0, i = 0
        while pos < y.count {
            let k = Swift.min(chunks[i % chunks.count], y.count - pos)
            parts.append(try s.feed(Array(y[pos..<(pos + k)])))
            pos += k; i += 1
        }
        parts.append(try s.finish())
        let rows = p.featureCount, total = parts.reduce(0) { $0 + $1.shape[1] }
        var out = Tensor(shape: [rows, total])
        var col = 0
        for t in parts {
            XCTAssertEqual(t.shape[0], rows)
            for r in 0..<rows { for c in 0..<t.shape[1] { out[r, col + c] = t[r, c] } }
            col += t.shape[1]
        }
        return out
    }

    func testChunkedFramesAreIdenticalToTheWholeSignalCall() throws {
        let mel = try MelFilterbank(sampleRate: 16000, nFFT: 512, nMels: 40)
        let configs: [SpectralPipeline] = [
            try SpectralPipeline(stft: STFT(nFFT: 512, hopLength: 160), mel: mel, decibels: .power(topDb: nil)),
            try SpectralPipeline(stft: STFT(nFFT: 512, hopLength: 400, padMode: .reflect), mel: mel,
                                 decibels: .power(topDb: nil), mfcc: MFCC(nMFCC: 13, nMels: 40)),
            try SpectralPipeline(stft: STFT(nFFT: 256, hopLength: 100, center: false), power: 1),
            try SpectralPipeline(stft: STFT(nFFT: 301, hopLength: 77, window: .hamming, padMode: .symmetric)),
            try SpectralPipeline(stft: STFT(nFFT: 256, hopLength: 512, padMode: .reflect)),
            try SpectralPipeline(stft: STFT(nFFT: 128, hopLength: 300, center: false)),
        ]
        for (ci, p) in configs.enumerated() {
            for n in [0, 1, 5, 300, 511, 700, 4001, 16000] {
                let y = signal(n)
                let whole: Tensor
                do { whole = try p.compute(y) } catch {
                    // Too short for this configuration: streaming must refuse the same way.
                    XCTAssertThrowsError(try streamed(p, y, chunks: [100]), "config \(ci) n \(n)")
                    continue
                }
                for chunks in [[1], [7, 1000], [160], [4096], [n + 1]] {
                    let s = try streamed(p, y, chunks: chunks)
                    XCTAssertEqual(s, whole, "config \(ci) n \(n) chunks \(chunks)")
                }
            }
        }
    }

    func testWholeSignalDependentStagesAreRejected() throws {
        let mel = try MelFilterbank(sampleRate: 16000, nFFT: 512, nMels: 40)
        XCTAssertThrowsError(try StreamingExtractor(pipeline: SpectralPipeline(stft: STFT(nFFT: 512), mel: mel, decibels: .power(topDb: 80))))
        XCTAssertThrowsError(try StreamingExtractor(pipeline: SpectralPipeline(stft: STFT(nFFT: 512), mel: mel, decibels: .power(ref: .max, topDb: nil))))
    }

    func testBufferedSamplesStayBoundedOverALongStream() throws {
        let p = try SpectralPipeline(stft: STFT(nFFT: 512, hopLength: 160), mel: MelFilterbank(sampleRate: 16000, nFFT: 512, nMels: 64),
                                     decibels: .power(topDb: nil))
        let s = try StreamingExtractor(pipeline: p)
        let chunk = signal(16000)
        var frames = 0
        for _ in 0..<60 {   // one minute of audio, one second at a time
            frames += try s.feed(chunk).shape[1]
            XCTAssertLessThanOrEqual(s.bufferedSamples, 16000 + 512)
        }
        frames += try s.finish().shape[1]
        XCTAssertEqual(frames, 1 + 60 * 16000 / 160)
    }
}
