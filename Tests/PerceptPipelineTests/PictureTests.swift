import Foundation
import PerceptAugment
import PerceptCore
import PerceptPipeline
import XCTest

/// The `--png` pictures of `percept extract` and the contact sheets of `percept augment`: sizes,
/// panels and labels (what they look like is checked by eye; see docs/extract.md).
final class PictureTests: XCTestCase {
    private func picture(_ name: String, _ values: [String: Value], _ input: Sample) throws -> Tensor {
        let f = try FeatureRegistry.make(name, values)
        return try XCTUnwrap(try f.picture(of: f.extract(input, path: "in"), input: input))
    }

    private func image(_ h: Int, _ w: Int) throws -> Sample {
        try Sample(image: Tensor(unchecked: [1, h, w], data: (0..<(h * w)).map { Float(($0 % w) * ($0 / w) % 17) / 16 }))
    }

    private func tone(seconds: Double, rate: Int = 16000) throws -> Sample {
        let n = Int(seconds * Double(rate))
        // A 440 Hz tone plus a chirp, so every coefficient moves.
        let y = (0..<n).map { i -> Float in
            let t = Double(i)
            let tone = 0.5 * sin(2 * Double.pi * 440 * t / Double(rate))
            return Float(tone + 0.1 * sin(t * t * 1e-5))
        }
        return try Sample(audio: Tensor(unchecked: [1, n], data: y), sampleRate: rate)
    }

    func testSobelPictureFollowsTheMode() throws {
        let img = try image(400, 400)
        let xy = try picture("sobel", [:], img)
        let magnitude = try picture("sobel", ["mode": "magnitude"], img)
        let direction = try picture("sobel", ["mode": "direction"], img)
        XCTAssertGreaterThanOrEqual(xy.shape[2], 3 * 400, "image, gx and gy")
        for (mode, p) in [("magnitude", magnitude), ("direction", direction)] {
            XCTAssertEqual(p.shape[0], 3, mode)
            XCTAssertGreaterThanOrEqual(p.shape[2], 400, mode)
            XCTAssertLessThan(p.shape[2], 2 * 400, "\(mode): one panel")
        }
    }

    func testSmallImagesAreEnlargedInHoGAndPyramidPictures() throws {
        let digit = try image(8, 8)
        let hog = try picture("hog", ["pixels_per_cell": [4, 4], "cells_per_block": [1, 1]], digit)
        XCTAssertGreaterThanOrEqual(hog.shape[1], 112, "the 8 × 8 digit and its glyphs at least 112 pixels high")
        XCTAssertGreaterThanOrEqual(hog.shape[2], 2 * 112)
        let pyramid = try picture("pyramid", ["levels": 3], digit)
        XCTAssertGreaterThanOrEqual(pyramid.shape[1], 112)
        XCTAssertGreaterThanOrEqual(pyramid.shape[2], 3 * 112, "every level enlarged")
    }

    func testAudioPicturesHaveReadableBinsAndWidth() throws {
        let clip = try tone(seconds: 0.5)
        let mel = try picture("melspectrogram", ["n_mels": 40, "n_fft": 512, "hop_length": 160, "db": true], clip)
        XCTAssertGreaterThanOrEqual(mel.shape[1], 40 * 4)
        XCTAssertGreaterThanOrEqual(mel.shape[2], 600)
        let mfcc = try picture("mfcc", ["n_mfcc": 13, "n_fft": 512, "hop_length": 160], clip)
        let stacked = try picture("mfcc", ["n_mfcc": 13, "n_fft": 512, "hop_length": 160, "deltas": 2], clip)
        XCTAssertGreaterThanOrEqual(mfcc.shape[1], 13 * 4)
        XCTAssertGreaterThanOrEqual(mfcc.shape[2], 600)
        XCTAssertEqual(stacked.shape[1], 3 * mfcc.shape[1], "MFCC, Δ and ΔΔ one above the other")
        let spec = try picture("spectrogram", ["n_fft": 256, "hop_length": 128], clip)
        XCTAssertGreaterThanOrEqual(spec.shape[1], 129 * 4)
        for p in [mel, mfcc, spec] { XCTAssertGreaterThanOrEqual(p.min, 0); XCTAssertLessThanOrEqual(p.max, 1) }
    }

    /// MFCC 0 spans far more than the others; scaled per coefficient, a high coefficient's row still
    /// shows the map's dark and light ends.
    func testMFCCPictureScalesEachCoefficientToItsOwnRange() throws {
        let p = try picture("mfcc", ["n_mfcc": 13, "n_fft": 512, "hop_length": 160], tone(seconds: 0.5))
        let h = p.shape[1], w = p.shape[2]
        // The plot's top rows are coefficient 12; find the plot by its frame and read a row inside it.
        var darkest: Float = 3, lightest: Float = 0
        let y = h / 4
        for x in (w / 10)..<(w * 8 / 10) {
            let v = p[0, y, x] + p[1, y, x] + p[2, y, x]
            darkest = Swift.min(darkest, v); lightest = Swift.max(lightest, v)
        }
        XCTAssertLessThan(darkest, 0.8, "viridis' dark end appears in a high coefficient's row")
        XCTAssertGreaterThan(lightest, 1.6, "and its light end")
    }

    private struct Angle: Codable, Sendable { var angle: Double; var seed: UInt64 }

    func testContactSheetCaptionsTilesAndListsTheStages() throws {
        let original = try image(28, 28), variant = try image(28, 28)
        let plain = try ContactSheet.make([original, variant])
        let listed = try ContactSheet.make([original, variant], stages: [[], ["rotate angle=-7.31", "gauss_noise std=0.02"]], name: "a.png")
        XCTAssertEqual(plain.shape[0], 3)
        XCTAssertGreaterThanOrEqual(plain.shape[1], 112 + 13, "28-pixel images shown ×4, a caption below")
        XCTAssertGreaterThan(listed.shape[1], plain.shape[1], "room for the title and the stage lines")
        // The caption strip under the tiles holds ink.
        let h = plain.shape[1], w = plain.shape[2]
        var ink = 0
        for y in (h - 16)..<h { for x in 0..<w where plain[0, y, x] < 0.5 { ink += 1 } }
        XCTAssertGreaterThan(ink, 20, "'original' and 'variant 1' are written under the tiles")
    }

    func testStagesAreDescribedFromTheDrawRecords() {
        let draws = [
            StageDraw(stage: "fix_length", applied: true, params: nil),
            StageDraw(stage: "rotate", applied: true, params: Angle(angle: -7.3125, seed: 42)),
            StageDraw(stage: "gauss_noise", applied: false, params: nil),
        ]
        XCTAssertEqual(ContactSheet.describe(draws), ["fix_length", "rotate angle=-7.31"])
        XCTAssertEqual(ContactSheet.describe([StageDraw(stage: "gain", applied: false, params: nil)]), ["no random stage applied"])
    }
}
