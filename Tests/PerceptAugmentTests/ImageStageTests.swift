import Foundation
import PerceptAugment
import PerceptCore
import PerceptVision
import XCTest

final class ImageStageTests: XCTestCase {
    let img = testImage(3, 7, 9)

    func testFlipTwiceIsIdentityAndFlipMirrors() throws {
        var s = try Sample(image: img)
        let h = try make(HorizontalFlip.self)
        try h.apply(.init(), to: &s)
        XCTAssertEqual(s.data[1, 2, 0], img[1, 2, 8])
        XCTAssertEqual(s.data[2, 6, 3], img[2, 6, 5])
        try h.apply(.init(), to: &s)
        XCTAssertEqual(s.data, img)
        let v = try make(VerticalFlip.self)
        try v.apply(.init(), to: &s)
        XCTAssertEqual(s.data[0, 0, 4], img[0, 6, 4])
        XCTAssertEqual(s.data[2, 3, 1], img[2, 3, 1], "the middle row of 7 stays")
        try v.apply(.init(), to: &s)
        XCTAssertEqual(s.data, img)
    }

    func testRandomCropCutsTheDrawnWindowOfThePaddedImage() throws {
        let crop = try make(RandomCrop.self, ["height": "5", "width": "6", "padding": "2", "fill": "0.25"])
        for seed in 0..<20 {
            let (p, out) = try drawApply(crop, try Sample(image: img), seed: UInt64(seed))
            XCTAssertEqual(out.data.shape, [3, 5, 6])
            XCTAssertTrue((0...(7 + 4 - 5)).contains(p.top) && (0...(9 + 4 - 6)).contains(p.left))
            for c in 0..<3 { for y in 0..<5 { for x in 0..<6 {
                let sy = p.top + y - 2, sx = p.left + x - 2
                let expected = (0..<7).contains(sy) && (0..<9).contains(sx) ? img[c, sy, sx] : 0.25
                XCTAssertEqual(out.data[c, y, x], expected)
            } } }
        }
    }

    func testReflectPaddingMirrorsWithoutTheEdge() throws {
        let crop = try make(RandomCrop.self, ["padding": "2", "padding_mode": "reflect"])
        var s = try Sample(image: img)
        try crop.apply(.init(top: 0, left: 0), to: &s)
        XCTAssertEqual(s.data.shape, img.shape)
        // Output (0, 0) reads source (−2, −2), which reflect (torch's, no edge repeat) maps to (2, 2).
        XCTAssertEqual(s.data[0, 0, 0], img[0, 2, 2])
        XCTAssertEqual(s.data[1, 3, 4], img[1, 1, 2])
        let sym = try make(RandomCrop.self, ["padding": "2", "padding_mode": "symmetric"])
        var t = try Sample(image: img)
        try sym.apply(.init(top: 0, left: 0), to: &t)
        XCTAssertEqual(t.data[0, 0, 0], img[0, 1, 1])
    }

    func testRandomResizedCropKeepsTheOutputSizeAndRegionInside() throws {
        let rrc = try make(RandomResizedCrop.self, ["height": "4", "width": "5"])
        let big = testImage(3, 30, 40)
        for seed in 0..<30 {
            let (p, out) = try drawApply(rrc, try Sample(image: big), seed: UInt64(seed))
            XCTAssertEqual(out.data.shape, [3, 4, 5])
            XCTAssertTrue(p.top >= 0 && p.left >= 0 && p.top + p.height <= 30 && p.left + p.width <= 40)
            let area = Float(p.height * p.width) / 1200
            XCTAssertTrue(area >= 0.06 && area <= 1.0, "area \(area)")
        }
        // The full-image region resized to its own size is the image.
        let same = try make(RandomResizedCrop.self, ["height": "30", "width": "40"])
        var s = try Sample(image: big)
        try same.apply(.init(top: 0, left: 0, height: 30, width: 40), to: &s)
        XCTAssertLessThan(s.data.maxAbsDifference(big), 1e-6)
    }

