import Foundation
import PerceptCore
import PerceptIO
import XCTest

/// Inputs that `make fuzz` found (docs/reliability.md, "Fuzzing"), kept in Fixtures/fuzz/: each
/// must be rejected as bad input in one line, without first allocating the size its header claims.
/// A new finding is one more file there; the reader is picked by its extension.
final class FuzzFindingTests: TempDirTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz").path

    func testEveryFuzzFindingIsRejectedAsBadInputWithoutAllocatingItsClaimedSize() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures).sorted()
        XCTAssertFalse(names.isEmpty, "no findings in \(Self.fixtures)")
        for name in names {
            let p = Self.fixtures + "/" + name
            let before = peakResidentBytes()
            assertBadInput(try read(p), file: p, "")
            // Each of these claims gigabytes; the peak only grows, so a read that allocated the claim shows here.
            XCTAssertLessThan(peakResidentBytes() - before, 1 << 30, "\(name): reading it raised peak memory by over 1 GiB")
        }
    }

    private func read(_ p: String) throws {
        switch (p as NSString).pathExtension {
        case "idx", "gz": _ = try IDX.read(p)
        case "npz": _ = try Npz.load(p)
        case "npy": _ = try Npy.load(p)
        case "png": _ = try ImageFile.read(p)
        case "wav", "flac", "ogg": _ = try AudioFile.read(p)
        default: XCTFail("\(p): no reader for this extension")
        }
    }

    /// The process's peak resident set so far (getrusage's ru_maxrss, in KiB on Linux).
    private func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }
}
