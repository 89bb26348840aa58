import Foundation
import PerceptCore
import PerceptIO
import XCTest

final class EventFileWriterTests: TempDirTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tensorboard").path
    let wall0 = 1_764_000_000.25

    private func fixture(_ name: String) -> [UInt8] { bytes(Self.fixtures + "/" + name) }

    /// The events of Fixtures/make_tensorboard_fixture.py, written with the same wall times.
    func testWritesTheSameBytesAsTensorBoardAndTorchForEveryRecord() throws {
        let tb = try EventFileWriter(directory: path("run"), wallTime: wall0)
        try tb.addScalar("train/loss", value: 0.3125, step: 1, wallTime: wall0 + 1.5)
        try tb.addScalar("validation/accuracy", value: 0.98, step: 1, wallTime: wall0 + 2.0)
        try tb.addScalar("train/loss_step", value: -1.75, step: 0, wallTime: wall0 + 2.5)
        let small: [Float] = [-3.5, -0.25, 0, 0, 1e-13, 0.001, 0.5, 0.75, 2, 1000]
        try tb.addHistogram("weights/dense_1/weight", values: small, step: 2, wallTime: wall0 + 3.0)
        let big = try Npy.load(Self.fixtures + "/histogram_values.npy").floats()
        XCTAssertEqual(big.count, 2000)
        try tb.addHistogram("activations/dense_1", values: big, step: 3, wallTime: wall0 + 3.5)
        try tb.addImage("filters/conv2d_1", png: fixture("image.png"), height: 4, width: 6, channels: 3, step: 4, wallTime: wall0 + 4.0)
        try tb.close()

        let expected = fixture("events.fixture")
        let ours = bytes(tb.path)
        let (a, b) = (tfRecords(ours), tfRecords(expected))
        XCTAssertEqual(a.count, 7)
        XCTAssertEqual(a.count, b.count)
        let names = ["file_version", "train/loss", "validation/accuracy", "train/loss_step", "small histogram", "2000-value histogram", "image"]
        for (k, (x, y)) in zip(a, b).enumerated() where x != y {
            let at = (0..<min(x.count, y.count)).first { x[$0] != y[$0] } ?? min(x.count, y.count)
            XCTFail("record \(k) (\(names[k])) differs from TensorBoard's at byte \(at) (lengths \(x.count), \(y.count))")
        }
        XCTAssertTrue(ours == expected, "the files differ")
    }

    func testFileIsNamedLikeTorchsAndADirectoryIsCreated() throws {
        let tb = try EventFileWriter(directory: path("a/b/model"), wallTime: 1_700_000_123.9)
        let name = (tb.path as NSString).lastPathComponent
        XCTAssertEqual((tb.path as NSString).deletingLastPathComponent, path("a/b/model"))
        var host = [CChar](repeating: 0, count: 256)
        XCTAssertEqual(gethostname(&host, 255), 0)
        XCTAssertEqual(name, "events.out.tfevents.1700000123.\(host.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }).\(getpid())")
        // A second writer in the same second and folder gets its own file.
        let second = try EventFileWriter(directory: path("a/b/model"), wallTime: 1_700_000_123.9)
        XCTAssertEqual(second.path, tb.path + ".1")
    }

    func testTheFileVersionEventIsOnDiskAtOnceAndLaterEventsAfterFlush() throws {
        let tb = try EventFileWriter(directory: dir, wallTime: wall0)
        XCTAssertEqual(tfRecords(bytes(tb.path)), [Array(tfRecords(fixture("events.fixture"))[0])])
        try tb.addScalar("train/loss", value: 1, step: 1)
        XCTAssertEqual(tfRecords(bytes(tb.path)).count, 1)
        try tb.flush()
        XCTAssertEqual(tfRecords(bytes(tb.path)).count, 2)
    }

    func testBadHistogramAndImageAndUseAfterCloseAreErrors() throws {
        let tb = try EventFileWriter(directory: dir)
        XCTAssertThrowsError(try tb.addHistogram("weights/x", values: [Float.nan], step: 1)) { error in
            XCTAssertEqual((error as? PerceptError)?.field, "weights/x")
        }
        XCTAssertThrowsError(try tb.addImage("img", png: [1], height: 0, width: 3, channels: 1, step: 1)) { error in
            XCTAssertEqual((error as? PerceptError)?.field, "img")
        }
        XCTAssertThrowsError(try tb.addImage("img", png: [], height: 2, width: 3, channels: 1, step: 1))
        try tb.close()
        XCTAssertThrowsError(try tb.addScalar("a", value: 1, step: 1)) { XCTAssertTrue("\($0)".hasPrefix(tb.path + ": "), "\($0)") }
    }

    func testAFileWhereTheFolderShouldBeIsAnErrorNamingIt() throws {
        let blocker = write([1], "blocker")
        XCTAssertThrowsError(try EventFileWriter(directory: blocker + "/model")) { error in
            XCTAssertTrue("\(error)".contains(blocker), "\(error)")
        }
    }
}
