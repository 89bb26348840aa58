// `percept extract` timed as a user sees it: the whole process (start, read, compute, write, exit),
// spawned and reaped here so its page faults and peak RSS come from wait4. One long WAV and one
// big PNG against the reference's read + compute + save in a warm Python process; 2,000 one-second
// WAVs → log-mel .npy each (vs soundfile + librosa) and 1,000 128×64 PNG windows → HoG .npy each
// (vs cv2.imread + HOGDescriptor + np.save), over the earlier outputs and into a fresh folder.
import Foundation
import PerceptCore

/// The `percept` binary next to this one (both are products of the same build), or $PERCEPT.
func perceptBinary() throws -> String {
    var binary = ProcessInfo.processInfo.environment["PERCEPT"] ?? ""
    if binary.isEmpty {
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        binary = me.deletingLastPathComponent().appendingPathComponent("percept").path
    }
    guard FileManager.default.isExecutableFile(atPath: binary) else {
        throw PerceptError.runtime("\(binary): not found; build the percept product first")
    }
    return binary
}

/// `percept extract FEATURE INPUTS/input -o OUT ARGS` as one timed process; `output` is a sibling
/// of the inputs folder. `fresh` removes the output (untimed) before every run, else it persists
/// across runs as the Python side's does. `items` nil counts the files of `ext` in the input folder.
private func extractWorkload(_ name: String, summary: String, feature: String, input: String, output: String,
                             ext: String? = nil, fresh: Bool = false, _ args: [String]) -> Workload {
    Workload(name: name, summary: summary) { dir in
        let source = dir + "/" + input
        let items = try ext.map { e in
            try FileManager.default.contentsOfDirectory(atPath: source).filter { $0.hasSuffix("." + e) }.count
        } ?? 1
        let out = URL(fileURLWithPath: dir).deletingLastPathComponent().appendingPathComponent(output).path
        let binary = try perceptBinary()
        return {
            if fresh { try? FileManager.default.removeItem(atPath: out) }
            let usage = try spawnTimed(binary, ["extract", feature, source, "-o", out] + args)
            return Work(items: items, shape: ext == nil ? npyShape(out) : [items], process: usage)
        }
    }
}

private let logmelArgs = ["--n-fft", "512", "--hop-length", "160", "--n-mels", "64", "--power", "2", "--db"]
private let hogArgs = ["--pixels-per-cell", "8", "--cells-per-block", "2", "--block-norm", "L2-Hys"]

let extractWorkloads: [Workload] = [
    extractWorkload("extract-logmel-600s", summary: "percept extract melspectrogram --db of one 600 s WAV",
                    feature: "melspectrogram", input: "speech600.wav", output: "extract-logmel-percept.npy", logmelArgs),
    extractWorkload("extract-png-4096", summary: "percept extract sobel --mode magnitude of one 4096² PNG",
                    feature: "sobel", input: "image4096.png", output: "extract-png-percept.npy", ["--mode", "magnitude"]),
    extractWorkload("extract-dir", summary: "percept extract melspectrogram --db over 2,000 one-second WAVs",
                    feature: "melspectrogram", input: "clips", output: "extract-percept", ext: "wav", logmelArgs),
    extractWorkload("hog-dir", summary: "percept extract hog over 1,000 128×64 PNG windows, over its earlier outputs",
                    feature: "hog", input: "window-pngs", output: "hog-dir-percept", ext: "png", hogArgs),
    extractWorkload("hog-dir-fresh", summary: "percept extract hog over 1,000 128×64 PNG windows into a fresh folder",
                    feature: "hog", input: "window-pngs", output: "hog-dir-fresh-percept", ext: "png", fresh: true, hogArgs),
]
