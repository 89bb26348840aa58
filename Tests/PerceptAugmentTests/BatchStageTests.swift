import PerceptAugment
import PerceptCore
import XCTest

final class BatchStageTests: XCTestCase {
    func batch(_ n: Int) throws -> Batch {
        Batch(samples: try (0..<n).map { try Sample(image: testImage(3, 8, 10, salt: $0)) },
              labels: (0..<n).map { i in Tensor(unchecked: [4], data: (0..<4).map { $0 == i % 4 ? 1 : 0 }) })
    }

    func testMixupBlendsSamplesAndLabelsWithOneWeight() throws {
        let mix = try makeBatch(Mixup.self, ["alpha": "0.4"])
        let b = try batch(5)
        var rng = RandomStream(seed: 2)
        let p = mix.draw(rng: &rng, count: 5, shape: b.samples[0].shape)
        XCTAssertTrue(p.lambda >= 0 && p.lambda <= 1)
        XCTAssertEqual(p.permutation.sorted(), [0, 1, 2, 3, 4])
        var out = b
        try mix.apply(p, to: &out)
        for i in 0..<5 {
            let j = p.permutation[i]
            XCTAssertEqual(out.labels[i].sum, 1, accuracy: 1e-6, "mixed labels sum to 1")
            for k in 0..<4 { XCTAssertEqual(out.labels[i].storage[k], p.lambda * b.labels[i].storage[k] + (1 - p.lambda) * b.labels[j].storage[k], accuracy: 1e-6) }
            XCTAssertEqual(out.samples[i].data[1, 3, 4], p.lambda * b.samples[i].data[1, 3, 4] + (1 - p.lambda) * b.samples[j].data[1, 3, 4], accuracy: 1e-6)
        }
    }

    func testBetaWeightsHaveTheRightMean() throws {
        let mix = try makeBatch(Mixup.self, ["alpha": "0.3"])
        var total: Float = 0, extreme: Float = 0
        for s in 0..<2000 {
            var rng = RandomStream(seed: UInt64(s))
            let l = mix.draw(rng: &rng, count: 2, shape: SampleShape(kind: .image, dims: [1, 1, 1])).lambda
            total += l
            if l < 0.1 || l > 0.9 { extreme += 1 }
        }
        XCTAssertEqual(total / 2000, 0.5, accuracy: 0.03)
        XCTAssertGreaterThan(extreme / 2000, 0.5, "Beta(0.3, 0.3) puts most weight near 0 and 1")
    }

    func testCutMixPastesTheBoxAndMixesLabelsByArea() throws {
        let cut = try makeBatch(CutMix.self)
        let b = try batch(4)
        for seed in 0..<10 {
            var rng = RandomStream(seed: UInt64(seed))
            let p = cut.draw(rng: &rng, count: 4, shape: b.samples[0].shape)
            var out = b
            try cut.apply(p, to: &out)
            let r = p.box
            XCTAssertEqual(p.lambda, 1 - Float(r.height * r.width) / 80, accuracy: 1e-6)
            for i in 0..<4 {
                let j = p.permutation[i]
                XCTAssertEqual(out.labels[i].sum, 1, accuracy: 1e-6)
                for c in 0..<3 { for y in 0..<8 { for x in 0..<10 {
                    let inBox = y >= r.top && y < r.top + r.height && x >= r.left && x < r.left + r.width
                    XCTAssertEqual(out.samples[i].data[c, y, x], (inBox ? b.samples[j] : b.samples[i]).data[c, y, x])
                } } }
            }
        }
    }

    func testBatchStagesRejectMismatchedBatches() throws {
        let mix = try makeBatch(Mixup.self)
        var b = try batch(3)
        b.labels.removeLast()
        assertInvalid("mixup", "3 samples but 2 labels") { try mix.apply(.init(lambda: 0.5, permutation: [0, 1, 2]), to: &b) }
    }
}
