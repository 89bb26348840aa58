import ArgumentParser
import PerceptCore
import PerceptIO

/// `percept info FILE...`: kind and metadata of each file.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show the kind and metadata of audio, PNG, IDX, .npy and .npz files.",
        discussion: "Each bad file gets one line on stderr; the others are still shown. Exit 2 if any file was bad."
    )

    @Argument(help: "Files to describe.")
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("info needs at least one FILE") }
    }

    func run() throws {
        var bad = false
        for path in files {
            do {
                let info = try FileInfo.inspect(path)
                print("\(path): \(info.description)")
            } catch let error as PerceptError {
                printError("percept: error: \(error.description)")
                bad = true
            }
        }
        if bad { throw ExitCode(2) }
    }
}
