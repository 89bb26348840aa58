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
        guard let command = args.first, !command.hasPrefix("-"), mayRepeat(args.dropFirst()),
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

    /// Whether any option could be given twice: a spelling that repeats, or a short option beside a
    /// long one starting with its letter (`-o` and `--output`: percept's short names are the first
    /// letters of their long ones, as ArgumentParser's `.short` makes them). Only such command lines
    /// pay for reading the description (2 ms, a twentieth of a whole `percept extract`).
    static func mayRepeat(_ words: ArraySlice<String>) -> Bool {
        var names = Set<String>(), shorts = Set<Character>(), longInitials = Set<Character>()
        for word in words.prefix(while: { $0 != "--" }) where word.hasPrefix("-") && word.count > 1 {
            let name = word.hasPrefix("--") ? String(word.prefix { $0 != "=" }) : String(word.prefix(2))
            if !names.insert(name).inserted { return true }
            if let initial = name.drop(while: { $0 == "-" }).first {
                if name.hasPrefix("--") { longInitials.insert(initial) } else { shorts.insert(initial) }
            }
        }
        return !shorts.isDisjoint(with: longInitials)
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
