import Foundation
import PerceptCore
import Yams

/// Reads YAML (or JSON, which is YAML) into `Value`s that remember their line and column,
/// so every later error can point at the place in the file. Anchors, aliases and merge keys
/// (`<<: *defaults`) are resolved here; duplicate keys are an error. Keys are plain scalars (an
/// alias to a scalar is fine; a list, a mapping or an alias to one is an error), and a document
/// may hold at most `YAMLBounds.maxNodes` nodes after alias expansion, nested at most
/// `YAMLBounds.maxDepth` deep: both are checked before composing, so an alias bomb costs a
/// pass over its text.
///
///     let root = try YAMLValue.parse("n_fft: 512\n", file: "a.yaml")   // root["n_fft"]?.origin: line 1, column 8
public enum YAMLValue {
    /// Parses text; an empty document is null. Syntax errors name the file, line and column.
    public static func parse(_ text: String, file: String) throws -> Value {
        try YAMLBounds.check(text, file: file)
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch let YamlError.duplicatedKeysInMapping(duplicates, _) {
            throw PerceptError.badInput(file: file, duplicateKeys(duplicates, in: text))
        } catch {
            throw PerceptError.badInput(file: file, "not valid YAML: \(oneLine(error))")
        }
        guard let node else { return Value(.null, origin: .file(file, line: 1, column: 1)) }
        return try value(node, file: file)
    }

    /// Reads a file as text and parses it.
    public static func load(_ path: String) throws -> Value {
        guard FileManager.default.fileExists(atPath: path) else { throw PerceptError.badInput(file: path, "no such file") }
        guard let data = FileManager.default.contents(atPath: path) else { throw PerceptError.badInput(file: path, "cannot read") }
        guard let text = String(data: data, encoding: .utf8) else { throw PerceptError.badInput(file: path, "is not UTF-8 text") }
        return try parse(text, file: path)
    }

    /// One node, with its scalars typed by YAML's core schema (`512` int, `0.5` float, `true`
    /// bool, `~` null; quoted scalars stay text).
    public static func value(_ node: Node, file: String) throws -> Value {
        let origin = node.mark.map { Origin.file(file, line: $0.line, column: $0.column) } ?? .file(file, line: 0, column: 0)
        switch node {
        case let .scalar(s):
            return Value(scalar(s), origin: origin)
        case let .sequence(seq):
            return Value(.list(try seq.map { try value($0, file: file) }), origin: origin)
        case let .mapping(map):
            var entries: [Value.Entry] = []
            var merged: [Value.Entry] = []
            // Sets, not `contains` on the arrays: a mapping may hold many thousand keys.
            var names = Set<String>(), mergedNames = Set<String>()
            for (k, v) in map {
                let keyOrigin = k.mark.map { Origin.file(file, line: $0.line, column: $0.column) } ?? origin
                guard case let .scalar(ks) = k else {
                    throw PerceptError.badInput(file: file, "line \(k.mark?.line ?? 0), column \(k.mark?.column ?? 0): keys must be plain words")
                }
                if ks.string == "<<", ks.style == .plain {
                    // Merge keys: the aliased mappings' entries, overridden by explicit ones.
                    let sources = v.sequence.map(Array.init) ?? [v]
                    for src in sources {
                        guard let e = try value(src, file: file).entries else {
                            throw PerceptError.badInput(file: file, "line \(ks.mark?.line ?? 0), column \(ks.mark?.column ?? 0): '<<' must merge a mapping")
                        }
                        for item in e where mergedNames.insert(item.key).inserted { merged.append(item) }
                    }
                    continue
                }
                guard names.insert(ks.string).inserted else {
                    throw PerceptError.badInput(file: file, "line \(keyOrigin.line), column \(keyOrigin.column): duplicate key '\(ks.string)'")
                }
                entries.append(Value.Entry(ks.string, try value(v, file: file), keyOrigin: keyOrigin))
            }
            for m in merged where !names.contains(m.key) { entries.append(m) }
            return Value(.map(entries), origin: origin)
        case let .alias(a):
            throw PerceptError.badInput(file: file, "line \(a.mark?.line ?? 0): unresolved alias")
        }
    }

    static func scalar(_ s: Node.Scalar) -> Value.Content {
        if s.style != .plain { return .string(s.string) }
        let node = Node.scalar(s)
        if node.null != nil { return .null }
        if let b = node.bool { return .bool(b) }
        if let i = node.int { return .int(i) }
        if let f = node.float { return .float(f) }
        return .string(s.string)
    }

    /// "key 'cnn' is given twice in one mapping (lines 12 and 20)": a second model, data set or
    /// chain with one name would silently replace the first, so it is an error.
    static func duplicateKeys(_ keys: [String], in text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return keys.sorted().map { key in
            let at = lines.indices.filter { i in
                let t = lines[i].drop { $0 == " " || $0 == "-" }
                return t.hasPrefix(key + ":") || t.hasPrefix("\"\(key)\":") || t.hasPrefix("'\(key)':")
            }.map { String($0 + 1) }
            let whereText = at.count >= 2 ? " (lines \(at.dropLast().joined(separator: ", ")) and \(at.last!))" : ""
            return "key '\(key.split(whereSeparator: \.isNewline).joined(separator: " "))' is given twice in one mapping\(whereText); every name must be unique"
        }.joined(separator: "; ")
    }

    static func oneLine(_ error: Error) -> String {
        "\(error)".split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
    }
}

extension Origin {
    var line: Int { if case let .file(_, l, _) = self { return l }; return 0 }
    var column: Int { if case let .file(_, _, c) = self { return c }; return 0 }
}
