import Foundation
import XCTest

/// The attacks of issue #16, as a user would meet them: each hostile file or option gives exit 2,
/// one line on stderr naming the file or option, and nothing written — under a 3 GB address-space
/// limit, so a size taken from a header on trust shows up as a crash instead of passing unnoticed
/// on a machine with memory to spare. The inputs are under Fixtures/hostile (made by
/// make_hostile.py there).
final class HostileInputTests: CLITestCase {
    static let limitKB = 3_000_000

    func hostile(_ name: String) -> String { Self.root + "/Tests/PerceptCLITests/Fixtures/hostile/" + name }

    /// Runs `args` (OUT/ replaced by a fresh folder) under the limit; asserts exit 2, one stderr line
    /// naming `subject` and saying `fragment`, and an empty output folder.
    func assertRefused(_ args: [String], names subject: String, _ fragment: String, line: UInt = #line) throws {
        let out = path("out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let r = try run(args.map { $0.replacingOccurrences(of: "OUT/", with: out + "/") }, timeout: 120, addressSpaceKB: Self.limitKB)
        XCTAssertEqual(r.status, 2, "stderr: \(r.stderr)", line: line)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "one line on stderr, got: \(r.stderr)", line: line)
        XCTAssertTrue(r.stderr.contains(subject), "'\(r.stderr)' should name \(subject)", line: line)
        XCTAssertTrue(r.stderr.contains(fragment), "'\(r.stderr)' lacks '\(fragment)'", line: line)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out), [], "nothing written", line: line)
    }

    func testIDXDimensionsWhoseProductOverflowsAreRefused() throws {
        try assertRefused(["info", hostile("huge-dims.idx")], names: "huge-dims.idx", "more than can be addressed")
    }

    func testAGzipClaimingSixteenGigabytesIsRefusedBeforeAllocating() throws {
        try assertRefused(["info", hostile("claims-16gb.idx.gz")], names: "claims-16gb.idx.gz", "memory limit")
    }

    func testAGzipClaimingLessThanTheLimitIsReadAsTruncated() throws {
        // Within a 20 GB limit the claim passes the check; the payload streams and ends at once.
        try assertRefused(["info", hostile("claims-16gb.idx.gz"), "--max-memory", "20G"], names: "claims-16gb.idx.gz", "truncated")
    }

    func testAnNpzWhoseDirectoryClaimsFourGigabytesIsRefused() throws {
        try assertRefused(["info", hostile("claims-4gb.npz")], names: "claims-4gb.npz", "truncated zip entry a.npy")
    }

    func testAFLACClaimingTwoBillionSamplesIsRefusedQuickly() throws {
        // (A claim within the limit is decoded into untouched pages and ends as "truncated":
        // AudioFileTests.testAFLACClaimingMoreSamplesThanItHoldsIsTruncated.)
        try assertRefused(["extract", "melspectrogram", hostile("claims-2e9.flac"), "-o", "OUT/a.npy"], names: "claims-2e9.flac", "2000000000 frames")
    }

    func testResamplingAOneHertzFileIsBoundedByTheLimit() throws {
        try assertRefused(["extract", "melspectrogram", hostile("sr1.wav"), "-o", "OUT/a.npy", "--sr", "1536000"], names: "--sr",
                          "sr1.wav: resampling from 1 Hz to 1536000 Hz is 1536000-fold; at most 1024-fold is supported")
        try assertRefused(["extract", "melspectrogram", hostile("sr1.wav"), "-o", "OUT/a.npy", "--sr", "1000", "--max-memory", "100K"], names: "--sr",
                          "sr1.wav: resampling 1000 samples from 1 Hz to 1000 Hz (1000000 samples) would need 4.0 MB, more than the memory limit of 102 kB")
    }

    func testAHopThatWouldOverflowFrameArithmeticIsRefused() throws {
        try assertRefused(["extract", "melspectrogram", sample("spoken/3/en+f1_200_80.wav"), "-o", "OUT/a.npy", "--hop-length", "9223372036854775807"],
                          names: "--hop-length", "larger than the supported")
    }

    func testAHugeFFTWithAHopOfOneIsRefusedBeforeAnyWork() throws {
        try assertRefused(["extract", "melspectrogram", sample("spoken/3/en+f1_200_80.wav"), "-o", "OUT/a.npy", "--n-fft", "1048576", "--hop-length", "1"],
                          names: "--hop-length", "1024-fold")
    }

    func testAnFFTOfOneSampleIsComputedLikeLibrosa() throws {
        // librosa: a one-sample periodic Hann window is [1]; each frame is one sample, squared.
        let r = try run(["extract", "spectrogram", sample("spoken/3/en+f1_200_80.wav"), "-o", path("one.npy"), "--n-fft", "1", "--hop-length", "1000"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("one.npy")))
    }

    func testHoGOrientationCountsAreBounded() throws {
        for n in ["100000", "1000000000"] {
            try assertRefused(["extract", "hog", sample("images/camera.png"), "-o", "OUT/h.npy", "--orientations", n], names: "--orientations", "between 1 and 360")
        }
    }

    func testAnOptionThatDoesNotFitTheImageNamesTheFile() throws {
        try assertRefused(["extract", "hog", sample("images/camera.png"), "-o", "OUT/h.npy", "--pixels-per-cell", "600"],
                          names: "camera.png", "--pixels-per-cell: a 600 × 600 cell is larger than the 512 × 512 image")
    }

    func testOverflowingOutputsAreRefusedNotWrittenAsSuccess() throws {
        try assertRefused(["extract", "melspectrogram", hostile("huge-float.wav"), "-o", "OUT/a.npy"], names: "huge-float.wav", "infinite or NaN")
        try assertRefused(["extract", "melspectrogram", sample("spoken/3/en+f1_200_80.wav"), "-o", "OUT/a.npy", "--power", "1e38"],
                          names: "en+f1_200_80.wav", "infinite or NaN")
    }

    func testThePictureCannotOverwriteTheFeatures() throws {
        try assertRefused(["extract", "mfcc", sample("spoken/3/en+f1_200_80.wav"), "-o", "OUT/same.npy", "--png", "OUT/same.npy"], names: "--png", "also the -o output")
        try assertRefused(["extract", "mfcc", sample("spoken/3/en+f1_200_80.wav"), "-o", "OUT/a.npy", "--png", "OUT/./a.npy"], names: "--png", "also the -o output")
    }

    func testABadPictureDestinationIsFoundBeforeTheFeaturesAreWritten() throws {
        try assertRefused(["extract", "sobel", sample("images/camera.png"), "-o", "OUT/s.npy", "--png", "OUT/"], names: "--png", "is a folder")
    }

    func testLibmpg123ChatterIsFoldedIntoOneLine() throws {
        let r = try run(["extract", "mfcc", hostile("mpeg-garbage.wav"), "-o", path("m.npy")])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("mpeg-garbage.wav") && r.stderr.contains("(libmpg123: "), r.stderr)
        XCTAssertFalse(r.stderr.contains("[src/"), r.stderr)
    }

    func testMaxMemoryIsAcceptedByEveryCommandAndChecked() throws {
        try assertRefused(["extract", "mfcc", sample("spoken/3/en+f1_200_80.wav"), "-o", "OUT/a.npy", "--max-memory", "lots"], names: "--max-memory", "not a size")
        try assertRefused(["--max-memory", "1K", "extract", "hog", sample("images/camera.png"), "-o", "OUT/h.npy"],
                          names: "camera.png", "set by the memory limit (--max-memory)")
        try assertRefused(["--max-memory", "4M", "extract", "hog", sample("images/camera.png"), "-o", "OUT/h.npy", "--pixels-per-cell", "1", "--cells-per-block", "4"],
                          names: "camera.png", "--cells-per-block: the 509 × 509 blocks of 4 × 4 cells × 9 orientations would need")
        try assertRefused(["info", sample("mnist/t10k-images-idx3-ubyte.gz"), "--max-memory", "1M", "--max-memory", "2M"], names: "--max-memory", "given twice")
    }

    func testTrainingThatCannotFitInMemoryIsRefusedBeforeAnyWork() throws {
        try assertRefused(["run", "Pipelines/quickstart.yaml", "--out", "OUT/run", "--only", "digits_cnn", "--set", "models.digits_cnn.train.batch_size=100000000"],
                          names: "models.digits_cnn.layers", "training (weights, gradients, adam state and the activations of a batch of 100000000) would need")
    }
}
