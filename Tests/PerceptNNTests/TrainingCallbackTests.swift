import Foundation
import PerceptCore
import PerceptIO
import PerceptNN
import XCTest

/// Stops training after a given epoch and counts what it saw; its count is checkpointed.
private final class StopAfter: TrainingCallback {
    let epoch: Int
    var epochsSeen = 0, steps = 0
    init(epoch: Int) { self.epoch = epoch }
    func stepDidEnd(_ report: StepReport, _ trainer: Trainer) throws { steps += 1 }
    func epochDidEnd(_ report: inout EpochReport, _ trainer: Trainer) throws {
        epochsSeen += 1
        if report.epoch == epoch { report.stopped = true }
    }
    var stateKey: String? { "stop_after" }
    func savedState(_ trainer: Trainer) -> (Value, [(String, Tensor)]) { (["epochs_seen": .of(epochsSeen)], []) }
    func restore(_ state: Value, tensors: [String: Tensor], _ trainer: Trainer) throws {
        epochsSeen = state["epochs_seen"].flatMap(Parameters.int) ?? 0
    }
}

final class TrainingCallbackTests: XCTestCase {
    private func trainer(epochs: Int = 5) throws -> Trainer {
        let model = try Sequential(CheckpointTests.smallNet, inputShape: [1, 8, 8], seed: 2)
        var o = TrainingOptions(); o.epochs = epochs; o.batchSize = 10; o.validationSplit = 0.25; o.seed = 4
        return Trainer(model: model, loss: try LossRegistry.make("cross_entropy"), optimizer: try OptimizerRegistry.make("adam"), options: o)
    }

    func testACallbackCanStopTrainingAndLaterCallbacksSeeTheFinalReport() throws {
        let (x, y) = CheckpointTests.toyData(40, seed: 2)
        let t = try trainer()
        let stopper = StopAfter(epoch: 1)
        t.callbacks.append(stopper)
        var stoppedSeen: [Bool] = []
        t.onEpoch.append { stoppedSeen.append($0.stopped) }
        let reports = try t.fit(x, .classes(y))
        XCTAssertEqual(reports.count, 2)
        XCTAssertEqual(stoppedSeen, [false, true])
        XCTAssertEqual(stopper.steps, 2 * 3, "30 training samples in batches of 10, two epochs")
    }

    func testCallbackStateTravelsThroughTheCheckpoint() throws {
        let dir = try temporaryDirectory(); defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("cb.safetensors").path
        let (x, y) = CheckpointTests.toyData(40, seed: 2)
        let first = try trainer(epochs: 2)
        first.callbacks.append(StopAfter(epoch: 99))
        first.options.checkpointPath = path
        _ = try first.fit(x, .classes(y))
        let resumed = try trainer(epochs: 3)
        let cb = StopAfter(epoch: 99)
        resumed.callbacks.append(cb)
        try resumed.loadCheckpoint(from: path)
        XCTAssertEqual(cb.epochsSeen, 2)
        XCTAssertEqual(resumed.state.epochsDone, 2)
        XCTAssertEqual(resumed.state.callbacks["stop_after"], ["epochs_seen": 2])
        _ = try resumed.fit(x, .classes(y))
        XCTAssertEqual(cb.epochsSeen, 3)
    }

    func testTrainerStateIsPlainJSON() throws {
        let state = TrainerState(epochsDone: 3, seed: "18446744073709551615", schedule: "none 0 1065353216",
                                 callbacks: ["early_stopping": ["bad_epochs": 1, "best_bits": "4607182418800017408"]])
        let e = JSONEncoder(); e.outputFormatting = [.sortedKeys]
        let json = String(decoding: try e.encode(state), as: UTF8.self)
        XCTAssertEqual(json, #"{"callbacks":{"early_stopping":{"bad_epochs":1,"best_bits":"4607182418800017408"}},"epochs_done":3,"schedule":"none 0 1065353216","seed":"18446744073709551615"}"#)
        XCTAssertEqual(try JSONDecoder().decode(TrainerState.self, from: Data(json.utf8)), state)
    }

    func testProgressLoggerWritesOneLinePerEpochAndRedrawsLiveOnATerminal() throws {
        let (x, y) = CheckpointTests.toyData(40, seed: 2)
        let t = try trainer(epochs: 2)
        var plain: [String] = [], live: [String] = []
        t.callbacks.append(ProgressLogger(prefix: "cnn: ") { plain.append($0) })
        t.callbacks.append(ProgressLogger(live: true) { live.append($0) })
        _ = try t.fit(x, .classes(y))
        XCTAssertEqual(plain.count, 2)
        XCTAssertTrue(plain[0].hasPrefix("cnn: epoch 1/2  loss "), plain[0])
        XCTAssertTrue(plain[1].contains("  accuracy "), plain[1])
        XCTAssertTrue(plain[1].contains("  val_loss "), plain[1])
        XCTAssertTrue(plain[1].contains("  val_accuracy "), plain[1])
        XCTAssertTrue(plain[1].hasSuffix(" s\n"), plain[1])
        XCTAssertTrue(live.contains { $0.hasPrefix("\repoch 2/2  step 3/3  loss ") && $0.contains("samples/s") }, "\(live)")
        XCTAssertTrue(live.last?.hasPrefix("\r\u{1B}[Kepoch 2/2  loss ") == true, "\(live)")
    }

    func testEarlyStoppingOnATrainingMetricNeedsNoValidation() throws {
        let (x, y) = CheckpointTests.toyData(40, seed: 2)
        let t = try trainer(epochs: 30)
        t.options.validationSplit = 0
        t.options.earlyStopping = EarlyStopping(monitor: "loss", patience: 1, minDelta: 1e9, restoreBest: false)
        let reports = try t.fit(x, .classes(y))
        XCTAssertEqual(reports.map(\.stopped), [false, true])
        XCTAssertEqual(t.options.earlyStopping?.badEpochs, 1)
    }
}
