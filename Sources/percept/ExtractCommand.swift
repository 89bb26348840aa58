import ArgumentParser
import Foundation
import PerceptCore
import PerceptPipeline

/// `percept extract FEATURE INPUT -o OUTPUT [options]`, for a file or a whole directory tree.
struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Compute a feature (spectrogram, mel, MFCC, Sobel, HoG, pyramid…) of a file or a directory tree.",
        discussion: """
        INPUT may be a directory: the tree is mirrored under OUTPUT with one .npy (or .npz) per \
        input file, computed in parallel; failed files are reported and skipped, and the run exits 1 \
        if any failed; files the feature does not read (another kind) are counted as skipped. \
        Feature options use the reference library's names in kebab-case; one that has no effect \
        without another (--top-db without --db) is an error, and so is an option given twice.

        --shard I/N (0 ≤ I < N) does only part I of N of a directory INPUT, for job arrays: the \
        inputs, sorted by name, are dealt round-robin to the shards; each shard writes its outputs \
        and a manifest under OUTPUT/.percept-shards, and 'percept merge OUTPUT' checks them once all \
        are done. --shard auto takes I and N from a Slurm job array (SLURM_ARRAY_TASK_ID, _MIN, \
        _MAX, _STEP) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with N from --shard auto/N \
        or PERCEPT_SHARDS). See docs/scale-out.md.

        \(FeatureOptions.helpText)
        """
    )

    @Argument(help: "Feature name (see below).")
    var feature: String

    @Argument(help: "Input file or directory.")
    var input: String

    @Option(name: [.customShort("o"), .long], help: "Output .npy/.npz file, or a directory when INPUT is one.")
    var output: String

    @Option(name: .customLong("png"), help: "Also write a picture for people (single-file mode).")
    var png: String?

    @Option(name: .customLong("shard"), help: ArgumentHelp("Do only shard I of N of a directory INPUT (I/N, auto or auto/N).", valueName: "I/N"))
    var shard: String?

    @Argument(parsing: .allUnrecognized, help: .hidden)
    var options: [String] = []

    func run() throws {
        let runner = try ExtractRunner(featureName: feature, options: options)
        let part = try shard.map { try ShardSpec.parse($0, environment: ProcessInfo.processInfo.environment) }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input, isDirectory: &isDir) else {
            throw PerceptError.badInput(file: input, "no such file or directory")
        }
        if !isDir.boolValue {
            if part != nil { throw PerceptError.invalidArgument(field: "--shard", "splits a directory INPUT; '\(input)' is one file") }
            try runner.runFile(input: input, output: output, picture: png)
            return
        }
        if png != nil { throw PerceptError.invalidArgument(field: "--png", "takes one picture file; use it with a single INPUT file") }
        if let part, let source = part.source { printError("percept: shard \(part.text) from the \(source)") }
        let terminal = isatty(2) != 0
        let summary = try runner.runDirectory(input: input, output: output, shard: part, report: { file, error in
            if let error {
                let text = (error as? PerceptError)?.description ?? "\(file): \(error)"
                printError((terminal ? "\r\u{1B}[K" : "") + "percept: failed: \(text)")
            }
        }, progress: { done, total in
            // Redrawn at most once per percent on a terminal; elsewhere a plain line per tenth
            // (for runs of 100 files or more), so logs show progress without a line per file.
            if terminal {
                guard done == total || done * 100 / total != (done - 1) * 100 / total else { return }
                let width = 30, filled = width * done / total
                let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
                FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total)".utf8))
                if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
            } else if total >= 100, done < total, done * 10 / total != (done - 1) * 10 / total {
                print("extract: \(done)/\(total) files")
            }
        })
        if let note = summary.note { printError(note) }
        let of = part.map { " (shard \($0.text); manifest \(summary.manifest ?? ""))" } ?? ""
        print("extract: \(runner.describe(summary)) -> \(output)\(of)")
        if summary.failed > 0 { throw ExitCode(1) }
    }
}
