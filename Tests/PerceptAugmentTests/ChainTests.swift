import Foundation
import PerceptAugment
import PerceptCore
import XCTest

final class ChainTests: XCTestCase {
    func imageChain() throws -> AugmentationChain {
        AugmentationChain([
            try StageRegistry.make("horizontal_flip", [:]),
            try StageRegistry.make("random_crop", ["padding": "4", "padding_mode": "reflect"]),
            try StageRegistry.make("random_brightness_contrast", ["p": "0.8"]),
            try StageRegistry.make("gauss_noise", ["std_range": "0.01,0.1"]),
            try StageRegistry.make("rotate", ["limit": "10", "p": "0.3"]),
        ])
    }

    func images(_ n: Int) throws -> [Sample] {
        try (0..<n).map { try Sample(image: testImage(1, 28, 28, salt: $0)) }
    }

    func testSameSeedGivesByteIdenticalOutputs() throws {
        let chain = try imageChain(), inputs = try images(16)
        let a = try chain.apply(to: inputs, seed: 7, epoch: 2)
        let b = try chain.apply(to: inputs, seed: 7, epoch: 2)
        for (x, y) in zip(a, b) {
            XCTAssertEqual(x.data.storage.map(\.bitPattern), y.data.storage.map(\.bitPattern))
        }
    }

    func testAnotherEpochOrSeedGivesOtherVariants() throws {
        let chain = try imageChain(), inputs = try images(8)
        let e0 = try chain.apply(to: inputs, seed: 7, epoch: 0)
        let e1 = try chain.apply(to: inputs, seed: 7, epoch: 1)
        let s8 = try chain.apply(to: inputs, seed: 8, epoch: 0)
        for i in 0..<inputs.count {
            XCTAssertNotEqual(e0[i].data, e1[i].data, "sample \(i)")
            XCTAssertNotEqual(e0[i].data, s8[i].data, "sample \(i)")
        }
    }

    func testThreadCountDoesNotChangeResults() throws {
        let chain = try imageChain(), inputs = try images(40)
        let stackIn = try Tensor.stack(inputs.map(\.data))
        let (one, slabOne) = try Parallel.withThreads(1) {
            (try chain.apply(to: inputs, seed: 3, epoch: 5, firstIndex: 100), try chain.augmentImages(stackIn, seed: 3, epoch: 5, firstIndex: 100))
        }
        let (two, slabTwo) = try Parallel.withThreads(2) {
            (try chain.apply(to: inputs, seed: 3, epoch: 5, firstIndex: 100), try chain.augmentImages(stackIn, seed: 3, epoch: 5, firstIndex: 100))
        }
        XCTAssertEqual(one.map(\.data), two.map(\.data))
        XCTAssertEqual(slabOne, slabTwo)
        // The slab API and the batch API equal one-by-one calls.
        for i in 0..<inputs.count {
            let single = try chain.apply(to: inputs[i], seed: 3, epoch: 5, index: 100 + i)
            XCTAssertEqual(single.data, one[i].data)
            XCTAssertEqual(single.data.storage, slabTwo.slice(i).storage)
        }
    }

    func testDrawLogsAsJSONAndReplaysOnAnotherSignal() throws {
        let chain = try imageChain()
        let a = try Sample(image: testImage(1, 28, 28, salt: 1))
        let draws = try chain.draw(for: a.shape, seed: 11, epoch: 4, index: 9)
        XCTAssertEqual(draws.map(\.stage), ["horizontal_flip", "random_crop", "random_brightness_contrast", "gauss_noise", "rotate"])
        // Replaying the draws equals the direct run.
        let direct = try chain.apply(to: a, seed: 11, epoch: 4, index: 9)
        XCTAssertEqual(try chain.replay(draws, on: a).data, direct.data)
        // Through JSON and back, on another image of the same shape.
        let json = try JSONEncoder().encode(draws)
        let decoded = try JSONDecoder().decode([StageDraw].self, from: json)
        XCTAssertEqual(decoded, draws)
        let b = try Sample(image: testImage(1, 28, 28, salt: 2))
        var manual = b
        for (step, d) in zip(chain.steps, decoded) {
            guard case let .sample(stage) = step else { continue }
            manual = try AugmentationChain(stages: [stage]).replay([d], on: manual)
        }
        XCTAssertEqual(try chain.replay(decoded, on: b).data, manual.data)
        XCTAssertNotEqual(manual.data, b.data)
        let text = String(decoding: json, as: UTF8.self)
        XCTAssertTrue(text.contains("\"stage\":\"random_crop\""), text)
    }

