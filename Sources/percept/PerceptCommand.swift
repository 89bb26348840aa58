import ArgumentParser
import Foundation
import PerceptCore
import PerceptPipeline

/// The `percept` command: a thin shell over PerceptPipeline.
struct PerceptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "percept",
        abstract: "Audio and vision features, augmentations and networks: librosa/OpenCV/PyTorch results in one native binary.",
        discussion: """
        Exit codes: 0 success, 1 failure at run time, 2 bad usage or bad input.

        Every command takes --max-memory SIZE (e.g. 4G; also PERCEPT_MAX_MEMORY): sizes read from \
        file headers and options are checked against it before anything is allocated. Default: \
        three quarters of physical memory or of `ulimit -v`, whichever is lower (here \(ResourceLimits.format(ResourceLimits.maxMemory.defaultValue))).
        """,
        version: PerceptVersion.string,
        subcommands: [InfoCommand.self, ExtractCommand.self, AugmentCommand.self, RunCommand.self, ValidateCommand.self,
                      EvaluateCommand.self, PredictCommand.self, CompareCommand.self, ReportCommand.self, MergeCommand.self, SchemaCommand.self, ListCommand.self]
    )
}

/// Writes one line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Runs the command line and maps every failure to one stderr line and an exit code:
/// 2 for bad usage or bad input, 1 for a failure at run time.
@main
enum Main {
    static func main() {
        Runtime.start()
        // ArgumentParser reads an unknown first word as an argument and complains about the next
        // option instead (`Unknown option '-o'`): name the command that does not exist.
        let args = CommandLine.arguments.dropFirst()
        if let word = args.first, !word.hasPrefix("-") {
            let known = PerceptCommand.configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
            if !known.contains(word) {
                printError("percept: error: unknown command '\(word)'\(didYouMean(word, in: known)) (see 'percept --help')")
                exit(2)
            }
        }
        do {
            let (rest, limit) = try MemoryOption.split(Array(args))
            try RepeatedOptions.check(rest)
            if let word = rest.first, !word.hasPrefix("-") { try DataParallelLaunch.refuse(command: word) }
            var command = try PerceptCommand.parseAsRoot(rest)
            try ResourceLimits.maxMemory.withValue(limit ?? ResourceLimits.maxMemory.defaultValue) { try command.run() }
        } catch let error as PerceptError {
            printError("percept: error: \(error.description)")
            exit(error.exitCode)
        } catch let stop as RunInterrupted {
            printError("percept: \(stop.message)")
            exit(stop.exitCode)
        } catch let list as DiagnosticList {
            for e in list.errors { printError("percept: error: \(e.description)") }
            exit(list.exitCode)
        } catch let error as ExitCode {
            exit(error.rawValue)
        } catch {
            let code = PerceptCommand.exitCode(for: error)
            if code == .success {
                PerceptCommand.exit(withError: error)   // --help, --version
            }
            if code == .validationFailure {
                let msg = PerceptCommand.message(for: error).split(separator: "\n").first.map(String.init) ?? "bad usage"
                printError("percept: error: \(msg) (see 'percept --help')")
                exit(2)
            }
            printError("percept: error: \(PerceptCommand.message(for: error))")
            exit(1)
        }
    }
}
