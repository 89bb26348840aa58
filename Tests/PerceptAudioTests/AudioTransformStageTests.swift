import Foundation
import PerceptAudio
import PerceptCore
import XCTest

/// The audio transform stages: output shapes reported before running, one clear error for a
/// wrong kind, and the same numbers as the compute types they wrap.
final class AudioTransformStageTests: XCTestCase {
    /// A chirp-ish test signal (two tones), `n` samples.
    func signal(_ n: Int, rate: Int = 16000, f: Double = 440) -> [Float] {
        (0..<n).map { i in
            let t = Double(i) / Double(rate)
            return Float(0.4 * sin(2 * .pi * f * t) + 0.2 * sin(2 * .pi * 3.1 * f * t))
        }
    }

    func audio(_ y: [Float], rate: Int = 16000) throws -> Sample { try Sample(audio: Tensor(unchecked: [1, y.count], data: y), sampleRate: rate) }

    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }

    func testLengthAndRateOptionsBeyondMemoryAreErrorsNotOverflowingAllocations() throws {
        let y = try Sample(audio: Tensor(shape: [1, 100], repeating: 0.1), sampleRate: 8000)
        XCTAssertThrowsError(try FixLengthStage(size: Int.max).apply(y)) { XCTAssertTrue("\($0)".hasPrefix("fix_length.size: an output of 1 × 9223372036854775807"), "\($0)") }
        XCTAssertThrowsError(try PadStage(frames: Int.max).apply(y)) { XCTAssertTrue("\($0)".hasPrefix("pad.size: an output of"), "\($0)") }
        XCTAssertThrowsError(try ResampleStage(targetSr: Int.max).apply(y)) {
            XCTAssertTrue("\($0)".hasPrefix("resample.target_sr: resampling from 8000 Hz to 9223372036854775807 Hz is"), "\($0)")
        }
        XCTAssertEqual(try ResampleStage(targetSr: 16000).outputShape(for: y.shape).dims, [1, 200])
    }

    func testSpectrogramReportsItsShapeAndEqualsTheSpectralPipeline() throws {
        let y = signal(16000), stage = try SpectrogramStage(nFFT: 512, hopLength: 128, power: 1)
        let shape = try stage.outputShape(for: try audio(y).shape)
        XCTAssertEqual(shape, SampleShape(kind: .spectrogram, dims: [1, 257, 126]))
        let out = try stage.apply(try audio(y))
        XCTAssertEqual(out.shape, shape)
        let direct = try SpectralPipeline(stft: STFT(nFFT: 512, hopLength: 128), power: 1).compute(y)
        XCTAssertEqual(out.data.storage.map(\.bitPattern), direct.storage.map(\.bitPattern))
    }

    func testEachChannelIsItsOwnPlane() throws {
        let a = signal(4000), b = signal(4000, f: 1000)
        let stereo = try Sample(audio: Tensor(unchecked: [2, 4000], data: a + b), sampleRate: 16000)
        let stage = try MelSpectrogramStage(nFFT: 512, hopLength: 160, nMels: 40, db: true)
        let out = try stage.apply(stereo)
        XCTAssertEqual(out.shape, try stage.outputShape(for: stereo.shape))
        XCTAssertEqual(out.data.slice(0), try stage.apply(try audio(a)).data.slice(0))
        XCTAssertEqual(out.data.slice(1), try stage.apply(try audio(b)).data.slice(0))
    }

    func testMelSpectrogramEqualsFilterbankAndDecibels() throws {
        let y = signal(8000), stage = try MelSpectrogramStage(nFFT: 1024, hopLength: 256, nMels: 64, fmax: 7000, db: true, topDb: 60)
        let bank = try MelFilterbank(sampleRate: 16000, nFFT: 1024, nMels: 64, fmax: 7000)
        let direct = try SpectralPipeline(stft: STFT(nFFT: 1024, hopLength: 256), mel: bank,
                                          decibels: Decibels.power(ref: .value(1), amin: 1e-10, topDb: 60)).compute(y)
        let out = try stage.apply(try audio(y))
        XCTAssertEqual(out.data.shape, [1] + direct.shape)
        XCTAssertEqual(out.data.storage.map(\.bitPattern), direct.storage.map(\.bitPattern))
    }

    func testMFCCWithDeltasStacksTheCoefficientsAndTheirDeltas() throws {
        let y = signal(16000), stage = try MFCCStage(nFFT: 512, hopLength: 160, nMels: 40, nMFCC: 13, deltas: 2, deltaWidth: 5)
        let shape = try stage.outputShape(for: try audio(y).shape)
        XCTAssertEqual(shape.dims, [1, 39, 101])
        let bank = try MelFilterbank(sampleRate: 16000, nFFT: 512, nMels: 40)
        let m = try SpectralPipeline(stft: STFT(nFFT: 512, hopLength: 160), mel: bank, decibels: Decibels.power(),
                                     mfcc: MFCC(nMFCC: 13, nMels: 40)).compute(y)
        let rows = m.storage + (try Delta.compute(m, width: 5, order: 1)).storage + (try Delta.compute(m, width: 5, order: 2)).storage
        let out = try stage.apply(try audio(y))
        XCTAssertEqual(out.shape, shape)
        XCTAssertEqual(out.data.storage.map(\.bitPattern), rows.map(\.bitPattern))
    }

    func testMFCCDeltasOnTooFewFramesFailBeforeRunning() throws {
        let stage = try MFCCStage(nFFT: 512, hopLength: 512, deltas: 1)
        let short = SampleShape(kind: .audio, dims: [1, 2048], sampleRate: 16000)
        XCTAssertEqual(message { _ = try stage.outputShape(for: short) },
                       "delta_width: 5 frames are fewer than delta_width=9 (librosa's 'interp' deltas need a full window)")
    }

    func testAWrongKindIsOneClearError() throws {
        let image = SampleShape(kind: .image, dims: [3, 8, 8])
        XCTAssertEqual(message { _ = try MelSpectrogramStage().outputShape(for: image) }, "melspectrogram: works on audio, but the input is an image")
        XCTAssertEqual(message { _ = try MFCCStage().apply(try Sample(image: Tensor(shape: [1, 4, 4]))) }, "mfcc: works on audio, but the input is an image")
        XCTAssertEqual(message { _ = try FixLengthStage(size: 4).outputShape(for: image) },
                       "fix_length: works on audio or spectrograms, but the input is an image")
        XCTAssertEqual(message { _ = try DeltaStage().outputShape(for: SampleShape(kind: .audio, dims: [1, 100], sampleRate: 8000)) },
                       "delta: works on spectrograms, but the input is audio")
    }

    func testOptionsAreCheckedWithTheirNames() {
        XCTAssertEqual(message { _ = try SpectrogramStage(nFFT: 0) }, "spectrogram.n_fft: n_fft=0 must be > 0")
        XCTAssertEqual(message { _ = try SpectrogramStage(nFFT: 512, window: "kaiser") },
                       "spectrogram.window: unknown window 'kaiser'; known: \(Window.allCases.map(\.rawValue).joined(separator: ", "))")
        XCTAssertEqual(message { _ = try MFCCStage(deltas: 3) }, "mfcc.deltas: deltas=3 must be 0, 1 or 2")
        XCTAssertEqual(message { _ = try FixLengthStage(FixLengthStage.parameters([:])) },
                       "fix_length.size: is required")
    }

    func testAFmaxAboveNyquistIsRejectedFromTheShape() throws {
        let stage = try MelSpectrogramStage(fmax: 6000)
        XCTAssertEqual(message { _ = try stage.outputShape(for: SampleShape(kind: .audio, dims: [1, 8000], sampleRate: 8000)) },
                       "fmax: fmax=6000.0 is above the Nyquist frequency sr/2=4000.0")
    }

    func testResampleIsTheResamplerPerChannelAtTheNewRate() throws {
        let a = signal(1000, rate: 22050), b = signal(1000, rate: 22050, f: 300)
        let stereo = try Sample(audio: Tensor(unchecked: [2, 1000], data: a + b), sampleRate: 22050)
        let stage = try ResampleStage(targetSr: 16000)
        let out = try stage.apply(stereo)
        // librosa.resample's length: ⌈1000 · 16000 / 22050⌉ = 726.
        XCTAssertEqual(out.data.shape, [2, 726])
        XCTAssertEqual(out.sampleRate, 16000)
        XCTAssertEqual(out.shape, try stage.outputShape(for: stereo.shape))
        XCTAssertEqual(out.data.slice(0).storage, try Resampler.resample(a, from: 22050, to: 16000))
        XCTAssertEqual(out.data.slice(1).storage, try Resampler.resample(b, from: 22050, to: 16000))
        XCTAssertEqual(try ResampleStage(targetSr: 22050).apply(stereo), stereo, "the same rate passes through")
        XCTAssertEqual(message { _ = try ResampleStage(targetSr: 0) }, "resample.target_sr: must be > 0, got 0")
        XCTAssertEqual(message { _ = try stage.outputShape(for: SampleShape(kind: .image, dims: [1, 4, 4])) },
                       "resample: works on audio, but the input is an image")
    }

    func testPadReachesTheSizeWithNumpysModesAndNeverTrims() throws {
        let y: [Float] = [1, 2, 3]
        func padded(_ size: Int, _ mode: String, position: String = "center", value: Float? = nil) throws -> [Float] {
            try PadStage(frames: size, mode: mode, value: value, position: position).apply(try audio(y)).data.storage
        }
        // np.pad([1, 2, 3], (1, 2), mode) for the centred 6: one before, two after.
        XCTAssertEqual(try padded(6, "constant"), [0, 1, 2, 3, 0, 0])
        XCTAssertEqual(try padded(6, "constant", value: -1), [-1, 1, 2, 3, -1, -1])
        XCTAssertEqual(try padded(6, "reflect"), [2, 1, 2, 3, 2, 1])
        XCTAssertEqual(try padded(6, "edge"), [1, 1, 2, 3, 3, 3])
        XCTAssertEqual(try padded(6, "symmetric"), [1, 1, 2, 3, 3, 2])
        XCTAssertEqual(try padded(5, "reflect", position: "end"), [1, 2, 3, 2, 1])
        XCTAssertEqual(try padded(2, "edge"), y, "longer input is left as it is")
        let img = Tensor(unchecked: [1, 2, 2], data: [1, 2, 3, 4])
        let stage = try PadStage(height: 4, width: 3, mode: "edge")
        let out = try stage.apply(try Sample(image: img))
        XCTAssertEqual(out.data, Tensor(unchecked: [1, 4, 3], data: [1, 2, 2, 1, 2, 2, 3, 4, 4, 3, 4, 4]))
        XCTAssertEqual(try stage.outputShape(for: SampleShape(kind: .spectrogram, dims: [2, 6, 1])).dims, [2, 6, 3])
        XCTAssertEqual(message { _ = try stage.outputShape(for: SampleShape(kind: .audio, dims: [1, 9], sampleRate: 8000)) },
                       "pad.size: audio takes one size (frames), got [4, 3]")
        XCTAssertEqual(message { _ = try PadStage(frames: 4, mode: "edge", value: 1) }, "pad.value: has no effect unless mode is constant")
        XCTAssertEqual(message { _ = try PadStage(frames: 4).outputShape(for: SampleShape(kind: .vector, dims: [4])) },
                       "pad: works on images or spectrograms or audio, but the input is a vector")
    }

    func testFixLengthCutsOrZeroPadsTheLastAxis() throws {
        let y = signal(100)
        let cut = try FixLengthStage(size: 60).apply(try audio(y))
        XCTAssertEqual(cut.data.shape, [1, 60])
        XCTAssertEqual(cut.data.storage, Array(y[0..<60]))
        XCTAssertEqual(cut.sampleRate, 16000)
        let padded = try FixLengthStage(size: 130).apply(try audio(y))
        XCTAssertEqual(padded.data.storage, y + [Float](repeating: 0, count: 30))
        let spec = try Sample(spectrogram: Tensor(unchecked: [2, 3], data: [1, 2, 3, 4, 5, 6]))
        let fixed = try FixLengthStage(size: 4).apply(spec)
        XCTAssertEqual(fixed.data, Tensor(unchecked: [1, 2, 4], data: [1, 2, 3, 0, 4, 5, 6, 0]))
        XCTAssertEqual(try FixLengthStage(size: 4).outputShape(for: spec.shape), fixed.shape)
        let empty = try FixLengthStage(size: 3).apply(try Sample(audio: Tensor(shape: [2, 0]), sampleRate: 8000))
        XCTAssertEqual(empty.data, Tensor(shape: [2, 3]), "empty audio becomes silence")
    }

    func testDeltaEqualsLibrosaDeltaPerChannel() throws {
        let m = Tensor(unchecked: [2, 3, 12], data: (0..<72).map { Float(($0 * 37) % 11) })
        let out = try DeltaStage(width: 5, order: 2).apply(try Sample(spectrogram: m))
        XCTAssertEqual(out.data.slice(0), try Delta.compute(m.slice(0), width: 5, order: 2))
        XCTAssertEqual(out.data.slice(1), try Delta.compute(m.slice(1), width: 5, order: 2))
        XCTAssertEqual(message { _ = try DeltaStage().apply(try Sample(spectrogram: Tensor(shape: [1, 3, 8]))) },
                       "delta: 8 frames are fewer than width=9 (librosa's 'interp' deltas need a full window)")
    }

    func testTooShortAudioFailsFromTheShapeAsTheSTFTDoes() throws {
        let stage = try SpectrogramStage(nFFT: 512, center: false)
        let shape = SampleShape(kind: .audio, dims: [1, 100], sampleRate: 16000)
        XCTAssertEqual(message { _ = try stage.outputShape(for: shape) }, message { _ = try stage.apply(try self.audio(self.signal(100))) })
    }
}
