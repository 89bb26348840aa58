import Foundation
import PerceptCore
import PerceptIO
import XCTest

final class DirectoryTreeTests: TempDirTestCase {
    func testListsMatchingFilesOfTheWholeTreeSortedCaseInsensitiveAndSkipsHiddenOnes() throws {
        for name in ["b/2.wav", "b/c/3.WAV", "a.wav", "notes.txt", "b/c/d/4.flac", "b/._2.wav", "b/.wav", ".git/x.wav"] {
            try FileManager.default.createDirectory(atPath: (path(name) as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            _ = write([1], name)
        }
        try FileManager.default.createDirectory(atPath: path("empty.wav"), withIntermediateDirectories: true)
        XCTAssertEqual(try DirectoryTree.files(under: dir, extensions: ["wav", "flac"]),
                       ["a.wav", "b/2.wav", "b/c/3.WAV", "b/c/d/4.flac"])
        XCTAssertEqual(try DirectoryTree.files(under: dir + "/b/c", extensions: ["flac"]), ["d/4.flac"])
        // The other visible files are counted (notes.txt, and the .wav/.WAV ones for a flac-only scan); hidden ones are not.
        XCTAssertEqual(try DirectoryTree.scan(under: dir, extensions: ["wav", "flac"]).skipped, 1)
        XCTAssertEqual(try DirectoryTree.scan(under: dir, extensions: ["flac"]).skipped, 4)
    }

    func testFollowsLinksToFilesButNotToFolders() throws {
        try FileManager.default.createDirectory(atPath: path("real"), withIntermediateDirectories: true)
        _ = write([1], "real/x.png")
        XCTAssertEqual(symlink(path("real/x.png"), path("link.png")), 0)
        XCTAssertEqual(symlink(dir, path("real/loop")), 0)   // a cycle, which must not be walked
        XCTAssertEqual(try DirectoryTree.files(under: dir, extensions: ["png"]), ["link.png", "real/x.png"])
    }

    func testDanglingAndLoopingLinksAreListedEachWithWhy() throws {
        _ = write([1], "ok.wav")
        XCTAssertEqual(symlink(path("missing.wav"), path("dangling.wav")), 0)
        XCTAssertEqual(symlink(path("loop-b.wav"), path("loop-a.wav")), 0)
        XCTAssertEqual(symlink(path("loop-a.wav"), path("loop-b.wav")), 0)
        XCTAssertEqual(symlink("self.wav", path("self.wav")), 0)
        let listing = try DirectoryTree.scan(under: dir, extensions: ["wav"])
        XCTAssertEqual(listing.files, ["ok.wav"])
        XCTAssertEqual(listing.broken.map(\.path), ["dangling.wav", "loop-a.wav", "loop-b.wav", "self.wav"])
        XCTAssertTrue(listing.broken[0].reason.hasPrefix("dangling symlink"), listing.broken[0].reason)
        for b in listing.broken.dropFirst() { XCTAssertTrue(b.reason.hasPrefix("symlink loop"), b.reason) }
        XCTAssertEqual(listing.skipped, 0)
    }

    func testFilesUnderATreeWithADanglingLinkIsBadInputNamingIt() throws {
        _ = write([1], "ok.png")
        XCTAssertEqual(symlink(path("gone.png"), path("dangling.png")), 0)
        assertBadInput(try DirectoryTree.files(under: dir, extensions: ["png"]), file: path("dangling.png"), "dangling symlink")
    }

    func testAFileOrMissingPathIsBadInput() throws {
        let f = write([1], "x.wav")
        assertBadInput(try DirectoryTree.files(under: f, extensions: ["wav"]), file: f, "not a folder")
        assertBadInput(try DirectoryTree.files(under: path("nope"), extensions: ["wav"]), file: path("nope"), "not a folder")
    }
}
