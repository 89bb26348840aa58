import ArgumentParser
import Foundation
import PerceptCore

/// Rejects a single-value option given twice (`-o a.npy -o b.npy`): ArgumentParser keeps the last
/// one silently. Which options take one value is read from ArgumentParser's own description of the
/// commands (the JSON behind `--experimental-dump-help`), so a new command or option is covered
/// without being listed here; list options (`--set K=V --set …`) are repeatable by declaration.
/// Feature flags of `percept extract` are checked against their specs by `FeatureOptions`.
///
///     try RepeatedOptions.check(["extract", "mfcc", "a.wav", "-o", "a.npy", "-o", "b.npy"])   // throws "-o: given twice"
enum RepeatedOptions {
    /// Throws `invalidArgument(field: FLAG, "given twice")` for the first single-value option
    /// (or flag) of the subcommand named by `args[0]` that appears a second time, under any of its
    /// names; words after `--` are operands and are not looked at.
    static func check(_ args: [String]) throws {
        // Most command lines have no option twice; only those pay for reading the descriptions.
        guard let command = args.first, !command.hasPrefix("-"),
              args.dropFirst().prefix(while: { $0 != "--" }).filter({ $0.hasPrefix("-") }).count >= 2,
              let single = singleValueNames(of: command) else { return }
        var seen = [Int: String]()   // option index → how it was first written
        for word in args.dropFirst() {
            if word == "--" { break }
            guard word.hasPrefix("-"), word.count > 1 else { continue }
            let name = word.hasPrefix("--") ? String(word.prefix { $0 != "=" }) : String(word.prefix(2))
            guard let index = single[name] else { continue }
            if let first = seen[index] {
                throw PerceptError.invalidArgument(field: name, "given twice" + (first == name ? "" : " (first as \(first))"))
            }
            seen[index] = name
        }
    }

    /// The subcommand's single-value options' and flags' spellings (`--output`, `-o`) mapped to
    /// one index per option, so that `-o` and `--output` count as the same option; nil for an
    /// unknown command. Only that command's description is built (the whole tool's costs a few
    /// milliseconds, a noticeable part of a short `percept extract`).
    static func singleValueNames(of command: String) -> [String: Int]? {
        guard let sub = PerceptCommand.configuration.subcommands.first(where: { $0.configuration.commandName == command }),
              let data = sub._dumpHelp().data(using: .utf8),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let description = root["command"] as? [String: Any] else { return nil }
        var names = [String: Int]()
        for (i, arg) in ((description["arguments"] as? [[String: Any]]) ?? []).enumerated() {
            guard let kind = arg["kind"] as? String, kind != "positional", arg["isRepeating"] as? Bool != true else { continue }
            for n in (arg["names"] as? [[String: Any]]) ?? [] {
                guard let spelling = n["name"] as? String else { continue }
                names[(n["kind"] as? String == "long" ? "--" : "-") + spelling] = i
            }
        }
        return names
    }
}
