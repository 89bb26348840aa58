import Foundation
import PerceptCore
import PerceptNN
import XCTest

/// Training on padded variable-length sequences through `Trainer` with per-sample lengths.
final class TrainerSequenceTests: XCTestCase {
    static let features = 3

    /// `n` sequences of 2…6 frames (class c raises feature c), padded to `frames` with large junk
    /// that differs with `frames`; the valid frames are the same for every padding.
    static func sequences(_ n: Int, frames: Int) -> (x: Tensor, lengths: [Int], classes: [Int]) {
        let F = features
        var x = [Float](repeating: 0, count: n * frames * F), lengths: [Int] = [], classes: [Int] = []
        var junk = RandomStream(seed: UInt64(1000 + frames))
        for i in 0..<n {
            let c = i % 3, len = 2 + (i * 3) % 5
            var rng = RandomStream(seed: 40).split(UInt64(i))
            classes.append(c); lengths.append(len)
            for t in 0..<frames {
                for f in 0..<F {
                    x[(i * frames + t) * F + f] = t < len ? rng.normal(mean: f == c ? 1 : 0, std: 0.5) : junk.normal(mean: 0, std: 3)
                }
            }
        }
        return (Tensor(unchecked: [n, frames, F], data: x), lengths, classes)
    }

    static let classifier: [LayerSpec] = [LayerSpec("lstm", ["hidden_size": "6"]), LayerSpec("dense", ["out_features": "3"])]

    private func makeTrainer(_ specs: [LayerSpec], frames: Int, loss: any Loss) throws -> Trainer {
        let model = try Sequential(specs, inputShape: [frames, Self.features], seed: 5)
        var o = TrainingOptions()
        // 13 samples: 3 held out, 10 trained in batches of 3, 3, 3, 1; validation in 2, 1.
        o.epochs = 3; o.batchSize = 3; o.evalBatchSize = 2; o.seed = 8; o.validationSplit = 0.25
        return Trainer(model: model, loss: loss, optimizer: try OptimizerRegistry.make("adam", ["lr": "0.05"]), options: o)
    }

    private func assertSameTraining(_ a: [EpochReport], _ b: [EpochReport], _ ma: Sequential, _ mb: Sequential,
                                    file: StaticString = #filePath, line: UInt = #line) {
        assertClose(a.map { Float($0.trainLoss) }, b.map { Float($0.trainLoss) }, tol: 1e-5, "train loss", file: file, line: line)
        assertClose(a.map { Float($0.validation?.loss ?? .nan) }, b.map { Float($0.validation?.loss ?? .nan) }, tol: 1e-5,
                    "validation loss", file: file, line: line)
        for (i, (wa, wb)) in zip(ma.snapshot(), mb.snapshot()).enumerated() {
            assertClose(wa, wb, tol: 1e-5, "state tensor \(ma.namedState[i].name)", file: file, line: line)
        }
    }

    func testMaskedLSTMClassifierTrainsTheSameWhateverThePadding() throws {
        let (x6, lengths, y) = Self.sequences(13, frames: 6)
        let (x10, lengths10, _) = Self.sequences(13, frames: 10)
        XCTAssertEqual(lengths, lengths10)
        let a = try makeTrainer(Self.classifier, frames: 6, loss: try LossRegistry.make("cross_entropy"))
        let b = try makeTrainer(Self.classifier, frames: 10, loss: try LossRegistry.make("cross_entropy"))
        let ra = try a.fit(x6, .classes(y), lengths: lengths)
        let rb = try b.fit(x10, .classes(y), lengths: lengths)
        assertSameTraining(ra, rb, a.model, b.model)
        XCTAssertLessThan(ra[2].trainLoss, ra[0].trainLoss)
        let ea = try a.evaluate(x6, .classes(y), lengths: lengths), eb = try b.evaluate(x10, .classes(y), lengths: lengths)
        XCTAssertEqual(ea.loss, eb.loss, accuracy: 1e-5)

        // Control: without lengths the junk is read and training differs.
        let c = try makeTrainer(Self.classifier, frames: 10, loss: try LossRegistry.make("cross_entropy"))
        let rc = try c.fit(x10, .classes(y))
        XCTAssertGreaterThan(abs(rc[0].trainLoss - ra[0].trainLoss), 1e-3)
    }

