import Foundation
import PerceptCore
import XCTest

/// `stats_pool` against numpy (Fixtures/stats_pool.json, made by Fixtures/make_stats_pool_fixture.py).
final class StatsPoolStageTests: XCTestCase {
    struct Fixture: Decodable {
        struct Case: Decodable { let stats: [String]; let expected: [Double] }
        let shape: [Int]
        let input: [Double]
        let cases: [Case]
    }

    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }

    func fixture() throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/stats_pool.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    func testEveryStatisticEqualsNumpyInStatMajorOrder() throws {
        let f = try fixture()
        let x = try Sample(spectrogram: Tensor(unchecked: f.shape, data: f.input.map { Float($0) }))
        for c in f.cases {
            let stage = try StatsPoolStage(stats: c.stats.map { try XCTUnwrap(StatsPoolStage.Statistic(rawValue: $0)) })
            let out = try stage.apply(x)
            XCTAssertEqual(out.kind, .vector)
            // Double sums rounded once give numpy's float64 result rounded to float32, bit for bit.
            XCTAssertEqual(out.data.storage, c.expected.map { Float($0) }, "stats \(c.stats)")
            XCTAssertEqual(out.shape, try stage.outputShape(for: x.shape))
        }
    }

    func testDefaultIsMeanThenStdAndTheRegistryTakesAList() throws {
        // Rows [1, 2, 3, 4] and [5, 5, 5, 5]: means 2.5, 5; population stds √1.25, 0.
        let x = try Sample(spectrogram: Tensor(unchecked: [1, 2, 4], data: [1, 2, 3, 4, 5, 5, 5, 5]))
        XCTAssertEqual(try StatsPoolStage().apply(x).data.storage, [2.5, 5, Float(1.25.squareRoot()), 0])
        XCTAssertEqual(try StatsPoolStage().stats, [.mean, .std])
        let fromFile = try StatsPoolStage(StatsPoolStage.parameters(["stats": ["max", "min"]]))
        XCTAssertEqual(try fromFile.apply(x).data.storage, [4, 5, 1, 5])
        let one = try StatsPoolStage(StatsPoolStage.parameters(["stats": "max"]))
        XCTAssertEqual(one.stats, [.max], "a single name is a one-item list")
    }

    func testShapeIsRowsTimesStatsForSpectrogramsAndAudio() throws {
        let stage = try StatsPoolStage(stats: [.mean, .std, .max])
        XCTAssertEqual(try stage.outputShape(for: SampleShape(kind: .spectrogram, dims: [1, 39, 101])),
                       SampleShape(kind: .vector, dims: [117]))
        XCTAssertEqual(try stage.outputShape(for: SampleShape(kind: .spectrogram, dims: [2, 40, 5])).dims, [240])
        let audio = try Sample(audio: Tensor(unchecked: [2, 3], data: [1, 2, 3, -1, -1, 2]), sampleRate: 8000)
        XCTAssertEqual(try stage.apply(audio).data.storage, [2, 0, Float((2.0 / 3).squareRoot()), Float(2.0.squareRoot()), 3, 2])
    }

    func testWrongKindsAndBadStatsAreOneClearError() {
        XCTAssertEqual(message { _ = try StatsPoolStage().outputShape(for: SampleShape(kind: .image, dims: [1, 28, 28])) },
                       "\(SampleKind.mismatch(stage: "stats_pool", accepts: [.spectrogram, .audio], got: .image))")
        XCTAssertEqual(message { _ = try StatsPoolStage().apply(try Sample(vector: Tensor(unchecked: [3], data: [1, 2, 3]))) },
                       "\(SampleKind.mismatch(stage: "stats_pool", accepts: [.spectrogram, .audio], got: .vector))")
        XCTAssertEqual(message { _ = try StatsPoolStage(StatsPoolStage.parameters(["stats": ["mean", "median"]])) },
                       "stats_pool.stats: 'median' is not one of mean, std, max, min")
        XCTAssertEqual(message { _ = try StatsPoolStage(stats: []) },
                       "stats_pool.stats: needs at least one of mean, std, max, min")
        XCTAssertEqual(message { _ = try StatsPoolStage().outputShape(for: SampleShape(kind: .spectrogram, dims: [1, 13, 0])) },
                       "stats_pool: needs at least one time step, got shape [1, 13, 0]")
    }
}
