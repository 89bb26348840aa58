import Foundation
import PerceptCore
import PerceptIO
import XCTest

/// `TemporaryName` and `TemporaryFiles.removeLeftovers`: what a run killed with SIGKILL left.
final class TemporaryFilesTests: TempDirTestCase {
    /// The id of a process that has exited (and been reaped).
    private func deadPID() throws -> pid_t {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        return p.processIdentifier
    }

    func testTheNameCarriesTheWritersProcessId() {
        let tmp = TemporaryName.beside("out/sub/a.npy", unique: 7)
        XCTAssertEqual(tmp, "out/sub/.a.npy.tmp-\(getpid())-7")
        XCTAssertEqual(TemporaryName.beside("a.npy", unique: 1), "./.a.npy.tmp-\(getpid())-1")
        XCTAssertEqual(TemporaryName.beside("/a.npy", unique: 1), "/.a.npy.tmp-\(getpid())-1")
        XCTAssertEqual(TemporaryName.writer(of: (tmp as NSString).lastPathComponent), getpid())
        XCTAssertEqual(TemporaryName.writer(of: ".x.tmp-1.tmp-42-18446744073709551615"), 42)
        for other in [".a.npy.tmp-42", "a.npy.tmp-42-1", ".tmp-42-1", ".a.npy.tmp-42-1x", ".a.npy.tmp--1", ".a.tmp-42-1.npy",
                      ".a.npy.tmp-0-1", ".a.npy.tmp-99999999999-1", ".a.npy.tmp-42-1-2", ".a.npy.tmp-٤٢-1", ".a.npy.tmp-+42-1"] {
            XCTAssertNil(TemporaryName.writer(of: other), other)
        }
    }

    func testOnlyLeftoversOfGoneWritersAreRemoved() throws {
        let dead = try deadPID()
        let live = Process()
        live.executableURL = URL(fileURLWithPath: "/bin/sleep")
        live.arguments = ["60"]
        try live.run()
        defer { live.terminate(); live.waitUntilExit() }
        try FileManager.default.createDirectory(atPath: path("sub/deeper"), withIntermediateDirectories: true)
        let gone = [".a.npy.tmp-\(dead)-1", ".b.png.tmp-\(dead)-99", "sub/.c.npy.tmp-\(dead)-3", "sub/deeper/.d.wav.tmp-\(dead)-4"]
        let kept = [".e.npy.tmp-\(live.processIdentifier)-1",   // a percept process still writing
                    ".f.npy.tmp-\(getpid())-1",                 // this process's own
                    ".g.npy.tmp-\(dead)", "g.npy.tmp-\(dead)-1", ".g.tmp-\(dead)-1.npy", ".tmp-\(dead)-1",   // look-alikes
                    "a.npy", ".hidden"]
        for name in gone + kept { _ = write([1], name) }
        XCTAssertEqual(symlink(path("a.npy"), path(".h.npy.tmp-\(dead)-1")), 0)   // a link: not ours
        try FileManager.default.createDirectory(atPath: path(".i.npy.tmp-\(dead)-1"), withIntermediateDirectories: true)

        XCTAssertEqual(TemporaryFiles.removeLeftovers(in: [dir, dir]), 2, "folders are not walked, and each once")
        XCTAssertEqual(TemporaryFiles.removeLeftovers(under: dir), 2, "the two in the subfolders")
        XCTAssertEqual(TemporaryFiles.removeLeftovers(under: dir), 0)
        for name in gone { XCTAssertFalse(FileManager.default.fileExists(atPath: path(name)), name) }
        for name in kept + [".h.npy.tmp-\(dead)-1", ".i.npy.tmp-\(dead)-1"] {
            var st = stat()
            XCTAssertEqual(lstat(path(name), &st), 0, name)
        }
        XCTAssertEqual(TemporaryFiles.removeLeftovers(in: [path("nope")]), 0, "a missing folder is passed over")
    }

    func testTheNoteCountsWhatWasRemoved() {
        XCTAssertNil(TemporaryFiles.note(removed: 0, in: "out"))
        XCTAssertEqual(TemporaryFiles.note(removed: 1, in: "out"), "percept: removed 1 temporary file left in out by an earlier run that was killed")
        XCTAssertEqual(TemporaryFiles.note(removed: 3, in: "out")?.contains("3 temporary files"), true)
    }

    func testAtomicWritesUseTheNameTheCleanupKnows() throws {
        _ = write([1], "x.npy")
        let w = AtomicWriter()
        defer { w.finish() }
        try w.write([2], to: path("x.npy"))   // replaces: the old inode may wait as a hidden spare
        try w.write([3], to: path("y.npy"))
        for name in try FileManager.default.contentsOfDirectory(atPath: dir) where name.hasPrefix(".") {
            XCTAssertEqual(TemporaryName.writer(of: name), getpid(), name)
        }
        XCTAssertEqual(TemporaryFiles.removeLeftovers(in: [dir]), 0, "a live writer's files stay")
    }
}
