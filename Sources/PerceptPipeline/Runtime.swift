import Dispatch
import Foundation
import PerceptIO
import PerceptNN

/// Process-wide setup, done once by a program before any work (the `percept` CLI's first step).
///
///     Runtime.start()
public enum Runtime {
    nonisolated(unsafe) private static var signalSources: [DispatchSourceSignal] = []

    /// Pins OpenBLAS to one thread and stops the idle workers it started when it loaded
    /// (Percept parallelises over files and samples itself), and makes SIGINT, SIGTERM and SIGHUP
    /// remove the temporary files of writes in progress before the process exits (128 + signal,
    /// as a shell reports it): outputs are either complete or untouched, and no hidden
    /// `.NAME.tmp-…` files are left beside them.
    public static func start() {
        BLASThreads.pin()
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN)   // delivered to the Dispatch source instead
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                TemporaryFiles.removeAllAndHold()
                FileHandle.standardError.write(Data("\npercept: interrupted; outputs written so far are complete\n".utf8))
                exit(128 + sig)
            }
            source.resume()
            signalSources.append(source)
        }
    }
}