    func testRotateByZeroIsIdentityAndByNinetyTurnsASquare() throws {
        let rot = try make(Rotate.self)
        let sq = testImage(2, 5, 5)
        var s = try Sample(image: sq)
        try rot.apply(.init(angle: 0), to: &s)
        XCTAssertLessThan(s.data.maxAbsDifference(sq), 1e-6)
        var r = try Sample(image: sq)
        try rot.apply(.init(angle: 90), to: &r)
        // Counter-clockwise on screen: output (y, x) reads source (x, 4 − y).
        for c in 0..<2 { for y in 0..<5 { for x in 0..<5 {
            XCTAssertEqual(r.data[c, y, x], sq[c, x, 4 - y], accuracy: 1e-5)
        } } }
    }

    func testAffineTranslationShiftsAndIdentityKeeps() throws {
        let aff = try make(Affine.self)
        var s = try Sample(image: img)
        try aff.apply(.init(scale: 1, translateX: 0, translateY: 0, rotate: 0, shear: 0), to: &s)
        XCTAssertLessThan(s.data.maxAbsDifference(img), 1e-6)
        var t = try Sample(image: img)
        try aff.apply(.init(scale: 1, translateX: 2.0 / 9.0, translateY: -1.0 / 7.0, rotate: 0, shear: 0), to: &t)
        // Content moves 2 right and 1 up; uncovered pixels read the fill (0).
        XCTAssertEqual(t.data[0, 2, 5], img[0, 3, 3], accuracy: 1e-5)
        XCTAssertEqual(t.data[1, 6, 4], 0)
        XCTAssertEqual(t.data[1, 3, 0], 0)
        // Scale 2 about the centre: output centre pixel stays, a pixel 2 away reads 1 away.
        var z = try Sample(image: testImage(1, 9, 9))
        let src = z.data
        try aff.apply(.init(scale: 2, translateX: 0, translateY: 0, rotate: 0, shear: 0), to: &z)
        XCTAssertEqual(z.data[0, 4, 4], src[0, 4, 4], accuracy: 1e-6)
        XCTAssertEqual(z.data[0, 4, 6], src[0, 4, 5], accuracy: 1e-6)
    }

    func testBrightnessContrastIsAlphaXPlusBetaClipped() throws {
        let bc = try make(RandomBrightnessContrast.self, ["brightness_limit": "0.3", "contrast_limit": "0.5"])
        let (p, out) = try drawApply(bc, try Sample(image: img), seed: 4)
        XCTAssertTrue(abs(p.alpha - 1) <= 0.5 && abs(p.beta) <= 0.3)
        for i in 0..<img.count {
            XCTAssertEqual(out.data.storage[i], min(1, max(0, p.alpha * img.storage[i] + p.beta)), accuracy: 1e-6)
        }
    }

    func testGammaAndColorJitterSaturationZeroGivesGray() throws {
        var g = try Sample(image: img)
        try make(RandomGamma.self).apply(.init(gamma: 2), to: &g)
        XCTAssertEqual(g.data[1, 2, 3], img[1, 2, 3] * img[1, 2, 3], accuracy: 1e-6)
        var s = try Sample(image: img)
        try make(ColorJitter.self, ["saturation": "1"]).apply(.init(brightness: 1, contrast: 1, saturation: 0, order: [2, 0, 1]), to: &s)
        let gray = 0.299 * img[0, 3, 4] + 0.587 * img[1, 3, 4] + 0.114 * img[2, 3, 4]
        for c in 0..<3 { XCTAssertEqual(s.data[c, 3, 4], gray, accuracy: 1e-6) }
    }

    func testColorJitterHueDrawsWithinRangeKeepsValueAndSkipsGrayImages() throws {
        let jitter = try make(ColorJitter.self, ["hue": "0.2"])
        let (p, out) = try drawApply(jitter, try Sample(image: img), seed: 11)
        XCTAssertTrue(abs(p.hue) <= 0.2 && p.hue != 0, "hue \(p.hue)")
        XCTAssertEqual(p.order.sorted(), [0, 1, 2, 3])
        // A hue rotation keeps each pixel's max and min channel (V and V − S·V).
        for y in 0..<img.shape[1] {
            for x in 0..<img.shape[2] {
                let a = (0..<3).map { img[$0, y, x] }, b = (0..<3).map { out.data[$0, y, x] }
                XCTAssertEqual(a.max()!, b.max()!, accuracy: 1e-5)
                XCTAssertEqual(a.min()!, b.min()!, accuracy: 1e-5)
            }
        }
        let gray = Tensor(shape: [1, 6, 5], repeating: 0.3)
        var g = try Sample(image: gray)
        try jitter.apply(.init(brightness: 1, contrast: 1, saturation: 1, hue: 0.2, order: [3]), to: &g)
        XCTAssertEqual(g.data.storage, gray.storage)
    }

