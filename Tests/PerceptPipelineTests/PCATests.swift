import Foundation
import PerceptCore
import PerceptIO
@testable import PerceptPipeline
import XCTest

/// Loads `Fixtures/projection/<name>.npy` (written by Fixtures/make_projection_fixtures.py with
/// scikit-learn) as its shape and values in Double (float64 files keep every bit).
func projectionFixture(_ name: String) throws -> (shape: [Int], values: [Double]) {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/projection/\(name).npy")
    let a = try Npy.load(url.path)
    if a.dtype == .float64 {
        let values = a.bytes.withUnsafeBytes { raw in
            (0..<(a.bytes.count / 8)).map { raw.loadUnaligned(fromByteOffset: $0 * 8, as: Double.self) }
        }
        return (a.shape, values)
    }
    return (a.shape, a.floats().map(Double.init))
}

/// The first `rows` rows of the fixture's 8x8 digits ([rows, 64]).
func digits(_ rows: Int) throws -> Tensor {
    let (shape, v) = try projectionFixture("digits200_x")
    return Tensor(unchecked: [rows, shape[1]], data: v[0..<(rows * shape[1])].map(Float.init))
}

/// max |a − b| / max |b|: the error relative to the reference's scale.
func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    let scale = b.map(abs).max() ?? 1
    return zip(a, b).map { abs($0 - $1) }.max()! / Swift.max(scale, 1e-300)
}

final class PCATests: XCTestCase {
    func check(_ name: String, rows: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let x = try digits(rows)
        let pca = try PCA(fitting: x, components: 2)
        let t = try pca.transform(x)
        XCTAssertEqual(t.shape, [rows, 2], file: file, line: line)
        XCTAssertLessThan(relativeError(t.storage.map(Double.init), try projectionFixture("pca_\(name)_transform").values), 1e-4,
                          "transform", file: file, line: line)
        XCTAssertLessThan(relativeError(pca.components.storage.map(Double.init), try projectionFixture("pca_\(name)_components").values), 1e-4,
                          "components", file: file, line: line)
        XCTAssertLessThan(relativeError(pca.explainedVarianceRatio, try projectionFixture("pca_\(name)_ratio").values), 1e-5,
                          "explained variance ratio", file: file, line: line)
    }

    func testMatchesScikitLearnOnDigitsWithMoreRowsThanColumns() throws {
        try check("tall", rows: 200)
    }

    func testMatchesScikitLearnOnDigitsWithMoreColumnsThanRowsThroughTheGramMatrix() throws {
        try check("wide", rows: 40)
    }

    func testResultDoesNotDependOnTheThreadCount() throws {
        // 300 columns: three GEMM blocks, so the blocks really are spread over workers.
        var rng = RandomStream(seed: 3)
        let x = Tensor(unchecked: [120, 300], data: (0..<(120 * 300)).map { _ in rng.normal() })
        let one = try Parallel.withThreads(1) { try PCA(fitting: x) }
        let four = try Parallel.withThreads(4) { try PCA(fitting: x) }
        XCTAssertEqual(one.components, four.components)
        XCTAssertEqual(one.explainedVariance, four.explainedVariance)
    }

    func testComponentsAreOrthonormalAndEachLargestEntryIsPositive() throws {
        let pca = try PCA(fitting: try digits(100), components: 3)
        let d = 64
        for a in 0..<3 {
            let row = Array(pca.components.storage[(a * d)..<((a + 1) * d)])
            XCTAssertGreaterThan(row.max()!, -row.min()!)
            for b in 0..<3 {
                let dot = (0..<d).reduce(Float(0)) { $0 + row[$1] * pca.components.storage[b * d + $1] }
                XCTAssertEqual(dot, a == b ? 1 : 0, accuracy: 1e-5)
            }
        }
        XCTAssertGreaterThanOrEqual(pca.explainedVariance[0], pca.explainedVariance[1])
        XCTAssertGreaterThanOrEqual(pca.explainedVariance[1], pca.explainedVariance[2])
    }

    func testAxisLabelShowsTheShareOfVariance() throws {
        let pca = try PCA(fitting: try digits(200))
        XCTAssertEqual(pca.axisLabel(0), "PC 1 (17.6 %)")
        XCTAssertEqual(pca.axisLabel(1), "PC 2 (14.4 %)")
    }

    func testConstantRowsGiveZeroVarianceWithoutNaN() throws {
        let pca = try PCA(fitting: Tensor(shape: [5, 3], repeating: 2))
        XCTAssertEqual(pca.explainedVarianceRatio, [0, 0])
        XCTAssertTrue(try pca.transform(Tensor(shape: [5, 3], repeating: 2)).storage.allSatisfy { $0 == 0 })
    }

    func testBadInputNamesTheField() {
        XCTAssertThrowsError(try PCA(fitting: Tensor(shape: [1, 4]))) { XCTAssertTrue("\($0)".hasPrefix("x:")) }
        XCTAssertThrowsError(try PCA(fitting: Tensor(shape: [4, 3]), components: 4)) { XCTAssertTrue("\($0)".hasPrefix("components:")) }
        XCTAssertThrowsError(try PCA(fitting: Tensor(unchecked: [2, 2], data: [1, .nan, 0, 0]))) { XCTAssertTrue("\($0)".hasPrefix("x:")) }
        XCTAssertThrowsError(try PCA(fitting: Tensor(shape: [4, 3])).transform(Tensor(shape: [2, 2]))) { XCTAssertTrue("\($0)".hasPrefix("x:")) }
    }
}
