import PerceptNN

/// Process-wide setup, done once by a program before any work (the `percept` CLI's first step).
///
///     Runtime.start()
public enum Runtime {
    /// Pins OpenBLAS to one thread and stops the idle workers it started when it loaded:
    /// Percept parallelises over files and samples itself.
    public static func start() { BLASThreads.pin() }
}
