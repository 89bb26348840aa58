import Foundation
import XCTest

/// `percept extract DIR`: links that lead nowhere are reported, and what a killed run left is cleaned.
final class DirectoryRunHygieneTests: CLITestCase {
    func testDanglingAndLoopingLinksAreEachAFailureWithALine() throws {
        let input = path("in")
        try FileManager.default.createDirectory(atPath: input + "/sub", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: sample("spoken/3/en+f1_200_80.wav"), toPath: input + "/a.wav")
        XCTAssertEqual(symlink("missing.wav", input + "/dangling.wav"), 0)
        XCTAssertEqual(symlink("loop2.wav", input + "/sub/loop1.wav"), 0)
        XCTAssertEqual(symlink("loop1.wav", input + "/sub/loop2.wav"), 0)
        let r = try run(["extract", "mfcc", input, "-o", path("out")])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stdout.contains("1 ok, 3 failed"), r.stdout)
        let lines = r.stderr.split(separator: "\n")
        XCTAssertEqual(lines.filter { $0.contains(input + "/dangling.wav: dangling symlink") }.count, 1, r.stderr)
        XCTAssertEqual(lines.filter { $0.contains("/sub/loop") && $0.contains("symlink loop") }.count, 2, r.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("out/a.npy")))
    }

    func testARerunRemovesTheTemporaryFilesAKilledRunLeft() throws {
        let input = path("in"), out = path("out")
        try FileManager.default.createDirectory(atPath: input + "/sub", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: out + "/sub", withIntermediateDirectories: true)
        for rel in ["a.wav", "sub/b.wav"] { try FileManager.default.copyItem(atPath: sample("spoken/3/en+f1_200_80.wav"), toPath: input + "/" + rel) }
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let dead = gone.processIdentifier
        let leftovers = ["/.a.npy.tmp-\(dead)-1", "/sub/.b.npy.tmp-\(dead)-2"]
        let kept = ["/.c.npy.tmp-\(getpid())-1", "/.a.npy.tmp-\(dead)", "/notes.tmp-\(dead)-1"]   // a live writer's; look-alikes
        for rel in leftovers + kept { XCTAssertTrue(FileManager.default.createFile(atPath: out + rel, contents: Data([0]))) }
        let r = try run(["extract", "mfcc", input, "-o", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("removed 2 temporary files left in \(out)"), r.stderr)
        for rel in leftovers { XCTAssertFalse(FileManager.default.fileExists(atPath: out + rel), rel) }
        for rel in kept { XCTAssertTrue(FileManager.default.fileExists(atPath: out + rel), rel) }
    }

    func testAugmentRemovesTheTemporaryFilesAKilledRunLeftInItsFolder() throws {
        let out = path("aug")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let leftover = out + "/.0003_1.png.tmp-\(gone.processIdentifier)-7", live = out + "/.0003_2.png.tmp-\(getpid())-7"
        for p in [leftover, live] { XCTAssertTrue(FileManager.default.createFile(atPath: p, contents: Data([0]))) }
        let r = try run(["augment", sample("digits/3/0003.png"), "-o", out, "--config", "Pipelines/augment/digits.yaml", "--copies", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("removed 1 temporary file left in \(out)"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: leftover))
        XCTAssertTrue(FileManager.default.fileExists(atPath: live), "a running writer's file stays")
    }
}
