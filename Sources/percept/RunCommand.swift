import ArgumentParser
import Foundation
import PerceptCore
import PerceptMPI
import PerceptPipeline

/// `percept run FILE [--set KEY=VALUE]... [--out DIR] [--only MODEL]... [--dry-run] [--force] [--resume] [--quiet]`.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pipeline file: read the data, compute the features, train and evaluate every model.",
        discussion: """
        FILE is YAML or JSON (docs/pipelines.md; `percept schema` prints its JSON Schema). Everything is \
        checked before any training: missing inputs, unknown names, chains that do not fit the data, \
        layers that cannot take their input. Outputs go to runs/<name>/ (pipeline.yaml, metrics.json, \
        models/<model>/model.safetensors and history.csv); a finished run is never overwritten without \
        --force. Ctrl-C finishes the current step and keeps the last epoch's checkpoint for --resume.

        Under `mpirun -np K` (a percept built with Open MPI) the K processes train data-parallel: each \
        computes the gradients of its share of every batch and one MPI_Allreduce per step averages \
        them, so the result is the single-process one at the same batch_size; rank 0 writes the run \
        folder (docs/scale-out.md).
        """
    )

    @Argument(help: "The pipeline file.")
    var file: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a value: KEY=VALUE with a dotted path (models.cnn.train.epochs=30, models.cnn.layers[0].conv2d.out_channels=16); +KEY=VALUE adds a key.", valueName: "KEY=VALUE"))
    var overrides: [String] = []

    @Option(name: .customLong("out"), help: ArgumentHelp("The run folder (default runs/<name>).", valueName: "DIR"))
    var output: String?

    @Option(name: .customLong("only"), help: ArgumentHelp("Run only this model (repeatable).", valueName: "MODEL"))
    var only: [String] = []

    @Flag(name: .customLong("dry-run"), help: "Print the plan (every chain's and layer's output shape and parameter count) and exit.")
    var dryRun = false

    @Flag(help: "Overwrite a finished run in the output folder.")
    var force = false

    @Flag(help: "Continue an interrupted run from its last checkpoint.")
    var resume = false

    @Flag(help: "Print only the final summary table.")
    var quiet = false

    @Option(name: .customLong("shard"), help: ArgumentHelp("Only fill the feature cache, for shard I of N of the items (I/N, auto or auto/N); no training (docs/scale-out.md).", valueName: "I/N"))
    var shard: String?

    @Flag(help: "Check the cache shards of --shard runs (all finished, same pipeline) and finish them; no training.")
    var merge = false

    func run() throws {
        if shard != nil || merge {
            if let launch = try MPILaunch.detect(), launch.size > 1 {
                throw PerceptError.invalidArgument(field: shard != nil ? "--shard" : "--merge",
                    "fills the feature cache without training, under a job array, not under mpirun (\(launch.source)); drop it to train data-parallel")
            }
            return try fillOrMergeCache()   // RunShard.swift
        }
        var spec = try PipelineSpec.load(file, overrides: overrides)
        if let output { spec.output = output }
        let world = dryRun ? nil : try DataParallelLaunch.start()
        let rank = world?.rank ?? 0
        if let world {
            Runtime.stopMessage = "percept: rank \(rank) of \(world.size) stopped by a signal (mpirun stops every rank when one fails, dies or is interrupted); checkpoints written so far are complete: resume with 'percept run \(file) --resume' under the same mpirun"
        }
        var options = RunOptions()
        options.only = only; options.force = force; options.resume = resume; options.quiet = quiet || rank != 0
        options.live = isatty(2) == 1 && !options.quiet
        options.collective = world
        let runner = PipelineRunner(spec: spec, options: options) { text in
            FileHandle.standardError.write(Data(text.utf8))
        }
        if dryRun {
            if let launch = try MPILaunch.detect(), launch.rank != 0 { return }   // one plan under mpirun, not K
            print(RunTables.plan(try runner.plan(), spec: spec), terminator: "")
            return
        }
        let results = try runner.run()
        // Every rank ends MPI together once training is over (rank 0 after writing the run folder).
        world?.finish()
        guard rank == 0 else { return }
        if !results.isEmpty { print(RunTables.results(results), terminator: "") }
        print("outputs: \(spec.output)/" + (results.isEmpty ? "" : " (metrics.json, pipeline.yaml, models/<model>/model.safetensors, history.csv)"))
        if !results.isEmpty {
            print("report:  \(spec.output)/report.html (open it in a browser)")
            if FileManager.default.fileExists(atPath: "\(spec.output)/tensorboard") { print("curves:  tensorboard --logdir \(spec.output)/tensorboard") }
        }
    }
}
