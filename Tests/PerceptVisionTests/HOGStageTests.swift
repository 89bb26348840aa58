import PerceptCore
import PerceptVision
import XCTest

/// `hog`'s `levels`: multi-scale HoG is the concatenation of the HoG of each cv2.pyrDown level.
final class HOGStageTests: XCTestCase {
    /// A deterministic [c, h, w] image with values in [0, 1] and some structure at every scale.
    func image(_ c: Int, _ h: Int, _ w: Int) -> Tensor {
        Tensor(unchecked: [c, h, w], data: (0..<(c * h * w)).map { Float(($0 * 7919) % 251) / 250 })
    }

    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }

    func testTwoLevelsConcatenateTheHoGOfTheImageAndOfItsPyrDown() throws {
        let hog = try HOG(pixelsPerCell: (4, 4), cellsPerBlock: (2, 2))
        for c in [1, 3] {
            let img = image(c, 28, 28)
            let stage = try HOGStage(pixelsPerCell: 4, cellsPerBlock: 2, levels: 2)
            let out = try stage.apply(try Sample(image: img))
            let expected = try hog.features(img).storage + hog.features(try Pyramid.down(img)).storage
            XCTAssertEqual(out.data.storage, expected, "\(c) channel(s)")
            // MNIST's 28 × 28 with 4-pixel cells and 2 × 2 blocks: 6 × 6 blocks, then 14 × 14: 2 × 2 blocks.
            XCTAssertEqual(out.data.shape, [6 * 6 * 36 + 2 * 2 * 36])
            XCTAssertEqual(try stage.outputShape(for: SampleShape(kind: .image, dims: [c, 28, 28])), out.shape)
        }
    }

    func testThreeLevelsFollowPyrDownsRoundedUpSizes() throws {
        // 33 × 50 → 17 × 25 → 9 × 13 (⌈/2⌉ each time, as cv2.pyrDown).
        let img = image(1, 33, 50)
        let stage = try HOGStage(pixelsPerCell: 3, cellsPerBlock: 2, levels: 3)
        let out = try stage.apply(try Sample(image: img))
        let hog = try HOG(pixelsPerCell: (3, 3), cellsPerBlock: (2, 2))
        let l1 = try Pyramid.down(img), l2 = try Pyramid.down(l1)
        XCTAssertEqual(l2.shape, [1, 9, 13])
        XCTAssertEqual(out.data.storage, try hog.features(img).storage + hog.features(l1).storage + hog.features(l2).storage)
        XCTAssertEqual(try stage.outputShape(for: SampleShape(kind: .image, dims: [1, 33, 50])).dims,
                       [(10 * 15 + 4 * 7 + 2 * 3) * 36])
    }

    func testOneLevelIsThePlainHoG() throws {
        let img = image(1, 16, 20)
        let plain = try HOGStage(pixelsPerCell: 4, cellsPerBlock: 2).apply(try Sample(image: img))
        XCTAssertEqual(plain.data, try HOG(pixelsPerCell: (4, 4), cellsPerBlock: (2, 2)).features(img))
        XCTAssertEqual(try HOGStage().levels, 1)
    }

    func testALevelSmallerThanOneBlockIsAnErrorNamingLevels() {
        // 28 → 14 → 7: a 7 × 7 image holds no 8 × 8 block.
        let stage = { try HOGStage(pixelsPerCell: 4, cellsPerBlock: 2, levels: 3) }
        XCTAssertEqual(message { _ = try stage().outputShape(for: SampleShape(kind: .image, dims: [1, 28, 28])) },
                       "hog.levels: levels=3: level 2 is 7 × 7, smaller than one block (8 × 8 pixels); use at most 2 levels or smaller cells")
        XCTAssertEqual(message { _ = try stage().apply(try Sample(image: self.image(1, 28, 28))) },
                       "hog.levels: levels=3: level 2 is 7 × 7, smaller than one block (8 × 8 pixels); use at most 2 levels or smaller cells")
        XCTAssertEqual(message { _ = try HOGStage(levels: 0) }, "hog.levels: levels=0 must be ≥ 1")
    }
}
