#if canImport(CMPI)
import CMPI
#endif
import Foundation
import PerceptCore
import PerceptNN

/// How an MPI launcher started this process: its rank and the world size it asked for, read
/// from the environment before MPI is touched (Open MPI's `mpirun` sets `OMPI_COMM_WORLD_RANK`
/// and `OMPI_COMM_WORLD_SIZE`; MPICH's Hydra and PMI-based launchers `PMI_RANK` and `PMI_SIZE`).
///
///     if let launch = try MPILaunch.detect() { world = try MPIWorld.start(launch) }
public struct MPILaunch: Sendable, Equatable {
    public let rank: Int
    public let size: Int
    /// The variables they came from, for messages: `OMPI_COMM_WORLD_SIZE=2`.
    public let source: String

    /// nil when no launcher's variables are set (an ordinary single process).
    public static func detect(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> MPILaunch? {
        for (r, s) in [("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"), ("PMI_RANK", "PMI_SIZE")] {
            guard let sizeText = env[s] else { continue }
            guard let size = Int(sizeText), size >= 1 else {
                throw PerceptError.invalidArgument(field: s, "'\(sizeText)' is not a process count")
            }
            guard let rankText = env[r], let rank = Int(rankText), (0..<size).contains(rank) else {
                throw PerceptError.invalidArgument(field: r, "'\(env[r] ?? "")' is not a rank below \(s)=\(size)")
            }
            return MPILaunch(rank: rank, size: size, source: "\(s)=\(size)")
        }
        return nil
    }
}

/// The processes of `mpirun -np K percept run`, as the trainer's `Collective`: sums are one
/// in-place `MPI_Allreduce` (MPI_SUM), copies from rank 0 one `MPI_Bcast`.
///
///     let world = try MPIWorld.start(launch); trainer.collective = world; defer { world.finish() }
public final class MPIWorld: Collective, @unchecked Sendable {
    public let rank: Int
    public let size: Int

    /// True when this build speaks Open MPI (Package.swift found it; see docs/scale-out.md); the
    /// library itself is opened when a launcher starts percept.
    public static var available: Bool {
        #if canImport(CMPI)
        return true
        #else
        return false
        #endif
    }

    /// The library's name and version, e.g. "Open MPI v4.1.4" (nil without MPI).
    public static var libraryVersion: String? {
        #if canImport(CMPI)
        guard cmpi_load(nil, 0) == 0 else { return nil }
        var buf = [CChar](repeating: 0, count: Int(CMPI_MAX_STRING))
        var len: Int32 = 0
        guard cmpi_get_library_version(&buf, &len) == CMPI_SUCCESS else { return nil }
        // "Open MPI v4.1.4, package: Debian OpenMPI, ..." (NUL-terminated within len): its name and version.
        let text = String(decoding: buf.prefix(Int(len)).prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(separator: "\n").first.flatMap { $0.split(separator: ",").first }.map(String.init)
        #else
        return nil
        #endif
    }

    private init(rank: Int, size: Int) { self.rank = rank; self.size = size }

    /// Initialises MPI and checks that it sees the world the launcher asked for: an `mpirun` of
    /// another MPI than the one percept uses starts K processes that each see a world of one,
    /// and would silently train K separate models.
    public static func start(_ launch: MPILaunch) throws -> MPIWorld {
        #if canImport(CMPI)
        var why = [CChar](repeating: 0, count: 512)
        guard cmpi_load(&why, why.count) == 0 else {
            let reason = String(decoding: why.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw PerceptError.invalidArgument(field: "mpirun",
                "started by an MPI launcher (\(launch.source)), but \(reason): install Open MPI (apt-get install openmpi-bin)")
        }
        var provided: Int32 = 0
        // Only the main thread calls MPI (the trainer's worker threads never do).
        guard cmpi_init_thread_funneled(&provided) == CMPI_SUCCESS else {
            throw PerceptError.invalidArgument(field: "mpirun", "MPI_Init failed")
        }
        _ = cmpi_return_errors()
        var r: Int32 = 0, s: Int32 = 0
        _ = cmpi_comm_rank(&r)
        _ = cmpi_comm_size(&s)
        guard Int(s) == launch.size, Int(r) == launch.rank else {
            _ = cmpi_finalize()
            throw PerceptError.invalidArgument(field: "mpirun",
                "the launcher started \(launch.size) processes (\(launch.source)) but this one sees an MPI world of \(s) (rank \(r)): percept uses \(libraryVersion ?? "another MPI"), which is not the MPI of the mpirun that started it; use that MPI's mpirun")
        }
        return MPIWorld(rank: Int(r), size: Int(s))
        #else
        throw PerceptError.invalidArgument(field: "mpirun",
            "started by an MPI launcher (\(launch.source)), but this percept was built without MPI: install Open MPI (apt-get install libopenmpi-dev openmpi-bin) and rebuild (make release)")
        #endif
    }

    /// MPI counts are 32-bit: large buffers go in pieces of at most 2³⁰ elements.
    private static let piece = 1 << 30

    public func sum(_ buffer: UnsafeMutablePointer<Float>, count: Int) throws {
        #if canImport(CMPI)
        try inPieces(count) { o, n in
            cmpi_allreduce_sum_float(buffer + o, n)
        }
        #endif
    }

    public func sum(_ buffer: UnsafeMutablePointer<Double>, count: Int) throws {
        #if canImport(CMPI)
        try inPieces(count) { o, n in
            cmpi_allreduce_sum_double(buffer + o, n)
        }
        #endif
    }

    public func broadcast(_ buffer: UnsafeMutablePointer<Float>, count: Int) throws {
        #if canImport(CMPI)
        try inPieces(count) { o, n in cmpi_bcast_float(buffer + o, n, 0) }
        #endif
    }

    /// Blocks until every rank has arrived.
    public func barrier() throws {
        #if canImport(CMPI)
        try check(cmpi_barrier(), "MPI_Barrier")
        #endif
    }

    /// Ends MPI on a successful run (every rank must call it).
    public func finish() {
        #if canImport(CMPI)
        _ = cmpi_finalize()
        #endif
    }

    /// Ends every rank of the job with `code`: a rank that failed alone must not leave the
    /// others waiting in their next collective.
    public func abort(_ code: Int32) -> Never {
        #if canImport(CMPI)
        _ = cmpi_abort(code)
        #endif
        exit(code)
    }

    #if canImport(CMPI)
    private func inPieces(_ count: Int, _ op: (Int, Int32) -> Int32) throws {
        var o = 0
        while o < count {
            let n = Swift.min(Self.piece, count - o)
            try check(op(o, Int32(n)), "MPI collective")
            o += n
        }
    }

    private func check(_ code: Int32, _ what: String) throws {
        guard code != CMPI_SUCCESS else { return }
        var buf = [CChar](repeating: 0, count: Int(CMPI_MAX_STRING))
        var len: Int32 = 0
        _ = cmpi_error_string(code, &buf, &len)
        let text = String(decoding: buf.prefix(Int(len)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        throw PerceptError.invalidArgument(field: "rank \(rank) of \(size)", "\(what) failed (\(text)); another rank has probably died")
    }
    #endif
}
