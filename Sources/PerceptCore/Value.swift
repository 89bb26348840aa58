import Foundation

/// Where a parameter value came from, so an error can point at it: a place in a file
/// (`line 14, column 5`), a command-line flag (`--n-fft`), or Swift code / a default.
///
///     let o = Origin.file("pipeline.yaml", line: 14, column: 5)   // o.suffix == " (line 14, column 5)"; `--set` values: " (--set)"
public enum Origin: Sendable, Equatable, Hashable {
    case file(String, line: Int, column: Int)
    case flag(String)
    case code

    /// Text appended to a field name in messages: ` (line 14, column 5)` for files, empty otherwise.
    public var suffix: String {
        switch self {
        case let .file(_, line, column): return " (line \(line), column \(column))"
        case let .flag(f) where f.hasPrefix("--set"): return " (\(f))"   // a pipeline value overridden on the command line
        default: return ""
        }
    }
}

/// A typed parameter value — int, float, bool, string, list or nested map — with its origin.
/// YAML, JSON, CLI flags and Swift literals all become `Value`s; `Parameters` checks them
/// against `ParameterSpec`s with one parser per kind.
///
///     let v: Value = ["out_channels": 32, "kernel_size": [3, 5]]
public struct Value: Sendable, Equatable, CustomStringConvertible {
    public indirect enum Content: Sendable, Equatable {
        case null
        case bool(Bool)
        case int(Int)
        case float(Double)
        /// Text as written; from the CLI every value starts as text and is parsed by the spec's kind.
        case string(String)
        case list([Value])
        case map([Entry])
    }

    /// One key of a map, in file order.
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: Value
        /// Where the key itself was written (errors about unknown keys point here).
        public var keyOrigin: Origin
        public init(_ key: String, _ value: Value, keyOrigin: Origin = .code) {
            self.key = key; self.value = value; self.keyOrigin = keyOrigin
        }
    }

    public var content: Content
    public var origin: Origin

    public init(_ content: Content, origin: Origin = .code) { self.content = content; self.origin = origin }

    /// Equality ignores origins: the same number written on two lines is the same value.
    public static func == (a: Value, b: Value) -> Bool { a.content == b.content }

    /// The entries of a map, or nil.
    public var entries: [Entry]? { if case let .map(e) = content { return e }; return nil }
    /// The items of a list, or nil.
    public var items: [Value]? { if case let .list(l) = content { return l }; return nil }
    /// The value under `key` of a map.
    public subscript(key: String) -> Value? { entries?.first { $0.key == key }?.value }
    public var isNull: Bool { content == .null }

    /// Scalars as text (`512`, `0.5`, `true`, `hann`); nil for lists, maps and null.
    public var scalarText: String? {
        switch content {
        case let .bool(b): return b ? "true" : "false"
        case let .int(i): return String(i)
        case let .float(f): return Value.format(f)
        case let .string(s): return s
        case .null, .list, .map: return nil
        }
    }

    /// YAML-flow text: `512`, `[3, 5]`, `{p: 0.5}`; used in docs, messages and records.
    public var description: String {
        switch content {
        case .null: return "null"
        case let .list(l): return "[" + l.map(\.description).joined(separator: ", ") + "]"
        case let .map(m): return "{" + m.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        default: return scalarText ?? ""
        }
    }

    /// `description` with map keys sorted: equal option values give equal text, whatever the
    /// order they were written in (for comparing records and keying caches).
    public var canonical: String {
        switch content {
        case let .list(l): return "[" + l.map(\.canonical).joined(separator: ", ") + "]"
        case let .map(m): return "{" + m.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.canonical)" }.joined(separator: ", ") + "}"
        default: return description
        }
    }

    /// Shortest text that reads back as the same Float32 (`0.1`, not `0.10000000149011612`).
    static func format(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d > 0 ? "inf" : "-inf" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
        let f = Float(d)
        return Double(f) == d ? "\(f)" : "\(d)"
    }

    /// What a JSON serializer writes (records in checkpoints and run files).
    public var jsonObject: Any {
        switch content {
        case .null: return NSNull()
        case let .bool(b): return b
        case let .int(i): return i
        case let .float(f): return f
        case let .string(s): return s
        case let .list(l): return l.map(\.jsonObject)
        case let .map(m): return Dictionary(m.map { ($0.key, $0.value.jsonObject) }, uniquingKeysWith: { a, _ in a })
        }
    }
}

