import PerceptAudio
import PerceptCore
import XCTest

final class STFTTests: XCTestCase {
    func testSpectrogramMatchesLibrosaForEveryFramingCase() throws {
        let cases = try Fixtures.cases("stft")
        XCTAssertEqual(cases.count, 24)
        for c in cases {
            let stft = try c.stft()
            let power = Float(try XCTUnwrap(c.double("power")))
            let y = try c.input()
            let s = try stft.spectrogram(y, power: power)
            assertClose(s, try c.expected(), tol: c.tol, c.id)
            XCTAssertEqual(try stft.frameCount(signalLength: y.count), s.shape[1], c.id)
        }
    }

    func testComplexSTFTAndInverseMatchLibrosa() throws {
        let cases = try Fixtures.cases("istft")
        XCTAssertEqual(cases.count, 4)
        for c in cases {
            let stft = try c.stft()
            let y = try c.input()
            let (re, im) = try stft.complex(y)
            let refRe = try c.tensor("real"), refIm = try c.tensor("imag")
            let scale = Swift.max(1, Swift.max(refRe.storage.map(abs).max() ?? 0, refIm.storage.map(abs).max() ?? 0))
            assertClose(re, refRe, tol: 1e-4 * scale, c.id + " real")
            assertClose(im, refIm, tol: 1e-4 * scale, c.id + " imag")
            let back = try stft.inverse(real: refRe, imag: refIm, length: c.int("length"))
            let expected = try c.expected()
            assertClose(Tensor(unchecked: [back.count], data: back), expected, tol: c.tol, c.id + " istft")
        }
    }

    func testRoundTripReconstructsTheSignal() throws {
        var rng = RandomStream(seed: 7)
        let y = (0..<3001).map { _ in Float(rng.normal(mean: 0, std: 0.3)) }
        for (n, hop, win) in [(512, 128, Window.hann), (400, 100, .hamming), (255, 60, .blackman)] {
            let stft = try STFT(nFFT: n, hopLength: hop, window: win)
            let (re, im) = try stft.complex(y)
            let back = try stft.inverse(real: re, imag: im, length: y.count)
            let d = zip(back, y).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThan(d, 1e-5, "n_fft \(n) hop \(hop)")
        }
    }

    func testFrameCountFollowsLibrosaFormulas() throws {
        let centred = try STFT(nFFT: 512, hopLength: 160)
        XCTAssertEqual(try centred.frameCount(signalLength: 16000), 1 + 16000 / 160)
        let plain = try STFT(nFFT: 1024, hopLength: 256, center: false)
        XCTAssertEqual(try plain.frameCount(signalLength: 5000), 1 + (5000 - 1024) / 256)
    }

    func testInvalidParametersNameTheOption() {
        func field(_ body: () throws -> Void) -> String? {
            do { try body(); return nil } catch let PerceptError.invalidArgument(field, _) { return field } catch { return "other" }
        }
        XCTAssertEqual(field { _ = try STFT(nFFT: 0) }, "n_fft")
        XCTAssertEqual(field { _ = try STFT(nFFT: -4) }, "n_fft")
        XCTAssertEqual(field { _ = try STFT(nFFT: 512, hopLength: 0) }, "hop_length")
        XCTAssertEqual(field { _ = try STFT(nFFT: 512, winLength: 600) }, "win_length")
        XCTAssertEqual(field { _ = try STFT(nFFT: 512, center: false).spectrogram([Float](repeating: 0, count: 100)) }, "n_fft")
        XCTAssertEqual(field { _ = try STFT(nFFT: 64).spectrogram([0, .nan, 1]) }, "y")
        XCTAssertEqual(field { _ = try STFT(nFFT: 64, padMode: .reflect).spectrogram([]) }, "pad_mode")
        // A long signal is checked in chunks over the workers: a bad sample in a late chunk counts too.
        var long = [Float](repeating: 0.1, count: 1_000_003)
        long[999_999] = .infinity
        XCTAssertEqual(field { _ = try STFT(nFFT: 64).spectrogram(long) }, "y")
    }

    func testSizesThatWouldOverflowOrExplodeAreRefusedUpFront() throws {
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "" } catch { return "\(error)" }
        }
        XCTAssertEqual(message { _ = try STFT(nFFT: 512, hopLength: Int.max) }, "hop_length: hop_length=9223372036854775807 is larger than the supported 4294967296")
        XCTAssertEqual(message { _ = try STFT(nFFT: 1 << 20, hopLength: 1) },
                       "hop_length: hop_length=1 with n_fft=1048576 overlaps frames 1048576-fold; at most 1024-fold is supported (hop_length ≥ 1024)")
        XCTAssertEqual(message { _ = try STFT(nFFT: 1024, hopLength: 1) }, "", "1024-fold is allowed")
        let y = [Float](repeating: 0.5, count: 100_000)
        XCTAssertEqual(message { _ = try ResourceLimits.maxMemory.withValue(100_000) { try STFT(nFFT: 64, hopLength: 16).spectrogram(y) } },
                       "hop_length: the 33 × 6251 spectrogram would need 825 kB, more than the memory limit of 100 kB (--max-memory)")
    }

    func testAnFFTOfOneSampleSquaresEachFramesSample() throws {
        // librosa.stft(y, n_fft=1, hop_length=3): the one-sample periodic Hann window is [1],
        // nothing is padded, and frame t is y[3t].
        let y: [Float] = [1, -2, 3, 0.5, 5, 6, -7]
        let s = try STFT(nFFT: 1, hopLength: 3).spectrogram(y)
        XCTAssertEqual(s.shape, [1, 3])
        XCTAssertEqual(s.storage, [1, 0.25, 49])
    }

    func testParallelAndSerialSpectrogramsAreIdentical() throws {
        var rng = RandomStream(seed: 3)
        let y = (0..<200_000).map { _ in Float(rng.uniform(-1, 1)) }
        let stft = try STFT(nFFT: 512, hopLength: 160)
        let serial = try Parallel.withThreads(1) { try stft.spectrogram(y) }
        let parallel = try Parallel.withThreads(2) { try stft.spectrogram(y) }
        XCTAssertEqual(serial, parallel)
    }
}
