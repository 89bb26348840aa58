import PerceptCore

/// `--set KEY=VALUE` on a pipeline file, as Hydra does it: KEY is a dotted path with list
/// indices (`models.cnn.layers[3].conv2d.out_channels`) that must exist; `+KEY=VALUE` adds a key
/// the file does not have. VALUE is YAML (`30`, `0.5`, `[3, 5]`, `{lr: 0.01}`), so it is typed
/// and checked exactly like the file, and errors name the flag.
///
///     let root = try Overrides.apply("models.cnn.train.epochs=30", to: try YAMLValue.load("p.yaml"))
public enum Overrides {
    public static func apply(_ assignment: String, to root: Value) throws -> Value {
        guard let eq = assignment.firstIndex(of: "=") else {
            throw PerceptError.invalidArgument(field: "--set", "'\(assignment)' must be KEY=VALUE (e.g. models.cnn.train.epochs=30)")
        }
        var key = String(assignment[..<eq])
        let text = String(assignment[assignment.index(after: eq)...])
        let adding = key.hasPrefix("+")
        if adding { key.removeFirst() }
        let flag = "--set \(key)"
        let steps = try parse(key, flag: flag)
        var value = try YAMLValue.parse(text.isEmpty ? "''" : text, file: flag)
        value = retag(value, Origin.flag("--set"))
        return try set(steps[...], in: root, to: value, adding: adding, flag: flag, walked: "")
    }

    enum Step: Equatable { case key(String), index(Int) }

    /// `a.b[3].c` → [.key(a), .key(b), .index(3), .key(c)].
    static func parse(_ key: String, flag: String) throws -> [Step] {
        var steps: [Step] = []
        for part in key.split(separator: ".", omittingEmptySubsequences: false) {
            var p = Substring(part)
            let name = p.prefix { $0 != "[" }
            guard !name.isEmpty else { throw PerceptError.invalidArgument(field: flag, "'\(key)' has an empty key") }
            steps.append(.key(String(name)))
            p = p.dropFirst(name.count)
            while p.first == "[" {
                guard let close = p.firstIndex(of: "]"), let i = Int(p[p.index(after: p.startIndex)..<close]), i >= 0 else {
                    throw PerceptError.invalidArgument(field: flag, "'\(key)': list indices are written [0], [1]...")
                }
                steps.append(.index(i))
                p = p[p.index(after: close)...]
            }
            guard p.isEmpty else { throw PerceptError.invalidArgument(field: flag, "'\(key)': unexpected '\(p)'") }
        }
        return steps
    }

    private static func set(_ steps: ArraySlice<Step>, in node: Value, to value: Value, adding: Bool, flag: String, walked: String) throws -> Value {
        guard let step = steps.first else { return value }
        let rest = steps.dropFirst()
        switch step {
        case .key(let k):
            let here = walked.isEmpty ? k : "\(walked).\(k)"
            guard var entries = node.entries else {
                throw PerceptError.invalidArgument(field: flag, "'\(walked)' is not a mapping, so it has no key '\(k)'")
            }
            if let i = entries.firstIndex(where: { $0.key == k }) {
                entries[i].value = try set(rest, in: entries[i].value, to: value, adding: adding, flag: flag, walked: here)
            } else {
                guard adding, rest.isEmpty else {
                    let hint = didYouMean(k, in: entries.map(\.key))
                    let where_ = walked.isEmpty ? "the file" : "'\(walked)'"
                    throw PerceptError.invalidArgument(field: flag, "\(where_) has no key '\(k)'\(hint)" + (hint.isEmpty ? " (write +\(here)=... to add it)" : ""))
                }
                entries.append(Value.Entry(k, value, keyOrigin: .flag("--set")))
            }
            return Value(.map(entries), origin: node.origin)
        case .index(let i):
            guard var items = node.items else { throw PerceptError.invalidArgument(field: flag, "'\(walked)' is not a list") }
            guard i < items.count else {
                throw PerceptError.invalidArgument(field: flag, "'\(walked)' has \(items.count) items; [\(i)] does not exist")
            }
            items[i] = try set(rest, in: items[i], to: value, adding: adding, flag: flag, walked: "\(walked)[\(i)]")
            return Value(.list(items), origin: node.origin)
        }
    }

    /// Gives every part of an override's value the flag as its origin.
    private static func retag(_ v: Value, _ o: Origin) -> Value {
        switch v.content {
        case .list(let items): return Value(.list(items.map { retag($0, o) }), origin: o)
        case .map(let e): return Value(.map(e.map { Value.Entry($0.key, retag($0.value, o), keyOrigin: o) }), origin: o)
        default: return Value(v.content, origin: o)
        }
    }
}
