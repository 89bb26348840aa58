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
}
