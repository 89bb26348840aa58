import Foundation
import PerceptCore
import PerceptNN
import XCTest

final class CheckpointTests: XCTestCase {
    static let smallNet: [LayerSpec] = [
        LayerSpec("conv2d", ["out_channels": "4", "kernel_size": "3", "padding": "1"]), LayerSpec("relu"),
        LayerSpec("maxpool2d", ["kernel_size": "2"]), LayerSpec("flatten"), LayerSpec("dropout", ["p": "0.2"]),
        LayerSpec("dense", ["out_features": "3"]),
    ]

    /// 3 classes of 8×8 blobs (the class moves the bright square), with noise.
    static func toyData(_ n: Int, seed: UInt64) -> (Tensor, [Int]) {
        var rng = RandomStream(seed: seed)
        var x = [Float](repeating: 0, count: n * 64), y = [Int]()
        for i in 0..<n {
            let c = i % 3
            y.append(c)
            for p in 0..<64 { x[i * 64 + p] = rng.normal(mean: 0, std: 0.3) }
            for dy in 0..<3 { for dx in 0..<3 { x[i * 64 + (1 + 2 * c + dy) * 8 + 1 + 2 * c + dx] += 1 } }
        }
        return (Tensor(unchecked: [n, 1, 8, 8], data: x), y)
    }

