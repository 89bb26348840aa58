import Foundation
import XCTest

/// Runs the built `percept` binary (it sits beside the test bundle in the build folder).
class CLITestCase: XCTestCase {
    var dir: String = ""
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.path

    static var binary: String {
        let here = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent()
        for candidate in [here, here.deletingLastPathComponent()] {
            let p = candidate.appendingPathComponent("percept").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return root + "/.build/debug/percept"
    }

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "percept-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: Self.binary), "build percept first: \(Self.binary)")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func path(_ name: String) -> String { (dir as NSString).appendingPathComponent(name) }
    func sample(_ rel: String) -> String { Self.root + "/Samples/" + rel }

    func write(_ bytes: [UInt8], _ name: String) -> String {
        XCTAssertTrue(FileManager.default.createFile(atPath: path(name), contents: Data(bytes)), name)
        return path(name)
    }

    /// Polls `condition` every millisecond until it holds (true) or `timeout` seconds pass (false):
    /// a bounded wait for something another process does, never a fixed sleep.
    func waitUntil(timeout: TimeInterval, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            if Date() >= deadline { return false }
            usleep(1_000)
        }
        return true
    }

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    /// Runs the binary to completion (at most `timeout` seconds: a hung run is killed and fails
    /// the test instead of stalling the suite); `addressSpaceKB` runs it under `ulimit -v`.
    func run(_ args: [String], env: [String: String] = [:], timeout: TimeInterval = 300, addressSpaceKB: Int? = nil) throws -> Result {
        let p = Process()
        var env = env
        var addressSpaceKB = addressSpaceKB
        // The sanitizers reserve terabytes of shadow address space, so a sanitized build (`make
        // sanitize-asan` / `sanitize-tsan` set ASAN_OPTIONS / TSAN_OPTIONS) cannot start under
        // `ulimit -v`: give it the memory limit that three quarters of that address space would give.
        let environment = ProcessInfo.processInfo.environment
        if let kb = addressSpaceKB, environment["ASAN_OPTIONS"] != nil || environment["TSAN_OPTIONS"] != nil {
            env["PERCEPT_MAX_MEMORY"] = "\(kb / 4 * 3)K"
            addressSpaceKB = nil
        }
        if let kb = addressSpaceKB {
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "ulimit -v \(kb) && exec \"$0\" \"$@\"", Self.binary] + args
        } else {
            p.executableURL = URL(fileURLWithPath: Self.binary)
            p.arguments = args
        }
        p.currentDirectoryURL = URL(fileURLWithPath: Self.root)
        var e = ProcessInfo.processInfo.environment
        for (k, v) in env { e[k] = v }
        p.environment = e
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        // Both pipes drain at once: read one after the other, a child that fills the second
        // (64 KiB of stderr) would wait for a reader that waits for the first to close.
        let o = Drained(out.fileHandleForReading), r = Drained(err.fileHandleForReading)
        if !waitUntil(timeout: timeout, { !p.isRunning }) {
            kill(p.processIdentifier, SIGKILL)
            XCTFail("percept \(args.joined(separator: " ")) ran for more than \(Int(timeout)) s; killed")
        }
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o.data, as: UTF8.self), stderr: String(decoding: r.data, as: UTF8.self))
    }

    /// Asserts exit 2 with exactly one stderr line that names `subject` and says `fragment`.
    func assertBadInput(_ args: [String], env: [String: String] = [:], names subject: String, _ fragment: String, line: UInt = #line) throws {
        let r = try run(args, env: env)
        XCTAssertEqual(r.status, 2, "stderr: \(r.stderr)", line: line)
        let lines = r.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "one line on stderr, got: \(r.stderr)", line: line)
        XCTAssertTrue(r.stderr.contains(subject), "'\(r.stderr)' should name \(subject)", line: line)
        XCTAssertTrue(fragment.isEmpty || r.stderr.lowercased().contains(fragment.lowercased()), "'\(r.stderr)' lacks '\(fragment)'", line: line)
        XCTAssertFalse(r.stderr.contains("Fatal error") || r.stderr.contains("Backtrac"), line: line)
    }
}

/// Reads a pipe to its end on a background thread; `data` waits for the end (the writer exited).
final class Drained: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var bytes = Data()

    init(_ handle: FileHandle) {
        Thread { [self] in
            bytes = handle.readDataToEndOfFile()
            done.signal()
        }.start()
    }

    var data: Data {
        done.wait()
        done.signal()   // later reads return at once
        return bytes
    }
}
