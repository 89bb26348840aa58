import ArgumentParser
import Foundation
import PerceptCore
import PerceptPipeline

/// `percept augment INPUT... -o DIR --config AUG.yaml --copies N [--seed S]`.
struct AugmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "augment",
        abstract: "Write N augmented variants of each PNG or WAV input (PNG, WAV, or .npy when the chain ends in a feature), and a contact sheet of each.",
        discussion: """
        AUG.yaml lists the stages in order (see docs/augment.md). Variant k (1…N) of input i \
        (0-based) is what training would see for sample i in epoch k − 1, so the same seed gives \
        the same files. \
        Outputs: DIR/<name>_<k>.png|wav and DIR/<name>_sheet.png (the original first, then the \
        variants; at most the first 15 shown). Nothing is written when an input or option is bad; \
        variants are written as they are made, so memory does not grow with --copies. Option bounds: \
        docs/augment.md, Bounds.

        Stages: \(AugmentCommand.stageList)
        """
    )

    @Argument(help: "PNG or WAV files, or directories of them.")
    var inputs: [String]

    @Option(name: [.customShort("o"), .long], help: "Output directory (created if missing).")
    var output: String

    @Option(name: .long, help: "The AUG.yaml stage list.")
    var config: String

    @Option(name: .long, help: "Variants per input (1…10000).")
    var copies: Int = 4

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Also write the drawn parameters of every variant as JSON.")
    var log: String?

    static var stageList: String { AugmentPipeline.stageNames.joined(separator: ", ") }

    func run() throws {
        let runner = try AugmentRunner(chain: AugmentConfig.load(config), copies: copies, seed: seed)
        let out = try runner.run(inputs: inputs, outputDir: output, log: log)
        if let note = out.note { printError(note) }
        print("augment: \(out.files.count) files -> \(output)")
    }
}
