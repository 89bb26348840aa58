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

    func testSizeOptionsBeyondMemoryAreErrorsNotOverflowingAllocations() throws {
        let img = try Sample(image: Tensor(shape: [1, 4, 4], repeating: 0.5))
        for stage in [try ResizeStage(height: Int.max, width: 10), try CenterCropStage(height: 1 << 40, width: 1 << 40)] as [any Transform] {
            XCTAssertThrowsError(try stage.apply(img)) { e in
                XCTAssertTrue("\(e)".hasPrefix("\(type(of: stage).name).size: an output of 1 × ") && "\(e)".contains("--max-memory)"), "\(e)")
            }
        }
        XCTAssertThrowsError(try Resize.resize(Tensor(shape: [4, 4], repeating: 0), height: 1 << 31, width: 1 << 31)) { e in
            XCTAssertTrue("\(e)".hasPrefix("size: a 2147483648 × 2147483648 output would need"), "\(e)")
        }
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

    func testResizeEqualsResizeOfEveryPlaneWithTheNamedInterpolation() throws {
        let img = image(2, 9, 12)
        for (name, method) in [("linear", Resize.Method.bilinear), ("nearest", .nearest), ("area", .area)] {
            let stage = try ResizeStage(height: 4, width: 5, interpolation: name)
            let out = try stage.apply(try Sample(image: img))
            XCTAssertEqual(out.data, try Resize.resize(img, height: 4, width: 5, method: method), name)
            XCTAssertEqual(out.shape, try stage.outputShape(for: SampleShape(kind: .image, dims: [2, 9, 12])))
        }
        let spec = try ResizeStage(ResizeStage.parameters(["size": 6])).apply(try Sample(spectrogram: image(1, 20, 30)))
        XCTAssertEqual(spec.kind, .spectrogram)
        XCTAssertEqual(spec.data.shape, [1, 6, 6])
    }

    func testCenterCropIsTorchvisionsRoundedCentreAndPadsWithZeros() throws {
        // 1 × 4 × 5: a 2 × 2 crop starts at row round(1.0) = 1 and column round(1.5) = 2 (half to even).
        let img = Tensor(unchecked: [1, 4, 5], data: (0..<20).map(Float.init))
        let crop = try CenterCropStage(height: 2, width: 2).apply(try Sample(image: img))
        XCTAssertEqual(crop.data.storage, [7, 8, 12, 13])
        // 2 × 1 × 2 → 3 × 4: torchvision pads ⌊1/2⌋ = 0 rows above, 1 below, 1 column left and right.
        let small = Tensor(unchecked: [2, 1, 2], data: [1, 2, 3, 4])
        let big = try CenterCropStage(height: 2, width: 4).apply(try Sample(image: small))
        XCTAssertEqual(big.data, Tensor(unchecked: [2, 2, 4], data: [0, 1, 2, 0, 0, 0, 0, 0, 0, 3, 4, 0, 0, 0, 0, 0]))
        XCTAssertEqual(try CenterCropStage(height: 2, width: 4).outputShape(for: SampleShape(kind: .spectrogram, dims: [3, 9, 9])).dims, [3, 2, 4])
    }

    func testNormalizeSubtractsTheMeanAndDividesByTheStdPerChannel() throws {
        let img = image(3, 2, 2)
        let out = try NormalizeStage(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]).apply(try Sample(image: img))
        for c in 0..<3 {
            let m: Float = [0.485, 0.456, 0.406][c], d: Float = [0.229, 0.224, 0.225][c]
            XCTAssertEqual(out.data.slice(c).storage, img.slice(c).storage.map { ($0 - m) / d })
        }
        let one = try NormalizeStage(mean: [0.5], std: [0.5]).apply(try Sample(image: img))
        XCTAssertEqual(one.data.storage, img.storage.map { ($0 - 0.5) / 0.5 })
        XCTAssertEqual(message { _ = try NormalizeStage(mean: [0, 0], std: [1]).outputShape(for: SampleShape(kind: .image, dims: [3, 4, 4])) },
                       "normalize.mean: has 2 values for 3 channels (give one per channel, or one)")
        XCTAssertEqual(message { _ = try NormalizeStage(mean: [0], std: [0]) }, "normalize.std: a standard deviation of 0 divides by zero")
        XCTAssertEqual(message { _ = try NormalizeStage(NormalizeStage.parameters(["std": 1])) }, "normalize.mean: is required")
    }

    func testAWrongKindIsOneClearError() throws {
        XCTAssertEqual(message { _ = try ResizeStage(height: 2, width: 2).outputShape(for: SampleShape(kind: .audio, dims: [1, 9], sampleRate: 8000)) },
                       "resize: works on images or spectrograms, but the input is audio")
        XCTAssertEqual(message { _ = try CenterCropStage(height: 2, width: 2).apply(try Sample(vector: Tensor(shape: [4]))) },
                       "center_crop: works on images or spectrograms, but the input is a vector")
        let audio = SampleShape(kind: .audio, dims: [1, 1000], sampleRate: 8000)
        XCTAssertEqual(message { _ = try SobelStage().outputShape(for: audio) }, "sobel: works on images, but the input is audio")
        XCTAssertEqual(message { _ = try HOGStage().outputShape(for: SampleShape(kind: .spectrogram, dims: [1, 64, 40])) },
                       "hog: works on images, but the input is a spectrogram")
        XCTAssertEqual(message { _ = try GrayStage().apply(try Sample(vector: Tensor(shape: [5]))) }, "gray: works on images, but the input is a vector")
    }

    func testOptionsAreCheckedWithTheirNames() {
        XCTAssertEqual(message { _ = try SobelStage(mode: "curl") }, "sobel.mode: 'curl' is not one of xy, magnitude, direction")
        XCTAssertEqual(message { _ = try HOGStage(orientations: 0) }, "hog.orientations: orientations=0 must be between 1 and 360 (half-degree bins)")
        XCTAssertEqual(message { _ = try PyramidLevelStage(level: -1) }, "pyramid_level.level: must be ≥ 0, got -1")
        XCTAssertEqual(message { _ = try ResizeStage(height: 0, width: 3) }, "resize.size: must be > 0")
        XCTAssertEqual(message { _ = try ResizeStage(height: 3, width: 3, interpolation: "cubic") },
                       "resize.interpolation: 'cubic' is not one of linear, nearest, area")
    }
}
