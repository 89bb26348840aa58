/// Collects every error of a validation pass instead of stopping at the first, so
/// `percept validate` can report them all at once; each error is still one line naming its field.
///
///     let d = Diagnostics()
///     let epochs = d.check { try params.int("epochs", atLeast: 1) }   // nil when invalid, error recorded
///     try d.throwIfAny()
public final class Diagnostics: @unchecked Sendable {
    public private(set) var errors: [PerceptError] = []

    public init() {}

    public var isEmpty: Bool { errors.isEmpty }

    /// Records an error.
    public func record(_ error: PerceptError) {
        if !errors.contains(error) { errors.append(error) }
    }

    /// Records an error of any type (non-Percept errors become run-time errors).
    public func record(any error: Error) {
        record(error as? PerceptError ?? .runtime("\(error)"))
    }

    /// Runs `body`; returns its result, or nil after recording what it threw.
    @discardableResult
    public func check<T>(_ body: () throws -> T) -> T? {
        do { return try body() } catch { record(any: error); return nil }
    }

    /// Throws the first error when there is exactly one, else a combined error whose lines are
    /// the individual errors (the CLI prints each on its own line).
    public func throwIfAny() throws {
        guard let first = errors.first else { return }
        if errors.count == 1 { throw first }
        throw DiagnosticList(errors: errors)
    }
}

/// Several errors found in one pass (every one is printed, one per line).
public struct DiagnosticList: Error, Sendable, CustomStringConvertible {
    public let errors: [PerceptError]
    public init(errors: [PerceptError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
    /// 2 when every error is bad input or usage, else 1.
    public var exitCode: Int32 { errors.map(\.exitCode).max() ?? 2 }
}
