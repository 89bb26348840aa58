import PerceptCore
import XCTest

/// The kind-agnostic transforms of PerceptCore: `standardize` and `flatten`.
final class TransformStageTests: XCTestCase {
    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }

    func testStandardizeGivesZeroMeanAndUnitVariancePerSample() throws {
        let x = Tensor(unchecked: [2, 3, 4], data: (0..<24).map { 100 + Float($0 * $0) / 7 })
        for kind in [SampleKind.image, .spectrogram] {
            let out = try StandardizeStage().apply(try Sample(kind, data: x))
            let v = out.data.storage.map(Double.init)
            let mean = v.reduce(0, +) / 24, variance = v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 24
            XCTAssertEqual(mean, 0, accuracy: 1e-6)
            XCTAssertEqual(variance, 1, accuracy: 1e-5)
            XCTAssertEqual(out.shape, try StandardizeStage().outputShape(for: SampleShape(kind: kind, dims: [2, 3, 4])))
        }
        let audio = try StandardizeStage().apply(try Sample(audio: Tensor(unchecked: [1, 4], data: [1, 2, 3, 4]), sampleRate: 8000))
        // np.std([1, 2, 3, 4]) = √1.25.
        XCTAssertEqual(audio.data.storage, [-1.5, -0.5, 0.5, 1.5].map { Float($0 / 1.25.squareRoot()) })
        XCTAssertEqual(audio.sampleRate, 8000)
        let flat = try StandardizeStage().apply(try Sample(vector: Tensor(unchecked: [3], data: [5, 5, 5])))
        XCTAssertEqual(flat.data.storage, [0, 0, 0], "a constant sample becomes zeros, not NaN")
        XCTAssertEqual(message { _ = try StandardizeStage(eps: 0) }, "standardize.eps: must be a finite number > 0, got 0")
    }

    func testStandardizePerRowNormalisesEachRowOverTheLastAxis() throws {
        // Rows on very different scales, as MFCC coefficient 0 and the others are.
        let x = Tensor(unchecked: [1, 2, 4], data: [100, 200, 300, 400, 1, 2, 3, 4])
        let out = try StandardizeStage(perRow: true).apply(try Sample(spectrogram: x))
        let z = [-1.5, -0.5, 0.5, 1.5].map { Float($0 / 1.25.squareRoot()) }
        for (a, b) in zip(out.data.storage, z + z) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        let whole = try StandardizeStage().apply(try Sample(spectrogram: x))
        XCTAssertGreaterThan(whole.data.storage[3], 1.5, "over all values the large row dominates")
        XCTAssertEqual(try StandardizeStage(perRow: true).apply(try Sample(vector: Tensor(unchecked: [2], data: [3, 3]))).data.storage, [0, 0])
    }

    func testFlattenMakesAVectorInRowMajorOrderFromEveryKind() throws {
        let x = Tensor(unchecked: [2, 2, 3], data: (0..<12).map(Float.init))
        let out = try FlattenStage().apply(try Sample(image: x))
        XCTAssertEqual(out.kind, .vector)
        XCTAssertEqual(out.data, Tensor(unchecked: [12], data: (0..<12).map(Float.init)))
        XCTAssertEqual(try FlattenStage().outputShape(for: SampleShape(kind: .spectrogram, dims: [1, 64, 101])),
                       SampleShape(kind: .vector, dims: [6464]))
        XCTAssertEqual(try FlattenStage().outputShape(for: SampleShape(kind: .audio, dims: [2, 100], sampleRate: 8000)).dims, [200])
        let audio = try FlattenStage().apply(try Sample(audio: Tensor(unchecked: [2, 2], data: [1, 2, 3, 4]), sampleRate: 8000))
        XCTAssertEqual(audio.data.storage, [1, 2, 3, 4])
        XCTAssertEqual(audio.sampleRate, 0)
    }
}