    func testPredictOnPaddedInputEqualsPredictOnEachUnpaddedSequence() throws {
        let (x, lengths, y) = Self.sequences(13, frames: 6)
        let t = try makeTrainer(Self.classifier, frames: 6, loss: try LossRegistry.make("cross_entropy"))
        _ = try t.fit(x, .classes(y), lengths: lengths)
        // The last batch of fit (validation) held one sample: its length must not stick to the model.
        XCTAssertEqual(try t.model.predict(x, batchSize: 1), try t.model.predict(x, batchSize: 13))
        t.options.evalBatchSize = 4   // 4, 4, 4 and a final batch of 1
        let padded = try t.predict(x, lengths: lengths)
        XCTAssertEqual(padded.shape, [13, 3])
        let weights = t.model.snapshot()
        for i in 0..<13 {
            let len = lengths[i]
            let alone = try Sequential(Self.classifier, inputShape: [len, Self.features], seed: 5)
            alone.restore(weights)
            let xi = Tensor(unchecked: [1, len, Self.features], data: Array(x.storage[(i * 6 * Self.features)...].prefix(len * Self.features)))
            assertClose(Array(padded.storage[(i * 3)..<(i * 3 + 3)]), try alone.predict(xi).storage, tol: 1e-5, "sample \(i)")
        }
        // The same sequences under more padding predict the same; without lengths the padding is read.
        let (x10, _, _) = Self.sequences(13, frames: 10)
        let other = try makeTrainer(Self.classifier, frames: 10, loss: try LossRegistry.make("cross_entropy"))
        other.model.restore(weights)
        assertClose(try other.predict(x10, lengths: lengths).storage, padded.storage, tol: 1e-5, "more padding")
        XCTAssertGreaterThan(try t.predict(x).maxAbsDifference(padded), 1e-3, "a call without lengths runs unmasked")
    }

    func testMaskedCrossEntropyThroughTheTrainerIgnoresFramesPastEachLength() throws {
        let K = 3
        func frameTargets(_ frames: Int, _ lengths: [Int], _ classes: [Int]) -> Tensor {
            var t = [Float](repeating: 0, count: classes.count * frames * K)
            for (i, c) in classes.enumerated() {
                // Valid frames carry the class; padded frames carry a wrong one the mask must hide.
                for f in 0..<frames { t[(i * frames + f) * K + (f < lengths[i] ? c : (c + 1) % K)] = 1 }
            }
            return Tensor(unchecked: [classes.count, frames, K], data: t)
        }
        let specs = [LayerSpec("lstm", ["hidden_size": "\(K)", "return_sequences": "true"])]
        let (x6, lengths, y) = Self.sequences(13, frames: 6)
        let (x10, _, _) = Self.sequences(13, frames: 10)
        let loss6 = try LossRegistry.make("masked_cross_entropy", ["classes": "\(K)"])
        XCTAssertTrue(loss6 is MaskedCrossEntropyLoss)
        let a = try makeTrainer(specs, frames: 6, loss: loss6)
        let b = try makeTrainer(specs, frames: 10, loss: try LossRegistry.make("masked_cross_entropy", ["classes": "\(K)"]))
        let ra = try a.fit(x6, .values(frameTargets(6, lengths, y)), lengths: lengths)
        let rb = try b.fit(x10, .values(frameTargets(10, lengths, y)), lengths: lengths)
        assertSameTraining(ra, rb, a.model, b.model)
    }

    func testLengthsThatDoNotFitAreClearErrors() throws {
        let (x, lengths, y) = Self.sequences(5, frames: 6)
        let t = try makeTrainer(Self.classifier, frames: 6, loss: try LossRegistry.make("cross_entropy"))
        XCTAssertThrowsError(try t.fit(x, .classes(y), lengths: Array(lengths.prefix(4)))) { e in
            XCTAssertEqual("\(e)", "lengths: 4 lengths for 5 samples")
        }
        XCTAssertThrowsError(try t.predict(x, lengths: [6, 7, 2, 2, 2])) { e in
            XCTAssertEqual("\(e)", "lengths: length 7 of sample 1 is outside 1...6 frames")
        }
        t.options.sequenceAxis = 2
        XCTAssertThrowsError(try t.evaluate(x, .classes(y), lengths: lengths)) { e in
            XCTAssertTrue("\(e)".hasPrefix("sequence_axis: 2 is not an axis"), "\(e)")
        }
        let dense = Trainer(model: try Sequential([LayerSpec("flatten"), LayerSpec("dense", ["out_features": "3"])], inputShape: [6, 3]),
                            loss: try LossRegistry.make("cross_entropy"), optimizer: try OptimizerRegistry.make("sgd"))
        XCTAssertThrowsError(try dense.predict(x, lengths: lengths)) { e in XCTAssertTrue("\(e)".contains("lstm, gru"), "\(e)") }
    }
}
