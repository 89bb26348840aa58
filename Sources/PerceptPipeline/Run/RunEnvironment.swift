import Foundation
import PerceptAudio
import PerceptCore
import PerceptIO
import PerceptNN

/// Where and with what a run ran (`environment.json`): Percept's version, the machine, the
/// threads and kernels used, and the native libraries' versions — the report's last section.
///
///     let env = RunEnvironment.current(); print(env.cpu)
public struct RunEnvironment: Codable, Sendable, Equatable {
    public var perceptVersion: String
    public var started: String
    public var host: String
    public var os: String
    public var cpu: String
    public var cores: Int
    public var threads: Int
    public var nnKernel: String
    public var libraries: [String: String]

    enum CodingKeys: String, CodingKey {
        case perceptVersion = "percept_version", started, host, os, cpu, cores, threads, nnKernel = "nn_kernel", libraries
    }

    /// This process's environment now.
    public static func current() -> RunEnvironment {
        var u = utsname()
        uname(&u)
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" } ?? "unknown"
        var libs = FileLibraries.versions
        libs["fftw"] = RealFFTPlan.libraryVersion
        libs["soxr"] = Resampler.libraryVersion
        libs["openblas"] = GemmKernel.blasVersion
        let f = ISO8601DateFormatter()
        return RunEnvironment(perceptVersion: PerceptVersion.string, started: f.string(from: Date()), host: ProcessInfo.processInfo.hostName,
                              os: "\(text(u.sysname)) \(text(u.release)) \(text(u.machine))", cpu: model,
                              cores: ProcessInfo.processInfo.activeProcessorCount, threads: Parallel.threads,
                              nnKernel: GemmKernel.active.rawValue, libraries: libs)
    }

    static func read(_ path: String) -> RunEnvironment? {
        guard let d = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(RunEnvironment.self, from: d)
    }

    func write(_ path: String) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        try AtomicFile.write(try enc.encode(self) + Data("\n".utf8), to: path)
    }
}
