/// Describes one parameter of a stage or layer, so one declaration can drive CLI flags,
/// YAML validation and documentation. Names are the reference library's, in snake_case
/// (`n_fft`, `pixels_per_cell`, `out_channels`); `cliFlag` and `swiftName` derive the others.
///
///     ParameterSpec("n_fft", .int, default: "2048", doc: "FFT size")
public struct ParameterSpec: Sendable, Equatable {
    public enum Kind: String, Sendable { case int, float, bool, string, choice, intList }

    public let name: String
    public let kind: Kind
    /// Default as text, or nil when required or derived from others (see `doc`).
    public let defaultValue: String?
    public let choices: [String]
    public let doc: String

    public init(_ name: String, _ kind: Kind, default defaultValue: String? = nil, choices: [String] = [], doc: String) {
        self.name = name; self.kind = kind; self.defaultValue = defaultValue; self.choices = choices; self.doc = doc
    }

    /// kebab-case CLI flag, e.g. `--n-fft`.
    public var cliFlag: String { "--" + name.replacingOccurrences(of: "_", with: "-") }

    /// camelCase Swift name, e.g. `nFft`.
    public var swiftName: String {
        let parts = name.split(separator: "_")
        guard let head = parts.first else { return name }
        return String(head) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}

/// Parameter values by snake_case name, parsed and validated against specs with clear errors.
///
///     let n = try params.int("n_fft")
public struct Parameters: Sendable {
    /// How a field is named in error messages: `--n-fft` on the CLI, `stage.n_fft` in YAML.
    public enum Naming: Sendable { case cli, yaml }
    public let owner: String
    public let naming: Naming
    public let specs: [ParameterSpec]
    public private(set) var values: [String: String]

    /// Rejects names not in `specs`, suggesting the closest valid one.
    public init(owner: String, specs: [ParameterSpec], values: [String: String], naming: Naming = .yaml) throws {
        self.owner = owner; self.specs = specs; self.values = values; self.naming = naming
        for key in values.keys.sorted() where !specs.contains(where: { $0.name == key }) {
            let names = specs.map { naming == .cli ? $0.cliFlag : $0.name }
            let shown = naming == .cli ? ParameterSpec(key, .string, doc: "").cliFlag : key
            let hint = closestName(to: shown, in: names).map { " (did you mean '\($0)'?)" } ?? ""
            throw PerceptError.invalidArgument(field: field(key), "unknown option for \(owner)\(hint)")
        }
        for s in specs where s.kind == .choice {
            if let v = values[s.name], !s.choices.contains(v) {
                throw PerceptError.invalidArgument(field: field(s.name), "'\(v)' is not one of \(s.choices.joined(separator: ", "))")
            }
        }
    }

    public func raw(_ name: String) -> String? { values[name] ?? specs.first { $0.name == name }?.defaultValue }
    public func isSet(_ name: String) -> Bool { values[name] != nil }

    /// The user-facing name of a parameter: `--n-fft` (CLI) or `melspectrogram.n_fft` (YAML).
    public func field(_ name: String) -> String {
        naming == .cli ? ParameterSpec(name, .string, doc: "").cliFlag : "\(owner).\(name)"
    }

    /// An `invalidArgument` error naming this parameter the way the user wrote it.
    public func invalid(_ name: String, _ message: String) -> PerceptError {
        .invalidArgument(field: field(name), message)
    }

    public func int(_ name: String) throws -> Int? {
        guard let s = raw(name) else { return nil }
        guard let v = Int(s) else { throw PerceptError.invalidArgument(field: field(name), "'\(s)' is not an integer") }
        return v
    }

    public func float(_ name: String) throws -> Float? {
        guard let s = raw(name) else { return nil }
        guard let v = Float(s), !v.isNaN else { throw PerceptError.invalidArgument(field: field(name), "'\(s)' is not a number") }
        return v
    }

    public func bool(_ name: String) throws -> Bool? {
        guard let s = raw(name) else { return nil }
        switch s.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw PerceptError.invalidArgument(field: field(name), "'\(s)' is not true or false")
        }
    }

    public func string(_ name: String) -> String? { raw(name) }
}

/// The candidate with the smallest edit distance to `name`, if reasonably close.
public func closestName(to name: String, in candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        var prev = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var cur = [i + 1] + [Int](repeating: 0, count: b.count)
            for (j, cb) in b.enumerated() {
                cur[j + 1] = Swift.min(prev[j + 1] + 1, cur[j] + 1, prev[j] + (ca == cb ? 0 : 1))
            }
            prev = cur
        }
        return prev[b.count]
    }
    let a = Array(name.lowercased())
    let best = candidates.map { ($0, distance(a, Array($0.lowercased()))) }.min { $0.1 < $1.1 }
    guard let (c, d) = best, d <= Swift.max(2, a.count / 2) else { return nil }
    return c
}
