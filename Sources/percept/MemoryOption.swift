import Foundation
import PerceptCore

/// `--max-memory SIZE`, accepted by every command (before or after its name): the memory limit
/// that sizes read from files and options are checked against (`ResourceLimits`). Taken out of
/// the arguments before ArgumentParser sees them, so each command need not declare it.
///
///     let (rest, limit) = try MemoryOption.split(["extract", "hog", "a.png", "-o", "h.npy", "--max-memory", "2G"])
enum MemoryOption {
    static let name = "--max-memory"

    /// The arguments without `--max-memory`, and its value in bytes (nil when not given).
    static func split(_ args: [String]) throws -> (args: [String], limit: Int?) {
        var rest = [String](), limit: Int?, i = 0
        while i < args.count {
            let word = args[i]
            if word == "--" { rest += args[i...]; break }
            var value: String?
            if word == name {
                guard i + 1 < args.count else { throw PerceptError.invalidArgument(field: name, "needs a size such as 4G or 512M") }
                value = args[i + 1]; i += 2
            } else if word.hasPrefix(name + "=") {
                value = String(word.dropFirst(name.count + 1)); i += 1
            } else {
                rest.append(word); i += 1
                continue
            }
            guard limit == nil else { throw PerceptError.invalidArgument(field: name, "given twice") }
            guard let v = value, let bytes = ResourceLimits.parseSize(v) else {
                throw PerceptError.invalidArgument(field: name, "'\(value ?? "")' is not a size; write bytes or a number with K, M, G or T (powers of 1024), e.g. 4G")
            }
            limit = bytes
        }
        return (rest, limit)
    }
}