    func testReplayRejectsMismatchedRecords() throws {
        let chain = try imageChain()
        let a = try Sample(image: testImage(1, 28, 28))
        var draws = try chain.draw(for: a.shape, seed: 1, epoch: 0, index: 0)
        draws.swapAt(0, 1)
        XCTAssertThrowsError(try chain.replay(draws, on: a))
        XCTAssertThrowsError(try chain.replay(Array(draws.prefix(2)), on: a))
    }

    func testProbabilityGateFollowsP() throws {
        let never = AugmentationChain([try StageRegistry.make("horizontal_flip", ["p": "0"])])
        let always = AugmentationChain([try StageRegistry.make("horizontal_flip", ["p": "1"])])
        let half = AugmentationChain([try StageRegistry.make("horizontal_flip", ["p": "0.5"])])
        let img = try Sample(image: testImage(1, 4, 5))
        var flipped = 0
        for i in 0..<400 {
            XCTAssertEqual(try never.apply(to: img, seed: 1, epoch: 0, index: i).data, img.data)
            XCTAssertNotEqual(try always.apply(to: img, seed: 1, epoch: 0, index: i).data, img.data)
            if try half.apply(to: img, seed: 1, epoch: 0, index: i).data != img.data { flipped += 1 }
        }
        XCTAssertEqual(Double(flipped) / 400, 0.5, accuracy: 0.08)
    }

    func testKindMismatchIsRejectedBeforeRunning() throws {
        let chain = AugmentationChain([try StageRegistry.make("gain", [:])])
        assertInvalid("gain", "works on audio, but the input is an image") {
            _ = try chain.outputShape(for: Sample(image: testImage(1, 4, 4)).shape)
        }
    }

    func testBatchStagesNeedTheBatchAPI() throws {
        let chain = AugmentationChain([try StageRegistry.make("mixup", [:])])
        assertInvalid("mixup", "batch stage") { _ = try chain.apply(to: Sample(image: testImage(1, 4, 4)), seed: 0, epoch: 0, index: 0) }
    }

    func testBatchAPIRunsSampleStagesLikeOneByOneThenMixes() throws {
        let flip = try StageRegistry.make("random_crop", ["padding": "2"])
        let chain = AugmentationChain([flip, try StageRegistry.make("mixup", ["alpha": "0.4"])])
        let inputs = try images(6)
        // One class per sample, so a mixed label spells out which inputs were blended and how.
        let labels = (0..<6).map { i in Tensor(unchecked: [6], data: (0..<6).map { $0 == i ? 1 : 0 }) }
        let out = try chain.apply(to: Batch(samples: inputs, labels: labels), seed: 5, epoch: 1, batchIndex: 2, firstIndex: 12)
        let again = try chain.apply(to: Batch(samples: inputs, labels: labels), seed: 5, epoch: 1, batchIndex: 2, firstIndex: 12)
        XCTAssertEqual(out, again)
        let cropOnly = AugmentationChain([flip])
        let cropped = try (0..<6).map { try cropOnly.apply(to: inputs[$0], seed: 5, epoch: 1, index: 12 + $0) }
        var mixedSome = false
        for i in 0..<6 {
            let w = out.labels[i].storage
            XCTAssertEqual(w.reduce(0, +), 1, accuracy: 1e-6)
            if w[i] < 1 { mixedSome = true }
            var expected = [Float](repeating: 0, count: cropped[0].data.count)
            for j in 0..<6 where w[j] != 0 { for k in expected.indices { expected[k] += w[j] * cropped[j].data.storage[k] } }
            XCTAssertLessThan(zip(expected, out.samples[i].data.storage).map { abs($0 - $1) }.max() ?? 1, 1e-5, "sample \(i)")
        }
        XCTAssertTrue(mixedSome)
    }
}

