import PerceptAudio
import PerceptCore
import XCTest

final class MelFilterbankTests: XCTestCase {
    func testFilterbanksMatchLibrosaFiltersMel() throws {
        let cases = try Fixtures.cases("melbank")
        XCTAssertEqual(cases.count, 7)
        for c in cases {
            let bank = try MelFilterbank(sampleRate: try XCTUnwrap(c.int("sr")), nFFT: try XCTUnwrap(c.int("n_fft")),
                                         nMels: try XCTUnwrap(c.int("n_mels")), fmin: c.double("fmin") ?? 0,
                                         fmax: c.double("fmax"), htk: c.bool("htk") ?? false,
                                         norm: c.string("norm") == "none" ? .none : .slaney)
            assertClose(bank.weights, try c.expected(), tol: c.tol, c.id)
            XCTAssertEqual(bank.hasEmptyFilters, c.bool("empty"), c.id)
        }
    }

    func testSparseApplicationEqualsDenseProduct() throws {
        let bank = try MelFilterbank(sampleRate: 16000, nFFT: 512, nMels: 40)
        var rng = RandomStream(seed: 1)
        let t = 13
        let s = Tensor(unchecked: [257, t], data: (0..<(257 * t)).map { _ in Float(rng.uniform()) })
        let sparse = try bank.apply(s)
        var dense = Tensor(shape: [40, t])
        for m in 0..<40 { for j in 0..<t {
            var acc: Double = 0
            for k in 0..<257 { acc += Double(bank.weights[m, k]) * Double(s[k, j]) }
            dense[m, j] = Float(acc)
        } }
        XCTAssertLessThan(sparse.maxAbsDifference(dense), 1e-5)
    }

    func testApplyingToAWrongShapeIsAnInvalidArgument() throws {
        let bank = try MelFilterbank(sampleRate: 16000, nFFT: 512, nMels: 40)
        for shape in [[256, 10], [257], [1, 257, 10]] {
            XCTAssertThrowsError(try bank.apply(Tensor(shape: shape)), "\(shape)") { error in
                guard case let .invalidArgument(field, message)? = error as? PerceptError else { return XCTFail("\(error)") }
                XCTAssertEqual(field, "spectrogram")
                XCTAssertTrue(message.contains("[257, frames]") && message.contains("\(shape)"), message)
            }
        }
        XCTAssertEqual(try bank.apply(Tensor(shape: [257, 0])).shape, [40, 0])
    }

    func testMelScaleConversionsAreInverse() {
        for f in [0.0, 440, 999.9, 1000, 4000, 22050] {
            XCTAssertEqual(MelScale.melToHz(MelScale.hzToMel(f, htk: false), htk: false), f, accuracy: 1e-9 * Swift.max(1, f))
            XCTAssertEqual(MelScale.melToHz(MelScale.hzToMel(f, htk: true), htk: true), f, accuracy: 1e-9 * Swift.max(1, f))
        }
        XCTAssertEqual(MelScale.hzToMel(1000, htk: false), 15, accuracy: 1e-12)
    }

    func testBadRangesNameTheOption() {
        func field(_ body: () throws -> Void) -> String? {
            do { try body(); return nil } catch let PerceptError.invalidArgument(field, _) { return field } catch { return "other" }
        }
        XCTAssertEqual(field { _ = try MelFilterbank(sampleRate: 16000, nFFT: 512, fmax: 9000) }, "fmax")
        XCTAssertEqual(field { _ = try MelFilterbank(sampleRate: 16000, nFFT: 512, fmin: 4000, fmax: 4000) }, "fmin")
        XCTAssertEqual(field { _ = try MelFilterbank(sampleRate: 16000, nFFT: 512, nMels: 0) }, "n_mels")
    }
}
