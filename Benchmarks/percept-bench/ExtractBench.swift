// Directory mode of the CLI: 2,000 one-second WAV files → one log-mel .npy each, timed as a user
// sees it (the whole `percept extract` process), vs a Python loop of soundfile + librosa.
import Foundation
import PerceptCore

/// The `percept` binary next to this one (both are products of the same build), or $PERCEPT.
func perceptBinary() -> String {
    if let p = ProcessInfo.processInfo.environment["PERCEPT"], !p.isEmpty { return p }
    let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    return me.deletingLastPathComponent().appendingPathComponent("percept").path
}

let extractWorkloads: [Workload] = [
    Workload(name: "extract-dir", summary: "percept extract melspectrogram --db over 2,000 one-second WAVs") { dir in
        let clips = dir + "/clips"
        let files = try FileManager.default.contentsOfDirectory(atPath: clips).filter { $0.hasSuffix(".wav") }
        let out = URL(fileURLWithPath: dir).deletingLastPathComponent().appendingPathComponent("extract-percept").path
        let binary = perceptBinary()
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw PerceptError.runtime("\(binary): not found; build the percept product first")
        }
        return {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["extract", "melspectrogram", clips, "-o", out, "--n-fft", "512", "--hop-length", "160",
                           "--n-mels", "64", "--power", "2", "--db"]
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else {
                throw PerceptError.runtime("percept extract exited \(p.terminationStatus)")
            }
            return Work(items: files.count, shape: [files.count])
        }
    },
]
