import Foundation
import PerceptCore
import PerceptIO
import PerceptPipeline
import XCTest

/// `ShardMerge` on hand-made shard sets: the checks a real run never trips (edited or foreign
/// manifests), each refused with its own line.
final class ShardMergeTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "percept-merge-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    /// The inputs a.wav … d.wav, dealt round-robin to two shards; each output holds its name.
    private func writeSet(inputs: [String] = ["a.wav", "b.wav", "c.wav", "d.wav"], edit: (inout [ShardManifest]) -> Void = { _ in }) throws {
        var set = (0..<2).map { i in
            ShardManifest(version: "1", feature: "mfcc", options: ["n_mfcc": "20"], index: i, count: 2, inputs: inputs.count,
                          inputsSHA256: ShardSpec.fingerprint(inputs), skipped: 0,
                          files: stride(from: i, to: inputs.count, by: 2).map { k in
                              let out = String(inputs[k].dropLast(4)) + ".npy"
                              return ShardManifest.Entry(input: inputs[k], output: out, sha256: SHA256.hex(Array(out.utf8)))
                          })
        }
        for m in set { for e in m.files { try Data(e.output!.utf8).write(to: URL(fileURLWithPath: dir + "/" + e.output!)) } }
        edit(&set)
        for m in set { try m.write(in: dir) }
    }

    private func problems(file: StaticString = #filePath, line: UInt = #line) -> [String] {
        do {
            _ = try ShardMerge.merge(outputDir: dir)
            XCTFail("merged", file: file, line: line)
        } catch let list as DiagnosticList {
            return list.errors.map(\.description)
        } catch let e as PerceptError {
            return [e.description]
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
        return []
    }

    func testAWholeConsistentSetMergesAndLeavesNoManifests() throws {
        try writeSet()
        let done = try ShardMerge.merge(outputDir: dir)
        XCTAssertEqual(done.summary.ok, 4)
        XCTAssertEqual(done.checked, 4)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/.percept-shards"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["a.npy", "b.npy", "c.npy", "d.npy"])
    }

    func testAnInputInTwoShardsIsRefused() throws {
        try writeSet { set in set[1].files.append(set[0].files[0]) }
        XCTAssertEqual(problems(), ["\(dir)/.percept-shards: a.wav is in shards 0 and 1", "\(dir)/a.npy: the output of shards 0 and 1 both"])
    }

    func testAnInputInTheWrongShardIsRefused() throws {
        try writeSet { set in
            let moved = set[0].files.removeLast()
            set[1].files.insert(moved, at: 0)
        }
        XCTAssertEqual(problems(), ["\(dir)/.percept-shards: c.wav is in shard 1, but its place in the list gives it to shard 0"])
    }

    func testShardsThatDoNotAddUpToTheirListAreRefused() throws {
        try writeSet { set in set[1].files.removeLast() }
        XCTAssertEqual(problems(), ["\(dir)/.percept-shards: the shards list 3 inputs, not the 4 they were cut from (or other names): a manifest was edited or mixed"])
    }

    func testAnOutputPathOutsideTheFolderIsRefusedUnread() throws {
        try writeSet { set in set[0].files[0].output = "../a.npy" }
        let lines = problems()
        XCTAssertEqual(lines.first, "\(dir): shard 0's manifest names the output '../a.npy', which is not a path inside the folder")
        XCTAssertEqual(lines.last, "\(dir): rerun only these, then merge again: --shard 0/2")
    }

    func testAFileThatIsNotAManifestOrMisnamedIsRefused() throws {
        try writeSet()
        let folder = dir + "/.percept-shards"
        try Data("{}".utf8).write(to: URL(fileURLWithPath: folder + "/shard-0005-of-0009.json"))
        try FileManager.default.copyItem(atPath: folder + "/shard-0000-of-0002.json", toPath: folder + "/shard-0001-of-0003.json")
        let lines = problems()
        XCTAssertEqual(lines.count, 2, "\(lines)")
        XCTAssertEqual(lines[0], "\(folder)/shard-0001-of-0003.json: holds shard 0 of 2, which is not what its name says")
        XCTAssertTrue(lines[1].hasPrefix("\(folder)/shard-0005-of-0009.json: not a percept shard manifest"), lines[1])
    }

    func testAnImplausibleShardCountIsRefusedNotEnumerated() throws {
        let m = ShardManifest(version: "1", feature: "mfcc", options: [:], index: 0, count: 1_000_000_000_000, inputs: 0,
                              inputsSHA256: ShardSpec.fingerprint([]), skipped: 0, files: [])
        let path = try m.write(in: dir)
        XCTAssertEqual(problems().first, "\(path): shard 0 of 1000000000000 is not a valid shard")
    }

    func testAnotherVersionOrInputListIsAnotherRun() throws {
        try writeSet { set in set[1].version = "2" }
        XCTAssertEqual(problems().first, "\(dir)/.percept-shards/shard-0001-of-0002.json: from another run: percept 2, the others 1; rerun shard 1/2 with the others' settings")
        try writeSet { set in set[1].inputsSHA256 = ShardSpec.fingerprint(["x.wav"]) }
        XCTAssertTrue(problems().first?.contains("cut from another input list") ?? false)
    }
}
