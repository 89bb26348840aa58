/// A component's parameter values by snake_case name, checked against its specs, with one
/// parser per kind and errors that name the field the way the user wrote it: `--n-fft` on the
/// CLI, `models.cnn.layers[3].conv2d.kernel_size (line 41, column 20)` in a file.
///
///     let n = try params.int("n_fft")        // the given value, else the spec's default
public struct Parameters: Sendable {
    /// How a field is named in error messages: `--n-fft` on the CLI, `path.n_fft` in files and code.
    public enum Naming: Sendable { case cli, yaml }
    /// The component's registry name (`conv2d`).
    public let owner: String
    /// Where the component sits in a file (`models.cnn.layers[3].conv2d`); the owner elsewhere.
    public let path: String
    /// Where the component was written; fields without a value of their own point here.
    public let origin: Origin
    public let naming: Naming
    public let specs: [ParameterSpec]
    /// The values given (defaults not included).
    public private(set) var values: [String: Value]

    /// Rejects names not in `specs` (suggesting the closest) and choices not in the list.
    public init(owner: String, specs: [ParameterSpec], values: [String: Value], naming: Naming = .yaml,
                path: String? = nil, origin: Origin = .code) throws {
        self.owner = owner; self.specs = specs; self.naming = naming
        self.path = path ?? owner; self.origin = origin
        self.values = values.filter { !$0.value.isNull }
        for key in values.keys.sorted() where !specs.contains(where: { $0.name == key }) {
            let shown = naming == .cli ? ParameterSpec.flag(key) : key
            let names = specs.map { naming == .cli ? $0.cliFlag : $0.name }
            throw PerceptError.invalidArgument(field: field(key), "unknown option for \(owner)\(didYouMean(shown, in: names))")
        }
        for s in specs where s.kind == .choice {
            if let v = self.values[s.name], let t = v.scalarText, !s.choices.contains(t) {
                throw invalid(s.name, "'\(t)' is not one of \(s.choices.joined(separator: ", "))")
            }
        }
        for s in specs where s.kind == .list && !s.choices.isEmpty {
            guard let v = self.values[s.name] else { continue }
            for item in v.items ?? [v] where !(item.scalarText.map(s.choices.contains) ?? false) {
                throw invalid(s.name, "'\(item)' is not one of \(s.choices.joined(separator: ", "))")
            }
        }
        for s in specs where self.values[s.name] != nil {
            guard let needed = s.requires, !isMet(needed) else { continue }
            let shown = naming == .cli ? ParameterSpec.flag(needed.name) : needed.name
            if !needed.values.isEmpty { throw invalid(s.name, "has no effect unless \(shown) is \(needed.values.joined(separator: " or "))") }
            guard let given = self.values[needed.name] else { throw invalid(s.name, "has no effect without \(shown)") }
            throw invalid(s.name, "has no effect with \(shown)\(naming == .cli ? " " : ": ")\(given)")
        }
    }

    /// Whether a requirement holds: the parameter has one of the listed values, or with none listed,
    /// is on (not false, 0 or none, given or by default). A value its own parser rejects counts as
    /// on, so that parser's error is the one reported.
    private func isMet(_ r: ParameterSpec.Requirement) -> Bool {
        let v = value(r.name)
        if !r.values.isEmpty { return v?.scalarText.map(r.values.contains) ?? false }
        guard let v else { return false }
        if spec(r.name)?.kind == .bool { return (try? optionalBool(r.name)) != false }
        if let f = Parameters.float(v) { return f != 0 }
        return v.scalarText?.lowercased() != "none"
    }

    public func spec(_ name: String) -> ParameterSpec? { specs.first { $0.name == name } }

    /// The given value, else the default; nil when neither (or null).
    public func value(_ name: String) -> Value? {
        if let v = values[name] { return v }
        guard let d = spec(name)?.defaultValue, !d.isNull else { return nil }
        return d
    }

    public func isSet(_ name: String) -> Bool { values[name] != nil }

    /// The user-facing name of a parameter: `--n-fft` (CLI) or `melspectrogram.n_fft (line 3, column 9)`.
    public func field(_ name: String) -> String {
        if naming == .cli { return ParameterSpec.flag(name) }
        return "\(path).\(name)" + (values[name]?.origin ?? origin).suffix
    }

    /// An `invalidArgument` error naming this parameter the way the user wrote it.
    public func invalid(_ name: String, _ message: String) -> PerceptError {
        .invalidArgument(field: field(name), message)
    }

    private func required(_ name: String) throws -> Value {
        guard let v = value(name) else { throw invalid(name, "is required") }
        return v
    }

    // MARK: scalars

    /// An integer, or nil when neither given nor defaulted; `atLeast` bounds it from below.
    public func optionalInt(_ name: String, atLeast low: Int? = nil) throws -> Int? {
        guard let v = value(name) else { return nil }
        guard let i = Parameters.int(v) else { throw invalid(name, "'\(v)' is not an integer") }
        if let low, i < low { throw invalid(name, low == 1 ? "must be > 0, got \(i)" : "must be ≥ \(low), got \(i)") }
        return i
    }

    /// An integer (`must be > 0, got 0` when below `atLeast: 1`).
    public func int(_ name: String, atLeast low: Int? = nil) throws -> Int {
        guard let v = try optionalInt(name, atLeast: low) else { throw invalid(name, "is required") }
        return v
    }