final class StackTests: XCTestCase {
    func testAudioAndSpectrogramStacksEqualOneByOne() throws {
        let audio = AugmentationChain([
            try StageRegistry.make("gain", ["p": "1"]), try StageRegistry.make("add_gaussian_snr", ["p": "0.7"]),
            try StageRegistry.make("shift", ["p": "1", "rollover": "false"]),
        ])
        let clips = (0..<9).map { i in tone(200 + 30 * Double(i), sr: 8000, n: 2 * 800) }
        let stack = Tensor(unchecked: [9, 2, 800], data: clips.flatMap { $0 })
        let out = try audio.augment(stack: stack, kind: .audio, sampleRate: 8000, seed: 4, epoch: 2, firstIndex: 30)
        for i in 0..<9 {
            let one = try audio.apply(to: Sample(audio: stack.slice(i), sampleRate: 8000), seed: 4, epoch: 2, index: 30 + i)
            XCTAssertEqual(one.data.storage, out.slice(i).storage)
        }
        let spec = AugmentationChain([try StageRegistry.make("time_masking", ["time_mask_param": "5"]),
                                      try StageRegistry.make("frequency_masking", ["freq_mask_param": "3"])])
        let specs = testImage(5, 8, 12).map { $0 + 1 }
        let s4 = try specs.reshaped([5, 1, 8, 12])
        let outS = try spec.augment(stack: s4, kind: .spectrogram, seed: 1, epoch: 0)
        for i in 0..<5 {
            let one = try spec.apply(to: Sample(spectrogram: s4.slice(i)), seed: 1, epoch: 0, index: i)
            XCTAssertEqual(one.data.storage, outS.slice(i).storage)
        }
        assertInvalid("stack", "expected [N, channels, frames]") { _ = try audio.augment(stack: s4, kind: .audio, sampleRate: 8000, seed: 0, epoch: 0) }
    }
}

/// Chains that mix deterministic transforms (fix_length, melspectrogram) with random stages.
final class TransformChainTests: XCTestCase {
    /// `[fix_length, add_gaussian_snr, melspectrogram, time_masking]`, as AUG.yaml would list it.
    func speechChain() throws -> AugmentationChain {
        let list: Value = [
            ["fix_length": ["size": 12000]],
            ["add_gaussian_snr": ["p": 1, "min_snr_db": 10, "max_snr_db": 20]],
            ["melspectrogram": ["n_fft": 512, "hop_length": 160, "n_mels": 40, "db": true]],
            ["time_masking": ["time_mask_param": 10]],
        ]
        return AugmentationChain(try StageRegistry.steps(list, path: "stages"))
    }

    func clip(_ n: Int, salt: Int = 0) throws -> Sample {
        try Sample(audio: Tensor(unchecked: [1, n], data: tone(300 + 50 * Double(salt), sr: 16000, n: n)), sampleRate: 16000)
    }

    func testAMixedChainGoesFromAWaveformToAMaskedLogMel() throws {
        let chain = try speechChain()
        XCTAssertEqual(chain.steps.map(\.name), ["fix_length", "add_gaussian_snr", "melspectrogram", "time_masking"])
        let input = try clip(9000)
        let shape = try chain.outputShape(for: input.shape)
        XCTAssertEqual(shape, SampleShape(kind: .spectrogram, dims: [1, 40, 76]), "12000 samples at hop 160, centred")
        let out = try chain.apply(to: input, seed: 3, epoch: 0, index: 5)
        XCTAssertEqual(out.shape, shape)
        let again = try chain.apply(to: input, seed: 3, epoch: 0, index: 5)
        XCTAssertEqual(out.data.storage.map(\.bitPattern), again.data.storage.map(\.bitPattern))
        XCTAssertNotEqual(out.data, try chain.apply(to: input, seed: 3, epoch: 1, index: 5).data)
    }

    func testTransformStepsDrawNothingSoRandomStagesKeepTheirStreams() throws {
        let chain = try speechChain()
        let head = AugmentationChain(Array(chain.steps.prefix(2)))
        guard case let .transform(mel) = chain.steps[2] else { return XCTFail("melspectrogram is a transform step") }
        let input = try clip(15000)
        let viaChain = try AugmentationChain(Array(chain.steps.prefix(3))).apply(to: input, seed: 9, epoch: 2, index: 1)
        let byHand = try mel.apply(try head.apply(to: input, seed: 9, epoch: 2, index: 1))
        XCTAssertEqual(viaChain, byHand)
    }

