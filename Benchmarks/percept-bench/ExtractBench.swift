// Directory mode of the CLI, timed as a user sees it (the whole `percept extract` process):
// 2,000 one-second WAVs → log-mel .npy each (vs soundfile + librosa), 4,000 digit PNGs → HoG .npy
// each (vs cv2.imread + HOGDescriptor + np.save).
import Foundation
import PerceptCore

/// The `percept` binary next to this one (both are products of the same build), or $PERCEPT.
func perceptBinary() -> String {
    if let p = ProcessInfo.processInfo.environment["PERCEPT"], !p.isEmpty { return p }
    let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    return me.deletingLastPathComponent().appendingPathComponent("percept").path
}

/// `percept extract ARGS[0] INPUTS/folder -o OUTPUT ARGS[1...]` as one timed process; the
/// output folder persists across runs, as the Python loop's does.
private func directoryWorkload(_ name: String, summary: String, folder: String, ext: String, output: String,
                               _ args: [String]) -> Workload {
    Workload(name: name, summary: summary) { dir in
        let source = dir + "/" + folder
        let files = try FileManager.default.contentsOfDirectory(atPath: source).filter { $0.hasSuffix("." + ext) }
        let out = URL(fileURLWithPath: dir).deletingLastPathComponent().appendingPathComponent(output).path
        let binary = perceptBinary()
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw PerceptError.runtime("\(binary): not found; build the percept product first")
        }
        return {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["extract", args[0], source, "-o", out] + args.dropFirst()
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else {
                throw PerceptError.runtime("percept extract exited \(p.terminationStatus)")
            }
            return Work(items: files.count, shape: [files.count])
        }
    }
}

let extractWorkloads: [Workload] = [
    directoryWorkload("extract-dir", summary: "percept extract melspectrogram --db over 2,000 one-second WAVs",
                      folder: "clips", ext: "wav", output: "extract-percept",
                      ["melspectrogram", "--n-fft", "512", "--hop-length", "160", "--n-mels", "64", "--power", "2", "--db"]),
    directoryWorkload("hog-dir", summary: "percept extract hog over 4,000 MNIST PNGs (ppc 7, cpb 2)",
                      folder: "digit-pngs", ext: "png", output: "hog-dir-percept",
                      ["hog", "--pixels-per-cell", "7", "--cells-per-block", "2", "--block-norm", "L2-Hys"]),
]
