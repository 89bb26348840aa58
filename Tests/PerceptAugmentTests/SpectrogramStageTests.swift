import PerceptAugment
import PerceptCore
import XCTest

final class SpectrogramStageTests: XCTestCase {
    let spec = testImage(2, 40, 60).map { $0 + 1 }   // no zeros, so masked cells are recognisable

    func testFrequencyMaskZeroesExactlyTheDrawnBands() throws {
        let fm = try make(FrequencyMasking.self, ["freq_mask_param": "15", "num_masks": "2"])
        for seed in 0..<10 {
            let (p, out) = try drawApply(fm, try Sample(spectrogram: spec), seed: UInt64(seed))
            XCTAssertEqual(p.bands.count, 2)
            for c in 0..<2 { for f in 0..<40 { for t in 0..<60 {
                let masked = p.bands.contains { f >= $0.start && f < $0.start + $0.width }
                XCTAssertEqual(out.data[c, f, t], masked ? 0 : spec[c, f, t])
            } } }
            for b in p.bands { XCTAssertTrue(b.width < 15 && b.start + b.width <= 40) }
        }
    }

    func testTimeMaskZeroesExactlyTheDrawnBandWithinTheProportion() throws {
        let tm = try make(TimeMasking.self, ["time_mask_param": "40", "max_proportion": "0.2", "mask_value": "-5"])
        for seed in 0..<10 {
            let (p, out) = try drawApply(tm, try Sample(spectrogram: spec), seed: UInt64(seed))
            let b = p.bands[0]
            XCTAssertTrue(b.width < 12, "width \(b.width) ≤ 0.2 · 60")
            for c in 0..<2 { for f in 0..<40 { for t in 0..<60 {
                XCTAssertEqual(out.data[c, f, t], t >= b.start && t < b.start + b.width ? -5 : spec[c, f, t])
            } } }
        }
    }

    func testTimeWarpMovesTheCentreFrameAndKeepsTheEnds() throws {
        // A spectrogram whose value is its frame index: warping is visible as a moved ramp.
        let ramp = Tensor(unchecked: [1, 3, 50], data: (0..<150).map { Float($0 % 50) })
        let tw = try make(TimeWarp.self, ["window": "8"])
        let (p, out) = try drawApply(tw, try Sample(spectrogram: ramp), seed: 5)
        XCTAssertTrue((8..<42).contains(p.center) && abs(p.distance) <= 8)
        XCTAssertEqual(out.data.shape, [1, 3, 50])
        var same = try Sample(spectrogram: ramp)
        try tw.apply(.init(center: 20, distance: 0), to: &same)
        XCTAssertEqual(same.data, ramp)
        var warped = try Sample(spectrogram: ramp)
        try tw.apply(.init(center: 20, distance: 6), to: &warped)
        let row = Array(warped.data.storage[0..<50])
        XCTAssertEqual(row[0], 0, accuracy: 0.5)
        XCTAssertEqual(row[49], 49, accuracy: 0.5)
        XCTAssertEqual(row[26], 20, accuracy: 0.5, "frame 20 now sits at 26")
        for i in 1..<50 { XCTAssertGreaterThanOrEqual(row[i], row[i - 1]) }
    }
}
