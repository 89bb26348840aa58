/// Describes one parameter of a component, so one declaration drives CLI flags, YAML validation,
/// the JSON Schema, `percept list` and the docs. Names are the reference library's, in snake_case
/// (`n_fft`, `pixels_per_cell`, `out_channels`); `cliFlag` and `swiftName` derive the others.
/// The default lives here and nowhere else: `Parameters` returns it when a value is not given.
///
///     ParameterSpec("n_fft", .int, default: 2048, doc: "FFT size")
public struct ParameterSpec: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case int, float, bool, string
        /// One of `choices`.
        case choice
        /// A file or folder.
        case path
        /// `k` or `[kh, kw]` (PyTorch's int-or-tuple).
        case intPair
        /// `v` or `[lo, hi]` (albumentations' ranges).
        case floatPair
        /// A list of values; with `choices`, each item is one of them (`stats: [mean, std]`).
        case list
        /// A nested mapping.
        case map
        /// A nested list of layers (`residual`'s body).
        case layers
    }

    public let name: String
    public let kind: Kind
    /// The default, or nil when required or derived from others (the `doc` says which).
    public let defaultValue: Value?
    public let choices: [String]
    public let doc: String
    /// Another parameter of the same component without which this one has no effect (`top_db`
    /// requires `db`): giving this one while that one is off is an error naming both, rather than
    /// a value silently ignored.
    public let requires: Requirement?

    /// What a parameter needs of another to have an effect: that it is on (a string literal, `"db"`:
    /// not false, 0 or none, given or by default), or that it has one of some values
    /// (`.value("kind", in: ["step", "exponential"])`).
    public struct Requirement: Sendable, Equatable, ExpressibleByStringLiteral {
        public let name: String
        /// The values that switch the parameter on; empty means any value but false, 0 or none.
        public let values: [String]

        public init(stringLiteral name: String) { self.name = name; values = [] }
        init(name: String, values: [String]) { self.name = name; self.values = values }

        /// Needs `name` to be one of `values`.
        ///
        ///     ParameterSpec("gamma", .float, default: "0.1", doc: "decay factor", requires: .value("kind", in: ["step"]))
        public static func value(_ name: String, in values: [String]) -> Requirement { Requirement(name: name, values: values) }

        /// `--db`, `kind step or exponential`: the requirement as people read it in listings.
        public func text(flags: Bool) -> String {
            let shown = flags ? ParameterSpec.flag(name) : name
            return values.isEmpty ? shown : shown + " " + values.joined(separator: " or ")
        }
    }

    public init(_ name: String, _ kind: Kind, default defaultValue: Value? = nil, choices: [String] = [], doc: String,
                requires: Requirement? = nil) {
        self.name = name; self.kind = kind; self.defaultValue = defaultValue; self.choices = choices; self.doc = doc
        self.requires = requires
    }

    /// The default as text for people (`2048`, `[3, 7]`), or nil.
    public var defaultText: String? { defaultValue.map(\.description) }

    /// kebab-case CLI flag, e.g. `--n-fft`.
    public var cliFlag: String { ParameterSpec.flag(name) }

    /// camelCase Swift name, e.g. `nFft`.
    public var swiftName: String {
        let parts = name.split(separator: "_")
        guard let head = parts.first else { return name }
        return String(head) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// `n_fft` → `--n-fft`.
    public static func flag(_ name: String) -> String { "--" + name.replacingOccurrences(of: "_", with: "-") }

    /// The kind as people read it in listings: `int`, `hann|hamming`, `int or [int, int]`, `list of mean|std`.
    public var typeText: String {
        switch kind {
        case .choice: return choices.joined(separator: "|")
        case .list where !choices.isEmpty: return "list of " + choices.joined(separator: "|")
        case .intPair: return "int or [int, int]"
        case .floatPair: return "float or [float, float]"
        case .layers: return "list of layers"
        default: return kind.rawValue
        }
    }
}
