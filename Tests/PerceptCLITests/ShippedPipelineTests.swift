import Foundation
import XCTest

/// Every file in Pipelines/ runs, shrunk with `--set` to a few samples and one epoch (the debug
/// build trains slowly; `make demo` and docs/pipelines.md run them as shipped). Files over
/// ../shared/data run where that data is present.
final class ShippedPipelineTests: CLITestCase {
    static let shared = root + "/../shared/data"

    func runShrunk(_ file: String, _ sets: [String], file line: UInt = #line) throws -> [String: Any] {
        let out = path((file as NSString).lastPathComponent)
        let r = try run(["run", "Pipelines/" + file, "--out", out, "--quiet"] + sets.flatMap { ["--set", $0] })
        XCTAssertEqual(r.status, 0, r.stderr, line: line)
        let data = try XCTUnwrap(FileManager.default.contents(atPath: out + "/metrics.json"), line: line)
        return try XCTUnwrap((JSONSerialization.jsonObject(with: data) as? [String: Any])?["models"] as? [String: Any], line: line)
    }

    func requireShared(_ rel: String) throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.shared + "/" + rel), "no \(rel) in ../shared/data")
    }

    func testRegularisationTrainsItsFiveModels() throws {
        let models = try runShrunk("regularisation.yaml", ["data.digits.max_per_class=5"] +
            ["plain", "l2", "dropout", "augmentation", "early_stopping"].map { "models.\($0).train.epochs=1" })
        XCTAssertEqual(Set(models.keys), ["plain", "l2", "dropout", "augmentation", "early_stopping"])
    }

    func testMNISTCNN() throws {
        try requireShared("mnist/train-images-idx3-ubyte.gz")
        let models = try runShrunk("mnist-cnn.yaml", ["+data.mnist.max_per_class=5", "models.cnn.train.epochs=1"])
        XCTAssertNotNil(models["cnn"])
    }

    func testSpokenDigitPipelinesSplitByVoice() throws {
        try requireShared("spoken-digits/manifest.csv")
        for (file, names) in [("spoken-digits-cnn.yaml", ["cnn"]), ("spoken-digits-crnn.yaml", ["crnn"]), ("spoken-digits-lstm.yaml", ["lstm"]),
                              ("noisy-speech.yaml", ["clean", "coloured"]),
                              ("compare-spoken-digits.yaml", ["mfcc_stats_linear", "logmel_stats_linear", "mfcc_lstm", "logmel_cnn", "crnn"])] {
            let models = try runShrunk(file, ["+data.spoken.max_per_class=12"] + names.map { "models.\($0).train.epochs=1" })
            for model in names {
                let m = try XCTUnwrap(models[model] as? [String: Any], file)
                XCTAssertEqual((m["classes"] as? [String])?.count, 10, file)
            }
        }
    }
}
