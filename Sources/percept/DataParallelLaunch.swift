import Foundation
import PerceptCore
import PerceptMPI

/// `mpirun -np K percept run FILE`: MPI starts only when a launcher's variables say this process
/// is one of several, so an ordinary `percept` never loads or initialises MPI.
enum DataParallelLaunch {
    /// Under a launcher of K > 1 processes, every command but `run` would do the same work K times
    /// and race on its outputs: refused, naming what to use instead.
    static func refuse(command: String) throws {
        guard command != "run", let launch = try MPILaunch.detect(), launch.size > 1 else { return }
        throw PerceptError.invalidArgument(field: "mpirun",
            "'percept \(command)' does not run data-parallel (\(launch.source)); only 'percept run' trains over MPI ranks. Split extraction with --shard under a job array instead (docs/scale-out.md)")
    }

    /// The MPI world of this process, or nil when no launcher started it (or started just one).
    static func start() throws -> MPIWorld? {
        guard let launch = try MPILaunch.detect(), launch.size > 1 else { return nil }
        return try MPIWorld.start(launch)
    }
}