    func testColorJitterWithoutHueDrawsAsBeforeAndOldDrawsStillDecode() throws {
        // Hue 0 keeps the three-operation draw, so existing seeded configurations are unchanged.
        let (p, _) = try drawApply(try make(ColorJitter.self, ["brightness": "0.3"]), try Sample(image: img), seed: 11)
        XCTAssertEqual(p.hue, 0)
        XCTAssertEqual(p.order.count, 3)
        let old = #"{"brightness": 1.1, "contrast": 0.9, "saturation": 1, "order": [2, 0, 1]}"#
        let decoded = try JSONDecoder().decode(ColorJitter.Params.self, from: Data(old.utf8))
        XCTAssertEqual(decoded, .init(brightness: 1.1, contrast: 0.9, saturation: 1, hue: 0, order: [2, 0, 1]))
        XCTAssertThrowsError(try make(ColorJitter.self, ["hue": "0.6"])) { e in
            XCTAssertTrue("\(e)".contains("hue"), "\(e)")
        }
    }

    func testGaussNoiseHasTheDrawnStdAndIsReplayable() throws {
        let flat = Tensor(shape: [1, 100, 100], repeating: 0.5)
        let gn = try make(GaussNoise.self, ["std_range": "0.05,0.1"])
        let (p, out) = try drawApply(gn, try Sample(image: flat), seed: 9)
        let d = out.data.storage.map { Double($0 - 0.5) }
        let mean = d.reduce(0, +) / Double(d.count)
        let std = (d.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(d.count)).squareRoot()
        XCTAssertEqual(std, Double(p.std), accuracy: Double(p.std) * 0.03)
        XCTAssertEqual(mean, 0, accuracy: 0.003)
        var again = try Sample(image: flat)
        try gn.apply(p, to: &again)
        XCTAssertEqual(again.data, out.data)
    }

    func testGaussianBlurUsesPerceptVisionsBlur() throws {
        let blur = try make(GaussianBlur.self, ["blur_limit": "3,7", "sigma_limit": "0.5,2"])
        let (p, out) = try drawApply(blur, try Sample(image: img), seed: 2)
        XCTAssertTrue([3, 5, 7].contains(p.ksize))
        XCTAssertEqual(out.data, try Gaussian.blur(img, sigma: Double(p.sigma), size: p.ksize))
    }

    func testCutoutAndErasingFillExactlyTheirBoxes() throws {
        let big = testImage(2, 20, 24)
        let cd = try make(CoarseDropout.self, ["num_holes_range": "2,3", "hole_height_range": "3,5", "hole_width_range": "0.1,0.2", "fill": "-1"])
        let (p, out) = try drawApply(cd, try Sample(image: big), seed: 3)
        XCTAssertTrue((2...3).contains(p.holes.count))
        func inside(_ y: Int, _ x: Int, _ rs: [Rect]) -> Bool {
            rs.contains { y >= $0.top && y < $0.top + $0.height && x >= $0.left && x < $0.left + $0.width }
        }
        for r in p.holes { XCTAssertTrue((3...5).contains(r.height) && (2...5).contains(r.width)) }
        for c in 0..<2 { for y in 0..<20 { for x in 0..<24 {
            XCTAssertEqual(out.data[c, y, x], inside(y, x, p.holes) ? -1 : big[c, y, x])
        } } }
        let re = try make(RandomErasing.self, ["value": "0.5"])
        let (q, erased) = try drawApply(re, try Sample(image: big), seed: 8)
        let box = try XCTUnwrap(q.box)
        for y in 0..<20 { for x in 0..<24 {
            XCTAssertEqual(erased.data[1, y, x], inside(y, x, [box]) ? 0.5 : big[1, y, x])
        } }
    }
}