    func testSafetensorsLayoutIsLengthPrefixedJSONHeaderThenLittleEndianF32() throws {
        let dir = try temporaryDirectory(); defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("t.safetensors").path
        let a = try Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, -6.5]), b = try Tensor(shape: [1], data: [0.25])
        try SafeTensors.write([("0.weight", a), ("0.bias", b)], metadata: ["format": "x"], to: path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        XCTAssertEqual((8 + Int(n)) % 8, 0, "data section is 8-byte aligned")
        XCTAssertEqual(data.count, 8 + Int(n) + 4 * 7)
        let header = try XCTUnwrap(try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + Int(n)))) as? [String: Any])
        let w = try XCTUnwrap(header["0.weight"] as? [String: Any])
        XCTAssertEqual(w["dtype"] as? String, "F32")
        XCTAssertEqual(w["shape"] as? [Int], [2, 3])
        XCTAssertEqual(w["data_offsets"] as? [Int], [0, 24])
        XCTAssertEqual((header["0.bias"] as? [String: Any])?["data_offsets"] as? [Int], [24, 28])
        XCTAssertEqual(header["__metadata__"] as? [String: String], ["format": "x"])
        // Last float of the weight, -6.5, little-endian at data offset 20.
        let at = 8 + Int(n) + 20
        let bits = (0..<4).reduce(UInt32(0)) { $0 | UInt32(data[at + $1]) << (8 * UInt32($1)) }
        XCTAssertEqual(Float(bitPattern: bits), -6.5)
        let back = try SafeTensors.read(path)
        XCTAssertEqual(back.tensors["0.weight"], a)
        XCTAssertEqual(back.names, ["0.weight", "0.bias"])
    }

    func testModelCheckpointRebuildsArchitectureAndWeightsExactly() throws {
        let dir = try temporaryDirectory(); defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.safetensors").path
        let model = try Sequential(Self.smallNet, inputShape: [1, 8, 8], seed: 4)
        try Checkpoint.save(model, to: path)
        let loaded = try Checkpoint.loadModel(path)
        XCTAssertEqual(loaded.architecture, model.architecture)
        XCTAssertEqual(loaded.inputShape, [1, 8, 8])
        XCTAssertEqual(loaded.snapshot(), model.snapshot())
        let (x, _) = Self.toyData(5, seed: 1)
        XCTAssertEqual(try loaded.predict(x), try model.predict(x))
    }

    func testMismatchedOrCorruptCheckpointIsAClearError() throws {
        let dir = try temporaryDirectory(); defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.safetensors").path
        try Checkpoint.save(try Sequential(Self.smallNet, inputShape: [1, 8, 8]), to: path)
        let other = try Sequential(Self.smallNet, inputShape: [1, 10, 10])
        XCTAssertThrowsError(try Checkpoint.loadWeights(into: other, from: path)) { e in
            XCTAssertEqual((e as? PerceptError)?.description, "\(path): checkpoint architecture differs: input shape [1, 8, 8] in the checkpoint, [1, 10, 10] in the model")
        }
        var tanhNet = Self.smallNet
        tanhNet[1] = LayerSpec("tanh")
        XCTAssertThrowsError(try Checkpoint.loadWeights(into: try Sequential(tanhNet, inputShape: [1, 8, 8]), from: path)) { e in
            XCTAssertEqual((e as? PerceptError)?.description, "\(path): checkpoint architecture differs: layer 1 is relu [:] in the checkpoint, tanh [:] in the model")
        }
        // Weights-only files (no architecture record, e.g. exported from Python) are checked by name and shape.
        let bare = dir.appendingPathComponent("bare.safetensors").path
        try SafeTensors.write([("0.weight", Tensor(shape: [4, 1, 3, 3]))], metadata: [:], to: bare)
        XCTAssertThrowsError(try Checkpoint.loadWeights(into: other, from: bare)) { e in
            XCTAssertEqual((e as? PerceptError)?.description, "\(bare): checkpoint has no tensor '0.bias' (does it belong to another architecture?)")
        }
        let wrongShape = dir.appendingPathComponent("shape.safetensors").path
        try SafeTensors.write([("0.weight", Tensor(shape: [4, 1, 3, 3])), ("0.bias", Tensor(shape: [4])), ("5.weight", Tensor(shape: [3, 64])),
                               ("5.bias", Tensor(shape: [3]))], metadata: [:], to: wrongShape)
        XCTAssertThrowsError(try Checkpoint.loadWeights(into: other, from: wrongShape)) { e in
            XCTAssertEqual((e as? PerceptError)?.description, "\(wrongShape): tensor '5.weight' has shape [3, 64], the model expects [3, 100]")
        }
        let garbage = dir.appendingPathComponent("bad.safetensors").path
        try Data([0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 1, 2]).write(to: URL(fileURLWithPath: garbage))
        XCTAssertThrowsError(try Checkpoint.loadModel(garbage)) { e in
            XCTAssertEqual((e as? PerceptError)?.description, "\(garbage): not a safetensors file (header length 65535 exceeds the file)")
        }
        let full = try Data(contentsOf: URL(fileURLWithPath: path))
        try full.prefix(full.count - 4).write(to: URL(fileURLWithPath: garbage))
        XCTAssertThrowsError(try Checkpoint.loadModel(garbage)) { e in
            XCTAssertTrue("\(e)".contains("data_offsets"), "\(e)")
        }
        XCTAssertThrowsError(try Checkpoint.loadModel(dir.appendingPathComponent("missing").path)) { e in
            XCTAssertEqual((e as? PerceptError)?.exitCode, 2)
        }
    }

    private func makeTrainer(seed: UInt64, epochs: Int, checkpoint: String? = nil) throws -> Trainer {
        let model = try Sequential(Self.smallNet, inputShape: [1, 8, 8], seed: seed)
        var o = TrainingOptions()
        o.epochs = epochs; o.batchSize = 10; o.seed = 21; o.validationSplit = 0.25; o.clipNorm = 5
        o.earlyStopping = EarlyStopping(monitor: "val_loss", patience: 50, restoreBest: true)
        o.checkpointPath = checkpoint
        return Trainer(model: model, loss: try LossRegistry.make("cross_entropy", ["label_smoothing": "0.05"]),
                       optimizer: try OptimizerRegistry.make("adam", ["lr": "0.01"]),
                       schedule: try LRSchedule(["kind": "plateau", "patience": "0", "warmup_steps": "5"]), options: o)
    }

    func testResumedTrainingEqualsUninterruptedRunBitForBit() throws {
        try Self.assertResumedRunEqualsUninterrupted { try self.makeTrainer(seed: $0, epochs: $1, checkpoint: $2) }
    }

    /// Trains 4 epochs straight, and 2 + checkpoint + 2 resumed into a fresh model with other initial
    /// weights (`make(seed, epochs, checkpoint)`): losses, weights, buffers and optimizer must agree exactly.
    static func assertResumedRunEqualsUninterrupted(file: StaticString = #filePath, line: UInt = #line,
                                                    _ make: (UInt64, Int, String?) throws -> Trainer) throws {
        let dir = try temporaryDirectory(); defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("run.safetensors").path
        let (x, y) = toyData(57, seed: 3)
        let straight = try make(1, 4, nil)
        let full = try straight.fit(x, .classes(y))
        let first = try make(1, 2, path)
        _ = try first.fit(x, .classes(y))
        // A fresh model with other initial weights: everything must come from the checkpoint.
        let resumed = try make(99, 4, nil)
        try resumed.loadCheckpoint(from: path)
        XCTAssertEqual(resumed.epochsDone, 2, file: file, line: line)
        let rest = try resumed.fit(x, .classes(y))
        XCTAssertEqual(rest.map(\.epoch), [2, 3], file: file, line: line)
        XCTAssertEqual(rest.map(\.trainLoss), full.suffix(2).map(\.trainLoss), file: file, line: line)
        XCTAssertEqual(rest.map { $0.validation?.loss }, full.suffix(2).map { $0.validation?.loss }, file: file, line: line)
        XCTAssertEqual(resumed.model.snapshot(), straight.model.snapshot(), "weights and buffers", file: file, line: line)
        XCTAssertEqual(resumed.optimizer.step, straight.optimizer.step, file: file, line: line)
    }

    func testNaNLossStopsTrainingWithAClearErrorAndKeepsTheLastGoodCheckpoint() throws {
        let dir = try temporaryDirectory(); defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("good.safetensors").path
        let (x, y) = Self.toyData(30, seed: 3)
        let model = try Sequential(Self.smallNet, inputShape: [1, 8, 8], seed: 1)
        var o = TrainingOptions()
        o.epochs = 5; o.batchSize = 10; o.checkpointPath = path
        // The rate jumps by 1e12 after the first epoch: the second one diverges.
        let trainer = Trainer(model: model, loss: try LossRegistry.make("cross_entropy"),
                              optimizer: try OptimizerRegistry.make("sgd", ["lr": "0.05"]),
                              schedule: try LRSchedule(["kind": "exponential", "gamma": "1e12"]), options: o)
        var epochs = 0
        trainer.onEpoch.append { _ in epochs += 1 }
        XCTAssertThrowsError(try trainer.fit(x, .classes(y))) { e in
            let text = (e as? PerceptError)?.description ?? ""
            XCTAssertTrue(text.hasPrefix("training stopped at epoch 2, step "), text)
            XCTAssertTrue(text.contains("the model was reset to the end of epoch 1; the last good checkpoint is \(path)"), text)
            XCTAssertEqual((e as? PerceptError)?.exitCode, 1)
        }
        XCTAssertEqual(epochs, 1)
        let saved = try Checkpoint.loadModel(path)
        XCTAssertEqual(saved.snapshot(), model.snapshot(), "model rolled back to the checkpointed epoch")
        XCTAssertTrue(model.snapshot().allSatisfy { $0.allSatisfy(\.isFinite) })
    }
}
