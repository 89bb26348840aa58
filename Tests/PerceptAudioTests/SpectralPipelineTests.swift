import PerceptAudio
import PerceptCore
import XCTest

/// Mel spectrogram, log-mel and MFCC end to end against librosa.feature.
final class SpectralPipelineTests: XCTestCase {
    static func pipeline(_ c: FixtureCase) throws -> SpectralPipeline {
        let stft = try c.stft()
        let mel = try MelFilterbank(sampleRate: try XCTUnwrap(c.int("sr")), nFFT: stft.nFFT,
                                    nMels: try XCTUnwrap(c.int("n_mels")), fmin: c.double("fmin") ?? 0,
                                    fmax: c.double("fmax"), htk: c.bool("htk") ?? false,
                                    norm: c.string("norm") == "none" ? .none : .slaney)
        let db = c.kind == "mel" ? nil : try Decibels.power(ref: .value(1), amin: 1e-10, topDb: c.double("top_db").map { Float($0) })
        let mfcc = c.kind == "mfcc"
            ? try MFCC(nMFCC: try XCTUnwrap(c.int("n_mfcc")), nMels: mel.nMels, dctType: c.int("dct_type") ?? 2,
                       norm: c.string("dct_norm") == "none" ? .none : .ortho, lifter: c.double("lifter") ?? 0)
            : nil
        return try SpectralPipeline(stft: stft, power: Float(c.double("power") ?? 2), mel: mel, decibels: db, mfcc: mfcc)
    }

    func testMelLogMelAndMFCCMatchLibrosa() throws {
        var count = 0
        for kind in ["mel", "logmel", "mfcc"] {
            for c in try Fixtures.cases(kind) {
                let out = try Self.pipeline(c).compute(try c.input())
                assertClose(out, try c.expected(), tol: c.tol, c.id)
                count += 1
            }
        }
        XCTAssertEqual(count, 14)
    }

    func testLongSignalsGiveTheSameBitsOnAnyNumberOfWorkers() throws {
        // 3,751 frames: 59 blocks, handed out in groups to 2 or 3 workers, against one thread.
        var rng = RandomStream(seed: 11)
        let y = (0..<600_000).map { _ in Float(rng.uniform(-1, 1)) }
        let logMel = try SpectralPipeline(stft: STFT(nFFT: 512, hopLength: 160),
                                          mel: MelFilterbank(sampleRate: 16000, nFFT: 512, nMels: 64),
                                          decibels: .power(topDb: 80))
        let serial = try Parallel.withThreads(1) { try logMel.compute(y) }
        XCTAssertEqual(serial.shape, [64, 3751])
        for threads in [2, 3] {
            let parallel = try Parallel.withThreads(threads) { try logMel.compute(y) }
            XCTAssertTrue(serial.storage.withUnsafeBytes { Array($0) } == parallel.storage.withUnsafeBytes { Array($0) }, "\(threads) threads")
        }
    }

    func testMFCCRejectsMoreCoefficientsThanMels() {
        XCTAssertThrowsError(try MFCC(nMFCC: 41, nMels: 40))
        XCTAssertThrowsError(try MFCC(nMFCC: 13, nMels: 40, dctType: 4))
        XCTAssertThrowsError(try MFCC(nMFCC: 13, nMels: 40, lifter: -1))
    }

    func testMFCCOfAWrongShapeIsAnInvalidArgument() throws {
        let mfcc = try MFCC(nMFCC: 13, nMels: 40)
        for shape in [[39, 10], [40], [2, 40, 10]] {
            XCTAssertThrowsError(try mfcc.apply(Tensor(shape: shape)), "\(shape)") { error in
                guard case let .invalidArgument(field, message)? = error as? PerceptError else { return XCTFail("\(error)") }
                XCTAssertEqual(field, "log_mel")
                XCTAssertTrue(message.contains("[40, frames]") && message.contains("\(shape)"), message)
            }
        }
        XCTAssertEqual(try mfcc.apply(Tensor(shape: [40, 7])).shape, [13, 7])
    }

    /// Reads from an array; `failAt` makes reads covering that sample fail; counts reads.
    private final class ArrayReader: SignalReader {
        let y: [Float]
        let preferredReadLength: Int
        let failAt: Int?
        private(set) var reads = 0

