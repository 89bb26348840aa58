import ArgumentParser
import Foundation
import PerceptPipeline

/// `percept merge OUT_DIR`: the last step of a sharded `percept extract … --shard I/N` run.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Check the shards of 'percept extract --shard' and finish their output folder.",
        discussion: """
        Checks that every shard 0..<N wrote its manifest under OUT_DIR/.percept-shards, that all \
        used the same feature, options, percept version and input list, and that every output is \
        on disk with the bytes its shard wrote; then removes the manifests, leaving what one \
        unsharded run writes. Each problem is one line, ending with the shards to rerun \
        (--shard 2/8 --shard 5/8); exit 2. Failed input files are listed and exit 1, and the \
        manifests stay so those shards can be rerun and merged again.
        """
    )

    @Argument(help: "The -o folder the shards wrote to.")
    var output: String

    func run() throws {
        let done = try ShardMerge.merge(outputDir: output)
        for line in done.failures { printError("percept: failed: \(line)") }
        if let note = done.summary.note { printError(note) }
        print("merge: \(done.count) shard\(done.count == 1 ? "" : "s") of \(done.feature), \(done.checked) outputs checked")
        print("extract: \(ExtractRunner.describe(done.summary, noun: done.noun)) -> \(output)")
        if !done.failedShards.isEmpty {
            let again = done.failedShards.map { "--shard \($0)/\(done.count)" }.joined(separator: " ")
            printError("percept: kept \(output)/.percept-shards: fix the failed inputs, rerun only these, then merge again: \(again) (or remove the folder to keep the run as it is)")
            throw ExitCode(1)
        }
    }
}
