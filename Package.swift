// swift-tools-version:6.0
// Percept: audio and vision feature pipelines plus the networks they feed.
// Module graph (acyclic; each target lists exactly the modules it imports):
//   PerceptCore ← PerceptIO (files: audio, images, npy/npz, atomic writes)
//   PerceptCore ← PerceptAudio (+ CFFTW, CSoxr) / PerceptVision: pure computation, no file access
//   PerceptCore, PerceptIO, PerceptAudio, PerceptVision ← PerceptAugment
//   PerceptCore ← PerceptNN (+ COpenBLAS, CPerceptNNKernels)
//   PerceptCore, PerceptNN ← PerceptMPI (+ CMPI when Open MPI is installed): the trainer's collective over MPI
//   PerceptCore ← PerceptPlot (+ CFreeType): pictures for people, drawn as tensors
//   all of them (+ COpenBLAS: GEMM and LAPACK's eigensolver for PCA) ← PerceptPipeline (reads inputs, wires features, augmentations and networks)
//   PerceptPipeline, PerceptCore, PerceptIO, PerceptNN, PerceptMPI ← `percept`, a thin CLI; `Percept` re-exports every module.
import Foundation
import PackageDescription

// Open MPI is optional: with its development files (Debian libopenmpi-dev, pkg-config ompi-c) the
// CMPI target joins the graph and `mpirun -np K percept run` trains data-parallel; without them
// everything else builds and runs. PERCEPT_MPI=0 or 1 overrides the search.
let mpiPackageConfig: Bool = {
    let env = ProcessInfo.processInfo.environment
    if let forced = env["PERCEPT_MPI"] { return forced == "1" }
    let dirs = (env["PKG_CONFIG_PATH"] ?? "").split(separator: ":").map(String.init) + [
        "/usr/lib/x86_64-linux-gnu/pkgconfig", "/usr/lib/aarch64-linux-gnu/pkgconfig", "/usr/lib64/pkgconfig",
        "/usr/lib/pkgconfig", "/usr/local/lib/pkgconfig", "/opt/homebrew/lib/pkgconfig",
    ]
    return dirs.contains { FileManager.default.fileExists(atPath: "\($0)/ompi-c.pc") }
}()
// CMPI opens libmpi.so.40 only when a launcher started percept (Sources/CMPI/lazy.c): linked, it
// cost every command 1.5 ms of start-up.
let mpiTargets: [Target] = mpiPackageConfig
    ? [.target(name: "CMPI", linkerSettings: [.linkedLibrary("dl"), .linkedLibrary("pthread")])] : []
let mpiDependency: [Target.Dependency] = mpiPackageConfig ? ["CMPI"] : []