        init(_ y: [Float], preferred: Int, failAt: Int? = nil) { self.y = y; preferredReadLength = preferred; self.failAt = failAt }

        func read(_ range: Range<Int>, into out: UnsafeMutablePointer<Float>) -> Bool {
            reads += 1
            if let f = failAt, range.contains(f) { return false }
            for (i, k) in range.enumerated() { out[i] = y[k] }
            return true
        }
    }

    func testSignalsReadInPartsGiveTheSameBitsAsTheWholeSignal() throws {
        var rng = RandomStream(seed: 12)
        let y = (0..<200_003).map { i in 0.5 * sinf(Float(i) * 0.01) + Float(rng.uniform(-0.2, 0.2)) }
        let mel = try MelFilterbank(sampleRate: 16000, nFFT: 512, nMels: 40)
        let configs: [SpectralPipeline] = [
            try SpectralPipeline(stft: STFT(nFFT: 512, hopLength: 160), mel: mel, decibels: .power(topDb: 80)),
            try SpectralPipeline(stft: STFT(nFFT: 512, hopLength: 400, padMode: .reflect), mel: mel,
                                 decibels: .power(topDb: nil), mfcc: MFCC(nMFCC: 13, nMels: 40)),
            try SpectralPipeline(stft: STFT(nFFT: 301, hopLength: 77, window: .hamming, padMode: .symmetric)),
            try SpectralPipeline(stft: STFT(nFFT: 256, hopLength: 1000, padMode: .reflect), power: 1),
            try SpectralPipeline(stft: STFT(nFFT: 1024, hopLength: 256, padMode: .edge), mel: MelFilterbank(sampleRate: 16000, nFFT: 1024, nMels: 40)),
            try SpectralPipeline(stft: STFT(nFFT: 512, hopLength: 160), mel: mel, decibels: .power(ref: .max, topDb: 60)),
        ]
        for (ci, p) in configs.enumerated() {
            let whole = try p.compute(y)
            // Reads of one frame's worth up to longer than the signal; one to three workers.
            for preferred in [1, 5_000, 131_072, 1_000_000] {
                for threads in [1, 2, 3] {
                    let parts = try Parallel.withThreads(threads) {
                        try p.compute(length: y.count, reader: { ArrayReader(y, preferred: preferred) })
                    }
                    let got = try XCTUnwrap(parts, "config \(ci)")
                    XCTAssertTrue(got.shape == whole.shape && got.storage.withUnsafeBytes { Array($0) } == whole.storage.withUnsafeBytes { Array($0) },
                                  "config \(ci), reads of \(preferred), \(threads) threads")
                }
            }
        }
    }

    func testReadingInPartsDeclinesWhatItCannotDoAndReportsBadSamples() throws {
        let p = try SpectralPipeline(stft: STFT(nFFT: 512, hopLength: 160))
        let y = [Float](repeating: 0.25, count: 50_000)
        // A failed read: nil, so the caller reads the whole signal (and reports what is wrong).
        XCTAssertNil(try p.compute(length: y.count, reader: { ArrayReader(y, preferred: 4096, failAt: 30_000) }))
        // No reader, a signal too short for the split framing, or uncentred frames: nil as well.
        XCTAssertNil(try p.compute(length: y.count, reader: { nil as ArrayReader? }))
        XCTAssertNil(try p.compute(length: 300, reader: { ArrayReader(Array(y[..<300]), preferred: 4096) }))
        let uncentred = try SpectralPipeline(stft: STFT(nFFT: 512, hopLength: 160, center: false))
        XCTAssertNil(try uncentred.compute(length: y.count, reader: { ArrayReader(y, preferred: 4096) }))
        // A NaN in the middle or at either end is librosa's error, as for the whole signal.
        for at in [0, 25_000, 49_999] {
            var bad = y
            bad[at] = .nan
            var wholeError: Error?
            XCTAssertThrowsError(try p.compute(bad)) { wholeError = $0 }
            XCTAssertThrowsError(try p.compute(length: bad.count, reader: { ArrayReader(bad, preferred: 4096) }), "NaN at \(at)") { error in
                XCTAssertEqual("\(error)", "\(wholeError.map { "\($0)" } ?? "none")")
            }
        }
    }
}

