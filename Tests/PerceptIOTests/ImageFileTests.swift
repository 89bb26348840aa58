import CPNGRaw
import Foundation
import PerceptCore
import PerceptIO
import XCTest

final class ImageFileTests: TempDirTestCase {
    func decode(_ b64: String, _ name: String) -> String {
        write([UInt8](Data(base64Encoded: b64)!), name)
    }

    func testEightAndSixteenBitGrayAndRGBRoundTripExactly() throws {
        for depth in [8, 16] {
            let levels = Float(depth == 8 ? 255 : 65535)
            for c in [1, 3] {
                let data = (0..<(c * 5 * 7)).map { Float(($0 * 37) % Int(levels + 1)) / levels }
                let t = try Tensor(shape: [c, 5, 7], data: data)
                try ImageFile.write(t, to: path("x.png"), bitDepth: depth)
                let back = try ImageFile.read(path("x.png"))
                XCTAssertEqual(back.bitDepth, depth)
                XCTAssertEqual(back.pixels, t, "depth \(depth) channels \(c)")
            }
        }
    }

    func testAnAdam7InterlacedImageDecodesToTheSameSamplesAsItsPlainCopy() throws {
        // Fixtures/png/make_interlaced.py: libpng's interlaced pngtest.png and the same samples plain.
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/png").path
        let interlaced = try ImageFile.read(dir + "/interlaced.png"), plain = try ImageFile.read(dir + "/plain.png")
        XCTAssertEqual(interlaced.pixels.shape, [4, 69, 91])
        XCTAssertEqual(interlaced.pixels, plain.pixels)
        XCTAssertGreaterThan(Set(interlaced.pixels.storage).count, 10, "a real picture (31 levels), not a blank")
    }

    func testAFileThatChangedSizeBetweenHeaderAndDecodeIsBadInput() throws {
        // What ImageFile.read does in two steps, with the file replaced in between: the decode
        // refuses a size other than the header's instead of writing past the buffer.
        let t = try Tensor(shape: [1, 4, 5], data: [Float](repeating: 0.5, count: 20))
        try ImageFile.write(t, to: path("a.png"))
        var img = cpng_image(), err = [CChar](repeating: 0, count: 256)
        var dst = [Float](repeating: 0, count: 12)
        XCTAssertNotEqual(cpng_read(path("a.png"), 1 << 20, &img, &dst, 12, &err, err.count), 0)
        XCTAssertTrue(String(decoding: err.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).contains("changed while it was read"))
    }

    func testPaletteWithTransparencyExpandsToRGBA() throws {
        let p = decode("iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAMAAACqqpYoAAAACVBMVEX/AAAA/wAAAP8tSs2KAAAAAnRSTlP/gAgPs2oAAAAQSURBVHicY2BgZGJgYmQAAAAgAAcdK3CgAAAAAElFTkSuQmCC", "pal.png")
        let img = try ImageFile.read(p)
        XCTAssertEqual(img.pixels.shape, [4, 2, 3])
        // Row 0 holds indices 0, 1, 2: red opaque, green with alpha 128, blue (no tRNS entry: opaque).
        XCTAssertEqual(img.pixels[0, 0, 0], 1)
        XCTAssertEqual(img.pixels[1, 0, 1], 1)
        XCTAssertEqual(img.pixels[0, 0, 1], 0)
        XCTAssertEqual(img.pixels[3, 0, 1], 128.0 / 255.0)
        XCTAssertEqual(img.pixels[2, 0, 2], 1)
        XCTAssertEqual(img.pixels[3, 0, 2], 1)
        XCTAssertEqual(try ImageFile.info(p).colorType, "palette")
    }

    func testGammaChunkIsIgnoredSoSamplesStayRaw() throws {
        // An 8-bit gray file with gAMA 1.0: libpng's simplified API would return 59 for 10.
        let p = decode("iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAAAAADRSSBWAAAABGdBTUEAAYagMeiWXwAAAAtJREFUeJxj4DoBAADfANNLIaVJAAAAAElFTkSuQmCC", "gamma.png")
        XCTAssertEqual(try ImageFile.read(p).pixels.storage, [10.0 / 255.0, 200.0 / 255.0])
    }