    public func optionalFloat(_ name: String) throws -> Float? {
        guard let v = value(name) else { return nil }
        guard let f = Parameters.float(v), !f.isNaN else { throw invalid(name, "'\(v)' is not a number") }
        return f
    }

    public func float(_ name: String) throws -> Float {
        guard let v = try optionalFloat(name) else { throw invalid(name, "is required") }
        return v
    }

    public func optionalBool(_ name: String) throws -> Bool? {
        guard let v = value(name) else { return nil }
        if case let .bool(b) = v.content { return b }
        switch v.scalarText?.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw invalid(name, "'\(v)' is not true or false")
        }
    }

    public func bool(_ name: String) throws -> Bool {
        guard let v = try optionalBool(name) else { throw invalid(name, "is required") }
        return v
    }

    /// Text of a scalar value (a number is given as written); nil when absent.
    public func optionalString(_ name: String) -> String? { value(name)?.scalarText }

    public func string(_ name: String) throws -> String {
        guard let v = value(name) else { throw invalid(name, "is required") }
        guard let s = v.scalarText else { throw invalid(name, "expected a single value, got \(v)") }
        return s
    }

    // MARK: pairs and lists

    /// The numbers of a list value, or of text written `3,5`, `3x5` or `[3, 5]` (CLI); one number is a one-item list.
    private func numbers(_ name: String, _ v: Value) throws -> [Value] {
        if let items = v.items { return items }
        if let t = v.scalarText {
            let parts = t.split(whereSeparator: { ",x[] ".contains($0) }).map { Value(.string(String($0)), origin: v.origin) }
            if !parts.isEmpty { return parts }
        }
        throw invalid(name, "'\(v)' is not a number or a list of numbers")
    }

    /// `k` or `[kh, kw]` (PyTorch's int-or-tuple): one value is used for both.
    public func optionalIntPair(_ name: String, atLeast low: Int? = nil) throws -> (Int, Int)? {
        guard let v = value(name) else { return nil }
        let ints = try numbers(name, v).map(Parameters.int)
        guard ints.allSatisfy({ $0 != nil }), ints.count == 1 || ints.count == 2 else {
            throw invalid(name, "'\(v)' is not an integer or a pair of integers")
        }
        let pair = (ints[0]!, ints[ints.count - 1]!)
        if let low, pair.0 < low || pair.1 < low { throw invalid(name, low == 1 ? "must be > 0" : "must be ≥ \(low)") }
        return pair
    }

    public func intPair(_ name: String, atLeast low: Int? = nil) throws -> (Int, Int) {
        guard let v = try optionalIntPair(name, atLeast: low) else { throw invalid(name, "is required") }
        return v
    }

    /// `[lo, hi]`, or one value `v` meaning `(-|v|, |v|)` when `symmetric`, else `(v, v)`.
    /// Rejects NaN, infinities and reversed ranges.
    public func floatPair(_ name: String, symmetric: Bool = false) throws -> (Float, Float) {
        let v = try required(name)
        let floats = try numbers(name, v).map(Parameters.float)
        guard floats.allSatisfy({ $0 != nil }), floats.count == 1 || floats.count == 2 else {
            throw invalid(name, "'\(v)' is not a number or a pair of numbers")
        }
        let f = floats.map { $0! }
        if f.contains(where: \.isNaN) { throw invalid(name, "'\(v)' holds nan, which is not a number") }
        if let bad = f.first(where: { !$0.isFinite }) { throw invalid(name, "must be finite, got \(Value.of(bad))") }
        let (a, b) = f.count == 2 ? (f[0], f[1]) : (symmetric ? (-abs(f[0]), abs(f[0])) : (f[0], f[0]))
        guard a <= b else { throw invalid(name, "min \(Value.of(a)) is greater than max \(Value.of(b))") }
        return (a, b)
    }

    /// A pair of whole numbers written as numbers (`[3, 7]`; one value `v` means `(v, v)`).
    public func wholePair(_ name: String) throws -> (Int, Int) {
        let (a, b) = try floatPair(name)
        guard a == a.rounded(), b == b.rounded(), abs(a) < 1e9, abs(b) < 1e9 else {
            throw invalid(name, "expects integers, got '\(try required(name))'")
        }
        return (Int(a), Int(b))
    }

    /// The items of a list value (a single value is a one-item list); empty when absent.
    public func list(_ name: String) -> [Value] {
        guard let v = value(name) else { return [] }
        return v.items ?? [v]
    }

    // MARK: one parser per scalar kind

    /// An integer from an int, a whole float or text (`512`, `5.0`, `"512"`).
    public static func int(_ v: Value) -> Int? {
        switch v.content {
        case let .int(i): return i
        case let .float(d) where d == d.rounded() && abs(d) < 1e15: return Int(d)
        case let .string(s): return Int(s.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    /// A number from an int, a float or text (`0.5`, `1e-3`, `inf`).
    public static func float(_ v: Value) -> Float? {
        switch v.content {
        case let .int(i): return Float(i)
        case let .float(d): return Float(d)
        case let .string(s): return Float(s.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }
}

/// `" (did you mean 'x'?)"` when a candidate is close to `name`, else empty: the one place
/// every unknown name (component, option, key, flag) gets its hint.
///
///     throw PerceptError.invalidArgument(field: key, "unknown key\(didYouMean(key, in: known))")
public func didYouMean(_ name: String, in candidates: [String]) -> String {
    closestName(to: name, in: candidates).map { " (did you mean '\($0)'?)" } ?? ""
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
