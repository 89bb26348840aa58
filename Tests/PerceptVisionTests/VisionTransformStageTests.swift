import Foundation
import PerceptCore
import PerceptIO
import PerceptVision
import XCTest

/// The image transform stages: output shapes reported before running, one clear error for a
/// wrong kind, and the same numbers as the compute types they wrap.
final class VisionTransformStageTests: XCTestCase {
    /// A deterministic [c, h, w] image with values in [0, 1].
    func image(_ c: Int, _ h: Int, _ w: Int) -> Tensor {
        Tensor(unchecked: [c, h, w], data: (0..<(c * h * w)).map { Float(($0 * 7919) % 251) / 250 })
    }

    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }

    func testGrayIsTheLumaOfTheDecodedFile() throws {
        let rgba = image(4, 5, 6)
        let out = try GrayStage().apply(try Sample(image: rgba))
        XCTAssertEqual(out.data, ImageData(pixels: rgba, bitDepth: 8).gray())
        XCTAssertEqual(out.shape, try GrayStage().outputShape(for: SampleShape(kind: .image, dims: [4, 5, 6])))
    }

    func testSobelModesEqualTheGradients() throws {
        let img = image(1, 9, 11)
        let g = try Sobel.gradients(img, border: .replicate, magnitude: true)
        let xy = try SobelStage(border: "replicate").apply(try Sample(image: img))
        XCTAssertEqual(xy.data.shape, [2, 9, 11])
        XCTAssertEqual(xy.data.slice(0), g.gx.slice(0))
        XCTAssertEqual(xy.data.slice(1), g.gy.slice(0))
        let magnitude = try SobelStage(border: "replicate", mode: "magnitude").apply(try Sample(image: img))
        XCTAssertEqual(magnitude.data, g.magnitude)
        let direction = try SobelStage(mode: "direction")
        XCTAssertEqual(try direction.outputShape(for: SampleShape(kind: .image, dims: [3, 9, 11])).dims, [3, 9, 11])
        XCTAssertEqual(try SobelStage().outputShape(for: SampleShape(kind: .image, dims: [3, 9, 11])).dims, [6, 9, 11])
    }

    func testHOGIsAVectorOfTheReportedLength() throws {
        let stage = try HOGStage(pixelsPerCell: 4, cellsPerBlock: 2)
        let img = image(1, 16, 20)
        let shape = try stage.outputShape(for: SampleShape(kind: .image, dims: [1, 16, 20]))
        XCTAssertEqual(shape, SampleShape(kind: .vector, dims: [3 * 4 * 2 * 2 * 9]))
        let out = try stage.apply(try Sample(image: img))
        XCTAssertEqual(out.shape, shape)
        XCTAssertEqual(out.data, try HOG(pixelsPerCell: (4, 4), cellsPerBlock: (2, 2)).features(img.slice(0)))
        XCTAssertTrue(message { _ = try stage.outputShape(for: SampleShape(kind: .image, dims: [1, 6, 6])) }
            .hasPrefix("image: The input image is too small"))
    }

    func testPyramidLevelEqualsTheGaussianPyramid() throws {
        let img = image(1, 13, 10)
        let stage = try PyramidLevelStage(level: 2)
        XCTAssertEqual(try stage.outputShape(for: SampleShape(kind: .image, dims: [1, 13, 10])).dims, [1, 4, 3])
        let levels = try Pyramid.gaussian(img.slice(0), levels: 3)
        XCTAssertEqual(try stage.apply(try Sample(image: img)).data.slice(0), levels[2])
        XCTAssertEqual(message { _ = try PyramidLevelStage(level: 5).outputShape(for: SampleShape(kind: .image, dims: [1, 8, 8])) },
                       "pyramid_level.level: level=5 is more than a 8 × 8 image can halve into (at most 3)")
    }

    func testAWrongKindIsOneClearError() throws {
        let audio = SampleShape(kind: .audio, dims: [1, 1000], sampleRate: 8000)
        XCTAssertEqual(message { _ = try SobelStage().outputShape(for: audio) }, "sobel: works on images, but the input is audio")
        XCTAssertEqual(message { _ = try HOGStage().outputShape(for: SampleShape(kind: .spectrogram, dims: [1, 64, 40])) },
                       "hog: works on images, but the input is a spectrogram")
        XCTAssertEqual(message { _ = try GrayStage().apply(try Sample(vector: Tensor(shape: [5]))) }, "gray: works on images, but the input is a vector")
    }

    func testOptionsAreCheckedWithTheirNames() {
        XCTAssertEqual(message { _ = try SobelStage(mode: "curl") }, "sobel.mode: 'curl' is not one of xy, magnitude, direction")
        XCTAssertEqual(message { _ = try HOGStage(orientations: 0) }, "hog.orientations: orientations=0 must be ≥ 1")
        XCTAssertEqual(message { _ = try PyramidLevelStage(level: -1) }, "pyramid_level.level: must be ≥ 0, got -1")
    }
}