extension Value: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral,
                 ExpressibleByStringLiteral, ExpressibleByStringInterpolation, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    public init(integerLiteral v: Int) { self.init(.int(v)) }
    public init(floatLiteral v: Double) { self.init(.float(v)) }
    public init(booleanLiteral v: Bool) { self.init(.bool(v)) }
    public init(stringLiteral v: String) { self.init(.string(v)) }
    public init(arrayLiteral items: Value...) { self.init(.list(items)) }
    public init(dictionaryLiteral pairs: (String, Value)...) { self.init(.map(pairs.map { Entry($0.0, $0.1) })) }
    public init(nilLiteral: ()) { self.init(.null) }
}

extension Value {
    /// A Swift number, flag or text as a value (typed initialisers use these).
    public static func of(_ v: Int) -> Value { Value(.int(v)) }
    /// A Float as the number its shortest text reads (`0.1`, not `0.10000000149011612`), so a
    /// typed option records the same value as the option written in a file.
    public static func of(_ v: Float) -> Value { Value(.float(v.isFinite ? Double("\(v)") ?? Double(v) : Double(v))) }
    public static func of(_ v: Double) -> Value { Value(.float(v)) }
    public static func of(_ v: Bool) -> Value { Value(.bool(v)) }
    public static func of(_ v: String) -> Value { Value(.string(v)) }
    public static func of(_ a: Int, _ b: Int) -> Value { [Value(.int(a)), Value(.int(b))] }
    public static func of(_ a: Float, _ b: Float) -> Value { [.of(a), .of(b)] }
}

/// A Swift value that a typed initialiser passes on as an option (`Conv2D(outChannels: 8)`,
/// `Gain(minGainDb: -6)`); enums with String raw values conform by declaring it.
///
///     extension PaddingMode: OptionValue {}
public protocol OptionValue { var optionValue: Value { get } }

extension OptionValue where Self: RawRepresentable, RawValue == String {
    public var optionValue: Value { .of(rawValue) }
}
extension Int: OptionValue { public var optionValue: Value { .of(self) } }
extension Float: OptionValue { public var optionValue: Value { .of(self) } }
extension Double: OptionValue { public var optionValue: Value { .of(self) } }
extension Bool: OptionValue { public var optionValue: Value { .of(self) } }
extension String: OptionValue { public var optionValue: Value { .of(self) } }
extension Value: OptionValue { public var optionValue: Value { self } }

extension Value {
    /// A typed initialiser's option: nil (not given) becomes null, which `Parameters` drops, so the
    /// spec default applies exactly as when a file leaves the option out.
    ///
    ///     try self.init(Self.parameters(["p": .given(p), "min_gain_db": .given(minGainDb)]))
    public static func given(_ v: (any OptionValue)?) -> Value { v?.optionValue ?? nil }
    public static func given(_ v: (Float, Float)?) -> Value { v.map { .of($0.0, $0.1) } ?? nil }
    public static func given(_ v: (Int, Int)?) -> Value { v.map { .of($0.0, $0.1) } ?? nil }
}

/// The options a typed initialiser was given, nil ones left out so the spec defaults apply.
///
///     try self.init(Self.parameters(given(["out_features": outFeatures, "bias": bias])))
public func given(_ options: KeyValuePairs<String, (any OptionValue)?>) -> [String: Value] {
    var values: [String: Value] = [:]
    for (name, v) in options where v != nil { values[name] = .given(v) }
    return values
}

extension Value: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self.init(.null) }
        else if let b = try? c.decode(Bool.self) { self.init(.bool(b)) }
        else if let i = try? c.decode(Int.self) { self.init(.int(i)) }
        else if let d = try? c.decode(Double.self) { self.init(.float(d)) }
        else if let s = try? c.decode(String.self) { self.init(.string(s)) }
        else if let l = try? c.decode([Value].self) { self.init(.list(l)) }
        else {
            let m = try c.decode([String: Value].self)
            self.init(.map(m.keys.sorted().map { Entry($0, m[$0]!) }))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch content {
        case .null: try c.encodeNil()
        case let .bool(b): try c.encode(b)
        case let .int(i): try c.encode(i)
        case let .float(f): try c.encode(f)
        case let .string(s): try c.encode(s)
        case let .list(l): try c.encode(l)
        case let .map(m): try c.encode(Dictionary(m.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }))
        }
    }
}