    func testDrawnRecordsNameTheTransformsAndReplayGivesTheSameOutput() throws {
        let chain = try speechChain(), input = try clip(12000)
        let draws = try chain.draw(for: input.shape, seed: 4, epoch: 1, index: 2)
        XCTAssertEqual(draws.map(\.stage), ["fix_length", "add_gaussian_snr", "melspectrogram", "time_masking"])
        XCTAssertEqual(draws[0].json, #"{"applied":true,"stage":"fix_length"}"#)
        let decoded = try JSONDecoder().decode([StageDraw].self, from: JSONEncoder().encode(draws))
        XCTAssertEqual(try chain.replay(decoded, on: input), try chain.apply(to: input, seed: 4, epoch: 1, index: 2))
    }

    func testAStageAfterATransformOfAnotherKindFailsBeforeAnythingRuns() throws {
        let chain = AugmentationChain([try StageRegistry.step("melspectrogram"), try StageRegistry.step("gain")])
        assertInvalid("gain", "works on audio, but the input is a spectrogram") { _ = try chain.outputShape(for: try clip(4000).shape) }
        let afterHOG = AugmentationChain([try StageRegistry.step("hog", ["pixels_per_cell": 4]), try StageRegistry.step("gain")])
        assertInvalid("gain", "works on audio, but the input is a vector") { _ = try afterHOG.outputShape(for: try Sample(image: testImage(1, 16, 16)).shape) }
        let wrongInput = AugmentationChain([try StageRegistry.step("mfcc")])
        assertInvalid("mfcc", "works on audio, but the input is an image") { _ = try wrongInput.outputShape(for: try Sample(image: testImage(1, 8, 8)).shape) }
    }

    func testStacksAndBatchesWithTransformsEqualOneByOne() throws {
        let chain = try speechChain()
        let clips = try (0..<3).map { try clip(12000, salt: $0) }
        let stack = try chain.augment(stack: Tensor.stack(clips.map(\.data)), kind: .audio, sampleRate: 16000, seed: 6, epoch: 1)
        let batch = try chain.apply(to: Batch(samples: clips, labels: clips.map { _ in Tensor(shape: [2]) }), seed: 6, epoch: 1, batchIndex: 0)
        for (i, c) in clips.enumerated() {
            let one = try chain.apply(to: c, seed: 6, epoch: 1, index: i)
            XCTAssertEqual(stack.slice(i), one.data, "item \(i)")
            XCTAssertEqual(batch.samples[i], one, "item \(i)")
        }
    }

    func testTransformsAreBuiltByNameOrAliasWithTheirOptionsChecked() throws {
        XCTAssertEqual(TransformRegistry.shared.names, ["fix_length", "spectrogram", "melspectrogram", "mfcc", "delta",
                                                        "gray", "sobel", "hog", "pyramid_level", "resample", "resize", "center_crop",
                                                        "pad", "normalize", "standardize", "flatten", "stats_pool"])
        let down = try TransformRegistry.make("pyr-down", ["level": 2])
        XCTAssertEqual(try down.outputShape(for: SampleShape(kind: .image, dims: [1, 9, 9])).dims, [1, 3, 3])
        let crop = try TransformRegistry.make("crop", ["size": [2, 3]])
        XCTAssertEqual(type(of: crop).name, "center_crop")
        // A chain of the new shape stages reports its shape before running, and runs to it.
        let chain = AugmentationChain(try StageRegistry.steps([["resize": ["size": [20, 24]]], ["center_crop": ["size": 16]],
                                                              ["pad": ["size": [18, 16]]], ["normalize": ["mean": [0.5], "std": [0.25]]],
                                                              "standardize", "flatten"], path: "stages"))
        let image = try Sample(image: testImage(2, 30, 40))
        XCTAssertEqual(try chain.outputShape(for: image.shape), SampleShape(kind: .vector, dims: [2 * 18 * 16]))
        XCTAssertEqual(try chain.apply(to: image, seed: 1, epoch: 0, index: 0).data.shape, [2 * 18 * 16])
        assertInvalid("resize", "works on images or spectrograms, but the input is audio") {
            _ = try AugmentationChain(try StageRegistry.steps([["resize": ["size": 4]]], path: "stages"))
                .outputShape(for: SampleShape(kind: .audio, dims: [1, 100], sampleRate: 8000))
        }
        assertInvalid("stages[1].melspectrogram.n_mels", "must be between 1 and") {
            _ = try StageRegistry.steps([["gain": ["p": 1]], ["melspectrogram": ["n_mels": 0]]], path: "stages")
        }
        assertInvalid("stages[0]", "unknown augmentation stage 'melspectrogam'") { _ = try StageRegistry.steps(["melspectrogam"], path: "stages") }
    }
}
