import PerceptCore
@testable import PerceptIO
import XCTest

final class TensorBoardHistogramTests: XCTestCase {
    let edges = TensorBoardHistogram.defaultEdges

    func testDefaultEdgesAreTorchsTensorflowBins() {
        // torch 2.11's SummaryWriter.default_bins: 1549 edges, symmetric around 0.
        XCTAssertEqual(edges.count, 1549)
        XCTAssertEqual(edges[774], 0)
        XCTAssertEqual(edges[775], 1e-12)
        XCTAssertEqual(edges[776], 1.1000000000000002e-12)
        XCTAssertEqual(edges.last, 9.920775621859783e+19)
        XCTAssertEqual(edges.first, -9.920775621859783e+19)
        XCTAssertEqual(edges.reversed().map { -$0 }, edges)
    }

    func testOneValueKeepsItsBucketAndAnEmptyOneOnItsLeft() throws {
        let h = try TensorBoardHistogram(values: [0.5])
        XCTAssertEqual(h.bucketLimits, [0.47069243095356195, 0.5177616740489182])
        XCTAssertEqual(h.buckets, [0, 1])
        XCTAssertEqual([h.min, h.max, h.num, h.sum, h.sumSquares], [0.5, 0.5, 1, 0.5, 0.25])
    }

    func testZeroFallsInTheBucketStartingAtZero() throws {
        let h = try TensorBoardHistogram(values: [0])
        XCTAssertEqual(h.bucketLimits, [0, 1e-12])
        XCTAssertEqual(h.buckets, [0, 1])
    }

    func testAValueInTheFirstBucketGetsAnAddedEmptyBucket() throws {
        // torch: start == 0 prepends a zero count; the limits are the first two edges.
        let h = try TensorBoardHistogram(values: [-9.9e19])
        XCTAssertEqual(h.bucketLimits, [edges[0], edges[1]])
        XCTAssertEqual(h.buckets, [0, 1])
    }

    func testSpanBetweenExtremesKeepsInnerEmptyBuckets() throws {
        let h = try TensorBoardHistogram(values: [-9.9e19, 9.9e19])
        XCTAssertEqual(h.bucketLimits, edges)
        XCTAssertEqual(h.buckets.count, edges.count)
        XCTAssertEqual(h.buckets.first, 0)
        XCTAssertEqual(h.buckets[1], 1)
        XCTAssertEqual(h.buckets.last, 1, "the largest edge's value lands in the last bucket, numpy's closed right end")
        XCTAssertEqual(h.buckets.reduce(0, +), 2)
    }

    func testNaNAndValuesBeyondTheEdgesCountInNumButInNoBucket() throws {
        let h = try TensorBoardHistogram(values: [1, .infinity, 3e20, .nan])
        XCTAssertEqual(h.num, 4)
        XCTAssertEqual(h.buckets.reduce(0, +), 1)
        XCTAssertTrue(h.min.isNaN && h.max.isNaN && h.sum.isNaN, "numpy's min, max and sum propagate NaN")
        let finite = try TensorBoardHistogram(values: [1, -.infinity])
        XCTAssertEqual(finite.min, -.infinity)
        XCTAssertEqual(finite.buckets.reduce(0, +), 1)
    }

    func testNoValueInABucketIsAnError() {
        for values: [Float] in [[], [.nan], [.infinity, -3e20]] {
            XCTAssertThrowsError(try TensorBoardHistogram(values: values)) { error in
                XCTAssertEqual((error as? PerceptError)?.field, "values")
            }
        }
    }

    func testBucketCountsSumToNumForAWeightSizedLayer() throws {
        var rng = RandomStream(seed: 3)
        let values = (0..<60_000).map { _ in rng.uniform() * 2 - 1 }
        let h = try TensorBoardHistogram(values: values)
        XCTAssertEqual(h.buckets.reduce(0, +), 60_000)
        XCTAssertEqual(h.bucketLimits.count, h.buckets.count)
        XCTAssertEqual(h.min, Double(values.min() ?? 0))
        XCTAssertEqual(h.max, Double(values.max() ?? 0))
    }

    func testEncodedBytesFollowHistogramProtoFieldOrder() throws {
        let bytes = try TensorBoardHistogram(values: [0]).encoded()
        // min and max (0) and sum, sum_squares (0) are proto3 defaults and left out: num (3), then limits (6), buckets (7).
        var expected: [UInt8] = [0x19, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F]
        expected += [0x32, 16] + [UInt8](repeating: 0, count: 8) + withUnsafeBytes(of: (1e-12).bitPattern.littleEndian, Array.init)
        expected += [0x3A, 16] + [UInt8](repeating: 0, count: 8) + [0, 0, 0, 0, 0, 0, 0xF0, 0x3F]
        XCTAssertEqual(bytes, expected)
    }

    func testTheLogarithmicBucketSearchAgreesWithALinearScanOnEveryEdgeAndBetween() {
        let edges = TensorBoardHistogram.defaultEdges
        func linear(_ x: Double) -> Int {
            if x == edges[edges.count - 1] { return edges.count - 2 }
            return edges.indices.dropLast().last { edges[$0] <= x }!
        }
        var probes: [Double] = [0, -0.0, 1e-13, -1e-13, 1e-12, -1e-12, 0.3, -0.3, 1, -1, 1e19, -1e19]
        for i in stride(from: 0, to: edges.count, by: 7) {
            let e = edges[i]
            probes += [e, e.nextUp, e.nextDown]
        }
        for i in 0..<2000 { probes.append(Double(Float(3 * sin(Double(i) * 12.9898)))) }   // spread over ±3, fixed
        edges.withUnsafeBufferPointer { e in
            for x in probes where x >= edges[0] && x <= edges[edges.count - 1] {
                XCTAssertEqual(TensorBoardHistogram.bucket(x, e), linear(x), "x = \(x)")
            }
        }
    }

    func testALayerSpanningManyChunksGetsTheSameHistogramOnOneThreadAndOnFour() throws {
        let values = (0..<(3 * TensorBoardHistogram.chunk + 123)).map { Float(sin(Double($0) * 0.37)) * 0.05 }
        let one = try Parallel.withThreads(1) { try TensorBoardHistogram(values: values) }
        let four = try Parallel.withThreads(4) { try TensorBoardHistogram(values: values) }
        XCTAssertEqual(one.buckets, four.buckets)
        XCTAssertEqual(one.bucketLimits, four.bucketLimits)
        XCTAssertEqual(one.sum.bitPattern, four.sum.bitPattern)
        XCTAssertEqual(one.sumSquares.bitPattern, four.sumSquares.bitPattern)
        XCTAssertEqual(one.num, Double(values.count))
        XCTAssertEqual(one.buckets.reduce(0, +), Double(values.count))
    }
}
