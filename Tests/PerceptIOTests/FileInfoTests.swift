import Foundation
import PerceptCore
import PerceptIO
import XCTest

final class FileInfoTests: TempDirTestCase {
    func testDetectsKindFromContentNotName() throws {
        try Npy.save(Tensor(shape: [2, 5]), to: path("a.npy"))
        try FileManager.default.moveItem(atPath: path("a.npy"), toPath: path("renamed.bin"))
        XCTAssertEqual(try FileInfo.inspect(path("renamed.bin")).description, "npy    float32 [2, 5]")
    }

    func testDescribesEveryKind() throws {
        try AudioFile.write(stereoSignal(), sampleRate: 44100, to: path("a.wav"))
        XCTAssertTrue(try FileInfo.inspect(path("a.wav")).description.contains("44100 Hz, 2 channels, 4410 frames, 0.100 s"))
        try ImageFile.write(Tensor(shape: [3, 4, 5]), to: path("i.png"), bitDepth: 16)
        XCTAssertEqual(try FileInfo.inspect(path("i.png")).description, "image  PNG 5x4, 3 channels (RGB), 16-bit")
        try Npz.save([("a", Tensor(shape: [1]))], to: path("z.npz"))
        XCTAssertEqual(try FileInfo.inspect(path("z.npz")).description, "npz    1 array: a float32 [1]")
    }

    func testUnsupportedFormatIsBadInput() {
        let p = write(Array("hello world, plain text".utf8), "notes.txt")
        assertBadInput(try FileInfo.inspect(p), file: p, "unsupported format")
    }
}
