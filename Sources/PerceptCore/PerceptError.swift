/// The one error type of Percept. Every case renders as a single line naming what is wrong,
/// and knows the process exit code the CLI should use (2: bad input or usage, 1: run-time failure).
///
///     throw PerceptError.badInput(file: "a.wav", "truncated data chunk")
public enum PerceptError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A file's content is unusable: missing, empty, corrupt, unsupported, too large.
    case badInput(file: String, String)
    /// An option, parameter or field has an invalid value.
    case invalidArgument(field: String, String)
    /// Something failed while running on valid input (disk full, library failure).
    case runtime(String)

    /// One line: control characters from file names, file bytes or library messages are escaped
    /// (`\n`, `\u{1B}`), so an error can never span lines or drive the terminal.
    public var description: String {
        switch self {
        case let .badInput(file, msg): return PerceptError.oneLine("\(file): \(msg)")
        case let .invalidArgument(field, msg): return PerceptError.oneLine("\(field): \(msg)")
        case let .runtime(msg): return PerceptError.oneLine(msg)
        }
    }

    /// `text` with every control character (C0, DEL, C1, line and paragraph separators) escaped
    /// as Swift writes it; everything else, UTF-8 included, kept.
    ///
    ///     PerceptError.oneLine("a\nb")   // "a\\nb"
    public static func oneLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        for u in text.unicodeScalars {
            if isControl(u) { out += u.escaped(asASCII: false) == String(u) ? "\\u{\(String(u.value, radix: 16))}" : u.escaped(asASCII: false) } else { out.unicodeScalars.append(u) }
        }
        return out
    }

    private static func isControl(_ u: Unicode.Scalar) -> Bool {
        u.value < 0x20 || (0x7F...0x9F).contains(u.value) || u.value == 0x2028 || u.value == 0x2029
    }

    /// Process exit code for this error (2 bad input or usage, 1 run-time failure).
    public var exitCode: Int32 {
        switch self {
        case .badInput, .invalidArgument: return 2
        case .runtime: return 1
        }
    }

    /// The field or file the error names (nil for a run-time failure).
    ///
    ///     PerceptError.invalidArgument(field: "--n-fft", "must be > 0").field   // "--n-fft"
    public var field: String? {
        switch self {
        case let .invalidArgument(f, _), let .badInput(f, _): return f
        case .runtime: return nil
        }
    }

    /// The message without the field or file.
    ///
    ///     PerceptError.badInput(file: "a.wav", "empty file").message   // "empty file"
    public var message: String {
        switch self {
        case let .invalidArgument(_, m), let .badInput(_, m), let .runtime(m): return m
        }
    }
}
