import CFileOps
import Foundation
import PerceptCore
@testable import PerceptIO
import XCTest

final class AtomicWriterTests: TempDirTestCase {
    private func inode(_ p: String) -> UInt64 {
        var st = stat()
        return stat(p, &st) == 0 ? UInt64(st.st_ino) : 0
    }

    private func hiddenFiles() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix(".") }
    }

    /// Whether this filesystem has both operations the inode reuse rests on (Linux ext4, xfs,
    /// btrfs, tmpfs and overlayfs do); elsewhere the writer is a plain temp-and-rename.
    private func reuseSupported() -> Bool {
        let a = write([1], ".probe-a"), b = write([2], ".probe-b")
        defer { unlink(a); unlink(b) }
        guard cfo_rename_exchange(a, b) == 0 else { return false }
        let fd = open(a, O_WRONLY)
        defer { close(fd) }
        return fd >= 0 && cfo_only_opener(fd) == 1
    }

    func testWritesNewFilesAndCreatesTheirFolders() throws {
        let w = AtomicWriter()
        try w.write([1, 2, 3], to: path("a/b/x.npy"))
        try w.write([4], to: path("a/y.npy"))
        w.finish()
        XCTAssertEqual(bytes(path("a/b/x.npy")), [1, 2, 3])
        XCTAssertEqual(bytes(path("a/y.npy")), [4])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path("a")).sorted(), ["b", "y.npy"])
    }

    func testRerunOverOutputsReusesTheReplacedInodesAndLeavesNoTemporaryFiles() throws {
        let names = (0..<5).map { path("out\($0).npy") }
        for (i, p) in names.enumerated() { _ = write([UInt8](repeating: UInt8(i), count: 100), (p as NSString).lastPathComponent) }
        let old = names.map(inode)
        let w = AtomicWriter()
        // Smaller, larger and equal sizes: a reused inode must hold exactly the new bytes.
        let sizes = [40, 300, 100, 1, 100]
        for (i, p) in names.enumerated() { try w.write([UInt8](repeating: UInt8(10 + i), count: sizes[i]), to: p) }
        let sparesBeforeFinish = hiddenFiles().count
        let mine = { TemporaryFiles.current.filter { $0.hasPrefix(self.dir + "/") } }
        XCTAssertEqual(mine().map { ($0 as NSString).lastPathComponent }.sorted(), hiddenFiles().sorted(),
                       "the spare is registered for removal on a signal")
        w.finish()
        XCTAssertEqual(mine(), [], "nothing stays registered")
        for (i, p) in names.enumerated() {
            XCTAssertEqual(bytes(p), [UInt8](repeating: UInt8(10 + i), count: sizes[i]), p)
        }
        XCTAssertEqual(hiddenFiles(), [], "the spare inode is removed at the end")
        if reuseSupported() {
            // The first output needs a new inode; each later one gets the inode replaced just before it.
            XCTAssertEqual(names.dropFirst().map(inode), Array(old.dropLast()), "replaced inodes are reused")
            XCTAssertEqual(sparesBeforeFinish, 1, "the last replaced inode waits as the spare")
        }
    }

    func testReaderHoldingAnOldOutputKeepsItsContent() throws {
        let a = write([UInt8](repeating: 7, count: 64), "a.npy")
        _ = write([UInt8](repeating: 8, count: 64), "b.npy")
        let reader = try XCTUnwrap(FileHandle(forReadingAtPath: a))
        defer { try? reader.close() }
        let w = AtomicWriter()
        try w.write([1, 1], to: a)        // the old a.npy, still open above, is now the spare…
        try w.write([2, 2, 2], to: path("b.npy"))   // …which must not be overwritten for b.npy
        w.finish()
        XCTAssertEqual([UInt8](try reader.readToEnd() ?? Data()), [UInt8](repeating: 7, count: 64))
        XCTAssertEqual(bytes(a), [1, 1])
        XCTAssertEqual(bytes(path("b.npy")), [2, 2, 2])
        XCTAssertEqual(hiddenFiles(), [])
    }

    func testHardLinkedOutputIsReplacedAndItsOtherNameKeepsTheOldContent() throws {
        let a = write([5, 5, 5], "a.npy")
        XCTAssertEqual(link(a, path("keep.npy")), 0)
        _ = write([6], "b.npy")
        let w = AtomicWriter()
        try w.write([1], to: a)
        try w.write([2], to: path("b.npy"))
        w.finish()
        XCTAssertEqual(bytes(a), [1])
        XCTAssertEqual(bytes(path("b.npy")), [2])
        XCTAssertEqual(bytes(path("keep.npy")), [5, 5, 5])
    }

    func testFolderInPlaceOfAnOutputIsBadInputAndLeftAlone() throws {
        try FileManager.default.createDirectory(atPath: path("x.npy/inner"), withIntermediateDirectories: true)
        let w = AtomicWriter()
        assertBadInput(try w.write([1], to: path("x.npy")), file: path("x.npy"), "is a directory")
        w.finish()
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("x.npy/inner")))
        XCTAssertEqual(hiddenFiles(), [])
    }

    func testHeaderAndBodyAreWrittenAsOneFileAlsoOverALongerOne() throws {
        let t = Tensor(unchecked: [2, 3], data: [1, 2, 3, 4, 5, 6])
        let a = write([UInt8](repeating: 9, count: 4096), "a.npy")   // longer than the new content
        let w = AtomicWriter()
        try Npy.withParts(t) { head, data in try w.write(head, then: data, to: a) }
        try Npy.withParts(t) { head, data in try w.write(head, then: data, to: path("sub/b.npy")) }
        w.finish()
        XCTAssertEqual(bytes(a), Npy.encode(NpyArray(t)))
        XCTAssertEqual(bytes(path("sub/b.npy")), Npy.encode(NpyArray(t)))
        XCTAssertEqual(hiddenFiles(), [])
    }
}
