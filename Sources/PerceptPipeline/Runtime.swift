import Dispatch
import Foundation
import PerceptIO
import PerceptNN

/// Process-wide setup, done once by a program before any work (the `percept` CLI's first step).
///
///     Runtime.start()
public enum Runtime {
    nonisolated(unsafe) private static var signalSources: [DispatchSourceSignal] = []
    /// The line printed when a signal ends the process (set once, before work starts; a
    /// data-parallel rank says that mpirun ends every rank together).
    nonisolated(unsafe) public static var stopMessage = "percept: interrupted; outputs written so far are complete"

    /// Makes SIGINT, SIGTERM and SIGHUP
    /// remove the temporary files of writes in progress before the process exits (128 + signal,
    /// as a shell reports it): outputs are either complete or untouched, and no hidden
    /// `.NAME.tmp-…` files are left beside them.
    public static func start() {
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN)   // delivered to the Dispatch source instead
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                if Interrupts.requestStop() {
                    FileHandle.standardError.write(Data("\npercept: interrupted; finishing the current step (press Ctrl-C again to stop at once)\n".utf8))
                    return
                }
                TemporaryFiles.removeAllAndHold()
                FileHandle.standardError.write(Data("\n\(stopMessage)\n".utf8))
                exit(128 + sig)
            }
            source.resume()
            signalSources.append(source)
        }
    }
}

/// Cooperative interruption for long work (training): while `Interrupts.cooperate` runs, the
/// first Ctrl-C only sets a flag that the work checks between steps, so it can finish the step,
/// keep its checkpoint and say how to resume; a second Ctrl-C stops at once as usual.
///
///     try Interrupts.cooperate { try train() }   // `Interrupts.stopRequested` turns true on Ctrl-C
public enum Interrupts {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var depth = 0
    nonisolated(unsafe) private static var requested = false

    /// True once a stop was asked for inside `cooperate`.
    public static var stopRequested: Bool { lock.lock(); defer { lock.unlock() }; return requested }

    /// Runs `body` with the first interrupt turned into `stopRequested`.
    public static func cooperate<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock(); depth += 1; requested = false; lock.unlock()
        defer { lock.lock(); depth -= 1; requested = false; lock.unlock() }
        return try body()
    }

    /// Called by the signal handler: true when the stop was recorded for cooperative handling.
    static func requestStop() -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard depth > 0, !requested else { return false }
        requested = true
        return true
    }
}
