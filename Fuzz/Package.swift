// swift-tools-version:6.0
// libFuzzer targets for Percept's readers, kept out of the main package so `swift build` and
// `make test` never see them. Built and run by `make fuzz` (see docs/reliability.md, "Fuzzing"):
//   swift build -c release -Xswiftc -sanitize=fuzzer,address --package-path Fuzz
// One executable holds every target; `--target=NAME` picks one (libFuzzer ignores `--` flags).
import PackageDescription

let package = Package(
    name: "PerceptFuzz",
    dependencies: [.package(name: "Percept", path: "..")],
    targets: [
        // LLVMFuzzerRunDriver's declaration: SwiftPM names an executable's entry point itself, so
        // main.swift starts libFuzzer explicitly instead of linking libFuzzer's own main.
        .target(name: "CFuzzDriver"),
        .executableTarget(name: "percept-fuzz", dependencies: [
            "CFuzzDriver", .product(name: "Percept", package: "Percept"),
        ]),
    ]
)
