import Foundation
import XCTest

/// `mpirun -np 2 percept run`: the same run as one process, one writer, no hang when a rank dies.
/// Needs Open MPI (mpirun on PATH, percept built with it: `make deps` installs it as root); without
/// it these tests are skipped, unless PERCEPT_REQUIRE_MPI=1 (CI) turns the skip into a failure.
final class DataParallelCommandTests: CLITestCase {
    /// The quickstart's digits on 12 per class with a smaller CNN and no dropout, 3 epochs:
    /// seconds in the debug build.
    let pipeline = ["Pipelines/quickstart.yaml", "--only", "digits_cnn", "--set", "+data.digits.max_per_class=12",
                    "--set", "models.digits_cnn.train.epochs=3", "--set", "models.digits_cnn.train.batch_size=16",
                    "--set", "models.digits_cnn.layers=[{conv2d: {out_channels: 6, kernel_size: 5}}, relu, {maxpool2d: {kernel_size: 2}}, flatten, {dense: {out_features: classes}}]"]

    var mpirun: String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        return dirs.map { "\($0)/mpirun" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// mpirun, or a skip (a failure under PERCEPT_REQUIRE_MPI=1) saying why there is none.
    func requireMPI() throws -> String {
        let env = ProcessInfo.processInfo.environment
        func missing(_ why: String) throws -> Never {
            if env["PERCEPT_REQUIRE_MPI"] == "1" { XCTFail(why + " (PERCEPT_REQUIRE_MPI=1)"); throw XCTSkip(why) }
            throw XCTSkip(why)
        }
        // mpirun starts the ranks under the sanitizers' shadow memory and Open MPI's own leaks.
        if env["ASAN_OPTIONS"] != nil || env["TSAN_OPTIONS"] != nil { throw XCTSkip("not under the sanitizers") }
        guard let m = mpirun else { try missing("mpirun not found: apt-get install openmpi-bin libopenmpi-dev") }
        let probe = try run(["run"] + pipeline + ["--out", path("probe")], env: ["OMPI_COMM_WORLD_SIZE": "2", "OMPI_COMM_WORLD_RANK": "0"])
        if probe.stderr.contains("built without MPI") { try missing("this percept was built without MPI") }
        return m
    }

    /// This environment, with Open MPI's single-copy shared-memory transfers off: they need ptrace
    /// rights between the ranks, which containers (a CI machine may be one) often withhold, and
    /// Open MPI then prints "Read -1, expected …" for every large message (open-mpi/ompi#4948).
    static var mpiEnvironment: [String: String] {
        ProcessInfo.processInfo.environment.merging(["OMPI_MCA_btl_vader_single_copy_mechanism": "none"]) { _, new in new }
    }

    /// `mpirun -np K percept ARGS`, as root too, more ranks than cores allowed.
    func mpi(_ np: Int, _ args: [String], timeout: TimeInterval = 300) throws -> (Process, Drained, Drained) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try requireMPI())
        p.arguments = ["--allow-run-as-root", "--oversubscribe", "-np", "\(np)", Self.binary] + args
        p.currentDirectoryURL = URL(fileURLWithPath: Self.root)
        p.environment = Self.mpiEnvironment
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err; p.standardInput = FileHandle.nullDevice
        try p.run()
        return (p, Drained(out.fileHandleForReading), Drained(err.fileHandleForReading))
    }

    /// The float32 tensors of a safetensors file, by name (header JSON, then little-endian data).
    func tensors(_ file: String) throws -> [String: [Float]] {
        let d = try Data(contentsOf: URL(fileURLWithPath: file))
        let n = Int(d.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let header = try XCTUnwrap(JSONSerialization.jsonObject(with: d.subdata(in: 8..<(8 + n))) as? [String: Any])
        var out: [String: [Float]] = [:]
        for (name, v) in header {
            guard let info = v as? [String: Any], info["dtype"] as? String == "F32", let o = info["data_offsets"] as? [Int] else { continue }
            out[name] = d.subdata(in: (8 + n + o[0])..<(8 + n + o[1])).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        }
        return out
    }

    func testTwoRanksGiveTheSingleProcessRunAndOnlyRankZeroWrites() throws {
        let one = try run(["run"] + pipeline + ["--out", path("one"), "--quiet"])
        XCTAssertEqual(one.status, 0, one.stderr)
        let (p, out, err) = try mpi(2, ["run"] + pipeline + ["--out", path("two")])
        XCTAssertTrue(waitUntil(timeout: 300) { !p.isRunning }, "mpirun did not finish")
        let stderr = String(decoding: err.data, as: UTF8.self), stdout = String(decoding: out.data, as: UTF8.self)
        XCTAssertEqual(p.terminationStatus, 0, stderr)
        XCTAssertEqual(stderr.components(separatedBy: "data-parallel: 2 processes").count, 2, "rank 0 alone reports: \(stderr)")
        XCTAssertEqual(stdout.components(separatedBy: "test accuracy").count, 2, "one summary table: \(stdout)")

        // Same files (rank 1 wrote nothing beside rank 0's), same metrics to float reduction-order
        // tolerance: the mean gradient is (8/16)·mean₀ + (8/16)·mean₁ instead of one sum over 16,
        // which changes the last bits of each step, never more than 1e-4 after 3 epochs here.
        let files = { (d: String) in try FileManager.default.subpathsOfDirectory(atPath: d).filter { !$0.hasPrefix("tensorboard/") }.sorted() }
        XCTAssertEqual(try files(path("two")), try files(path("one")))
        let m1 = try XCTUnwrap(tensors(path("one/models/digits_cnn/model.safetensors")))
        let m2 = try XCTUnwrap(tensors(path("two/models/digits_cnn/model.safetensors")))
        XCTAssertEqual(m1.keys.sorted(), m2.keys.sorted())
        XCTAssertFalse(m1.isEmpty)
        for (name, a) in m1 {
            let b = try XCTUnwrap(m2[name])
            let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThan(worst, 1e-4, "\(name) differs by \(worst)")
        }
        let h1 = try String(contentsOfFile: path("one/models/digits_cnn/history.csv"), encoding: .utf8).split(separator: "\n")
        let h2 = try String(contentsOfFile: path("two/models/digits_cnn/history.csv"), encoding: .utf8).split(separator: "\n")
        // Loss, accuracy, val_loss, val_accuracy, lr printed to 6 digits: equal; seconds differ.
        XCTAssertEqual(h1.map { $0.split(separator: ",").dropLast() }, h2.map { $0.split(separator: ",").dropLast() })
        let j1 = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("one/metrics.json")))) as? [String: Any])
        let j2 = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("two/metrics.json")))) as? [String: Any])
        let r1 = try XCTUnwrap((j1["models"] as? [String: Any])?["digits_cnn"] as? [String: Any])
        let r2 = try XCTUnwrap((j2["models"] as? [String: Any])?["digits_cnn"] as? [String: Any])
        XCTAssertEqual(r1["test_accuracy"] as? Double, r2["test_accuracy"] as? Double)
        XCTAssertEqual(try XCTUnwrap(r1["test_loss"] as? Double), try XCTUnwrap(r2["test_loss"] as? Double), accuracy: 1e-5)
    }

    func testAKilledRankEndsEveryRankWithAnErrorAndTheRunResumesUnderMpirun() throws {
        let long = pipeline.map { $0 == "models.digits_cnn.train.epochs=3" ? "models.digits_cnn.train.epochs=40" : $0 }
        let (p, _, err) = try mpi(2, ["run"] + long + ["--out", path("killed")])
        defer { if p.isRunning { p.terminate() } }
        // Once the first epoch is done both ranks are in the step loop; kill the second one.
        XCTAssertTrue(waitUntil(timeout: 120) { FileManager.default.fileExists(atPath: path("killed/models/digits_cnn/history.csv")) })
        let ranks = try childProcesses(of: p.processIdentifier)
        XCTAssertEqual(ranks.count, 2, "mpirun's children: \(ranks)")
        kill(try XCTUnwrap(ranks.last), SIGKILL)
        XCTAssertTrue(waitUntil(timeout: 60) { !p.isRunning }, "the surviving rank hung")
        XCTAssertNotEqual(p.terminationStatus, 0)
        let stderr = String(decoding: err.data, as: UTF8.self)
        XCTAssertTrue(stderr.contains("exited on signal 9"), stderr)
        XCTAssertTrue(stderr.contains("percept: rank 0 of 2 stopped by a signal") || stderr.contains("aborted"), stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("killed/metrics.json")), "no finished-run marker")

        // The last epoch's checkpoint is complete: the same mpirun resumes from it and finishes.
        let (again, _, againErr) = try mpi(2, ["run"] + long + ["--out", path("killed"), "--resume"])
        XCTAssertTrue(waitUntil(timeout: 300) { !again.isRunning }, "the resumed run did not finish")
        let resumed = String(decoding: againErr.data, as: UTF8.self)
        XCTAssertEqual(again.terminationStatus, 0, resumed)
        XCTAssertTrue(resumed.contains("resuming after epoch"), resumed)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("killed/metrics.json")))
    }

    func testRanksThatResolvedDifferentPipelinesStopBeforeTrainingAndWriteNothing() throws {
        let mpirun = try requireMPI()
        // Rank 1 runs with another epoch count, as a node with an edited copy of the file would.
        let script = path("rank.sh")
        let quoted = (["run"] + pipeline + ["--out", path("mixed")]).map { "'\($0)'" }.joined(separator: " ")
        try "#!/bin/sh\nif [ \"$OMPI_COMM_WORLD_RANK\" = 1 ]; then set -- --set models.digits_cnn.train.epochs=2; fi\nexec '\(Self.binary)' \(quoted) \"$@\"\n"
            .write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: mpirun)
        p.arguments = ["--allow-run-as-root", "--oversubscribe", "-np", "2", script]
        p.currentDirectoryURL = URL(fileURLWithPath: Self.root)
        p.environment = Self.mpiEnvironment
        let err = Pipe(); p.standardError = err; p.standardOutput = FileHandle.nullDevice
        try p.run()
        let stderr = Drained(err.fileHandleForReading)
        XCTAssertTrue(waitUntil(timeout: 120) { !p.isRunning })
        XCTAssertNotEqual(p.terminationStatus, 0)
        let text = String(decoding: stderr.data, as: UTF8.self)
        XCTAssertTrue(text.contains("rank 1 of 2 resolved another pipeline than rank 0"), text)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("mixed")), "nothing written")
    }

    /// Child process ids of `pid`, from /proc (the ranks mpirun started).
    func childProcesses(of pid: Int32) throws -> [Int32] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc").compactMap(Int32.init).filter { child in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == pid
        }.sorted()
    }

    func testALauncherWorldThatMPIDoesNotSeeIsRefused() throws {
        _ = try requireMPI()
        // What an mpirun of another MPI does: K processes, each told it is one of K, each alone in MPI.
        try assertBadInput(["run"] + pipeline + ["--out", path("wrong")], env: ["OMPI_COMM_WORLD_SIZE": "2", "OMPI_COMM_WORLD_RANK": "0"],
                           names: "OMPI_COMM_WORLD_SIZE=2", "sees an MPI world of 1")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("wrong")))
    }

    func testCommandsOtherThanRunAreRefusedUnderALauncher() throws {
        try assertBadInput(["extract", "mfcc", sample("spoken"), "-o", path("x")], env: ["PMI_SIZE": "2", "PMI_RANK": "1"],
                           names: "PMI_SIZE=2", "only 'percept run' trains over MPI ranks")
        try assertBadInput(["info", sample("spoken")], env: ["OMPI_COMM_WORLD_SIZE": "x", "OMPI_COMM_WORLD_RANK": "0"],
                           names: "OMPI_COMM_WORLD_SIZE", "not a process count")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("x")))
    }
}
