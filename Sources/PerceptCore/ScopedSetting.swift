/// A process-wide tuning knob (worker count, GEMM kernel, chunk size) that code can change only
/// for the length of a closure: inside `withValue` this thread, tasks it starts and the workers
/// of the `Parallel` loops it runs see the new value; everything else keeps the default, and the
/// default is back when the closure returns, also when it throws. So tests can try each setting
/// without touching global state, and run side by side.
///
///     static let chunk = ScopedSetting(512)
///     chunk.withValue(40) { chunk.value }   // 40; chunk.value is 512 again afterwards
public final class ScopedSetting<T: Sendable>: Sendable {
    /// The value outside any `withValue` scope; fixed for the process.
    public let defaultValue: T

    /// A setting whose value is `defaultValue` unless a scope changes it.
    ///
    ///     let threads = ScopedSetting(4)
    public init(_ defaultValue: T) { self.defaultValue = defaultValue }

    /// The value in effect here: the innermost enclosing `withValue`, else the default.
    public var value: T {
        let scoped = ScopedSettings.current
        if scoped.isEmpty { return defaultValue }   // the common case: one task-local read
        return (scoped[ObjectIdentifier(self)] as? T) ?? defaultValue
    }

    /// Runs `body` with this setting at `value`; the previous value is back afterwards.
    ///
    ///     let small = chunk.withValue(40) { plan(columns: chunk.value) }
    public func withValue<R>(_ value: T, _ body: () throws -> R) rethrows -> R {
        var next = ScopedSettings.current
        next[ObjectIdentifier(self)] = value
        return try ScopedSettings.$current.withValue(next, operation: body)
    }

    /// `withValue` for async code.
    ///
    ///     try await chunk.withValue(40) { try await run() }
    public func withValue<R>(_ value: T, isolation: isolated (any Actor)? = #isolation,
                             _ body: () async throws -> R) async rethrows -> R {
        var next = ScopedSettings.current
        next[ObjectIdentifier(self)] = value
        return try await ScopedSettings.$current.withValue(next, operation: body, isolation: isolation)
    }
}

/// The scoped values of every `ScopedSetting`, one task-local so `Parallel` can hand them all
/// to its worker threads (Dispatch threads do not inherit task-locals).
enum ScopedSettings {
    @TaskLocal static var current: [ObjectIdentifier: any Sendable] = [:]

    /// Runs `body` with `settings` (a `current` read on the calling thread) in effect, on a
    /// worker thread; free when nothing is scoped.
    static func run(with settings: [ObjectIdentifier: any Sendable], _ body: () -> Void) {
        if settings.isEmpty { body() } else { $current.withValue(settings, operation: body) }
    }
}