let package = Package(
    name: "Percept",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Percept", targets: ["Percept"]),
        .executable(name: "percept", targets: ["percept"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: mpiTargets + [
        // Native libraries, found through pkg-config; nothing is vendored.
        .systemLibrary(name: "CFFTW", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "CSndFile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        // OpenBLAS is opened on first use (Sources/COpenBLAS/lazy.c), not linked: loading it starts its
        // thread pool, which most commands never need.
        .target(name: "COpenBLAS", linkerSettings: [.linkedLibrary("dl"), .linkedLibrary("pthread")]),
        .systemLibrary(name: "CSoxr", pkgConfig: "soxr", providers: [.apt(["libsoxr-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CFreeType", pkgConfig: "freetype2", providers: [.apt(["libfreetype-dev"])]),
        // libpng's low-level API needs setjmp, which must stay in C.
        .target(name: "CPNGRaw", dependencies: ["CPNG"]),
        // renameat2(RENAME_EXCHANGE) and the write-lease probe, which Glibc's Swift overlay lacks.
        .target(name: "CFileOps"),

        .target(name: "PerceptCore", dependencies: [
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        .target(name: "PerceptIO", dependencies: ["PerceptCore", "CFileOps", "CSndFile", "CPNGRaw", "CZlib"]),
        // @modules-begin (each feature module adds its target line here)
        .target(name: "PerceptAudio", dependencies: ["PerceptCore", "CFFTW", "CSoxr"]),
        // AVX-512 GEMM micro-kernel for the recurrent layers (chosen at run time).
        .target(name: "CPerceptNNKernels"),
        .target(name: "PerceptNN", dependencies: ["PerceptCore", "COpenBLAS", "CPerceptNNKernels"]),
        .target(name: "PerceptVision", dependencies: ["PerceptCore"]),
        // Data-parallel training over MPI (builds, and says it has no MPI, without Open MPI).
        .target(name: "PerceptMPI", dependencies: ["PerceptCore", "PerceptNN"] + mpiDependency),
        // Percept's side of `make bench` (never part of the tests).
        .executableTarget(name: "percept-bench", dependencies: ["PerceptCore", "PerceptIO", "PerceptAudio", "PerceptVision", "PerceptNN", "PerceptAugment", "COpenBLAS"],
                          path: "Benchmarks/percept-bench"),
        .target(name: "PerceptAugment", dependencies: ["PerceptCore", "PerceptIO", "PerceptAudio", "PerceptVision"]),
        // @modules-end
        // Pictures for people: canvases, FreeType text, colour maps, axes, labelled grids (no file access).
        .target(name: "PerceptPlot", dependencies: ["PerceptCore", "CFreeType"]),
        .target(name: "PerceptPipeline", dependencies: ["PerceptCore", "PerceptIO", "PerceptNN", "PerceptAudio", "PerceptVision", "PerceptAugment", "PerceptPlot",
                                                        // Yams, and its libyaml module CYaml (not a product of Yams, so
                                                        // reached through it) for the alias-expansion bound before composing.
                                                        "COpenBLAS", .product(name: "Yams", package: "Yams")]),
        .target(name: "Percept", dependencies: ["PerceptCore", "PerceptIO", "PerceptAudio", "PerceptVision", "PerceptAugment", "PerceptNN", "PerceptPlot",
                                                "PerceptMPI", "PerceptPipeline"]),
        .executableTarget(name: "percept", dependencies: [
            "PerceptCore", "PerceptIO", "PerceptNN", "PerceptMPI", "PerceptPipeline",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "PerceptCoreTests", dependencies: ["PerceptCore"], exclude: ["Fixtures"]),
        .testTarget(name: "PerceptIOTests", dependencies: ["PerceptCore", "PerceptIO", "CFileOps", "CPNGRaw"], exclude: ["Fixtures"]),
        // @tests-begin (each feature module adds its test target line here)
        .testTarget(name: "PerceptNNTests", dependencies: ["PerceptCore", "PerceptNN", "PerceptIO"], exclude: ["Fixtures"]),
        .testTarget(name: "PerceptVisionTests", dependencies: ["PerceptCore", "PerceptVision", "PerceptIO"], exclude: ["Fixtures"]),
        .testTarget(name: "PerceptAudioTests", dependencies: ["PerceptCore", "PerceptAudio", "PerceptIO", "PerceptPipeline"], exclude: ["Fixtures"]),
        .testTarget(name: "PerceptAugmentTests", dependencies: ["PerceptCore", "PerceptAugment", "PerceptIO", "PerceptAudio", "PerceptVision"],
                    exclude: ["Fixtures"]),
        // @tests-end
        .testTarget(name: "PerceptPlotTests", dependencies: ["PerceptCore", "PerceptPlot"]),
        .testTarget(name: "PerceptPipelineTests", dependencies: ["PerceptCore", "PerceptIO", "PerceptNN", "PerceptAugment", "PerceptPlot", "PerceptPipeline"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "PerceptCLITests", dependencies: ["PerceptIO"], exclude: ["Fixtures"]),
        .testTarget(name: "PerceptTests", dependencies: ["Percept"]),
    ]
)