    func testSixteenBitGrayAlphaKeepsBothChannelsAndGrayDropsAlpha() throws {
        let p = decode("iVBORw0KGgoAAAANSUhEUgAAAAIAAAABEAQAAAAOu2tCAAAAEUlEQVR4nGNgfvH//+EABgYAFWoD/QdSHmgAAAAASUVORK5CYII=", "ga16.png")
        let img = try ImageFile.read(p)
        XCTAssertEqual(img.pixels.shape, [2, 1, 2])
        XCTAssertEqual(img.pixels.storage, [1000 / 65535, 50000 / 65535, 1, 0])
        XCTAssertEqual(img.gray().storage, [1000 / 65535, 50000 / 65535])
    }

    func testGrayIsBT601OnFloatValues() throws {
        let t = try Tensor(shape: [3, 1, 1], data: [10 / 255, 245 / 255, 5 / 255])
        let g = ImageData(pixels: t, bitDepth: 8).gray()
        XCTAssertEqual(g.shape, [1, 1, 1])
        XCTAssertEqual(g.storage[0], 0.299 * 10 / 255 + 0.587 * 245 / 255 + 0.114 * 5 / 255, accuracy: 1e-7)
    }

    func testHugeDimensionsAreRefusedBeforeAllocating() {
        let p = decode("iVBORw0KGgoAAAANSUhEUgABhqAAAYagCAAAAACNOVQUAAAADElEQVR4nGNgoD0AAABkAAGGZDw1AAAAAElFTkSuQmCC", "huge.png")
        assertBadInput(try ImageFile.read(p), file: p, "100000x100000")
    }

    func testCorruptTruncatedAndNonPNGAreBadInput() throws {
        try ImageFile.write(Tensor(shape: [1, 32, 32], repeating: 0.5), to: path("ok.png"))
        let full = bytes(path("ok.png"))
        let cut = write(Array(full[0..<(full.count - 20)]), "cut.png")
        assertBadInput(try ImageFile.read(cut), file: cut, "")
        var flipped = full
        flipped[full.count - 30] ^= 0xFF   // inside IDAT: CRC mismatch
        let corrupt = write(flipped, "corrupt.png")
        assertBadInput(try ImageFile.read(corrupt), file: corrupt, "")
        let text = write(Array("not a png".utf8), "text.png")
        assertBadInput(try ImageFile.read(text), file: text, "not a PNG")
        let empty = write([], "empty.png")
        assertBadInput(try ImageFile.read(empty), file: empty, "empty")
    }

    func testWriteRejectsBadShapesAndFailedWriteLeavesNothing() {
        XCTAssertThrowsError(try ImageFile.write(Tensor(shape: [5, 2, 2]), to: path("bad.png")))
        XCTAssertThrowsError(try ImageFile.write(Tensor(shape: [1, 2, 2]), to: path("bad.png"), bitDepth: 12))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("bad.png")))
    }

    func testEncodePNGDecodesToTheSameEightBitSamplesForGrayRGBAndRGBA() throws {
        for c in [1, 3, 4] {
            let data = (0..<(c * 6 * 9)).map { Float(($0 * 53) % 256) / 255 }
            let t = try Tensor(shape: [c, 6, 9], data: data)
            let png = try ImageFile.encodePNG(t)
            XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            let back = try ImageFile.read(write(png, "enc\(c).png"))
            XCTAssertEqual(back.bitDepth, 8)
            XCTAssertEqual(back.pixels, t, "channels \(c)")
        }
    }

    func testEncodePNGClipsOutOfRangeAndNaNLikeWrite() throws {
        let t = try Tensor(shape: [1, 1, 4], data: [-0.5, .nan, 2, 0.5])
        let back = try ImageFile.read(write(try ImageFile.encodePNG(t), "clip.png"))
        XCTAssertEqual(back.pixels.storage, [0, 0, 1, 128 / 255])
    }

    func testEncodePNGRejectsBadShapes() {
        for shape in [[5, 2, 2], [1, 0, 2], [2, 2]] {
            XCTAssertThrowsError(try ImageFile.encodePNG(Tensor(shape: shape))) { error in
                XCTAssertEqual((error as? PerceptError)?.field, "image")
            }
        }
    }
}
