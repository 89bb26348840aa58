import Foundation
import PerceptAugment
import PerceptCore
import PerceptIO
import PerceptVision
import XCTest

/// Option values that used to trap, corrupt the heap or burn CPU (issue #16) are rejected when
/// the chain is built — through `StageRegistry.steps`, the path AUG.yaml takes — with one line
/// naming the field; and no value any numeric option accepts traps when its stage runs.
final class BoundsTests: XCTestCase {
    /// Builds `[stage: options]` as the first item of an AUG.yaml stage list.
    func build(_ stage: String, _ options: [String: Value]) throws -> AugmentationChain {
        let item = Value(.map([Value.Entry(stage, Value(.map(options.map { Value.Entry($0.key, $0.value) })))]))
        return AugmentationChain(try StageRegistry.steps(Value(.list([item])), path: "stages"))
    }

    func testHugePaddingIsRejectedWithItsField() {
        assertInvalid("stages[0].random_crop.padding", "9223372036854775807 is outside [0, 65535]") {
            _ = try build("random_crop", ["padding": "9223372036854775807"])
        }
        assertInvalid("stages[0].random_crop.height", "is outside [1, 65535]") { _ = try build("random_crop", ["height": "70000"]) }
        // Within the bounds, padding and window are checked against the image in overflow-free arithmetic.
        let chain = try? build("random_crop", ["padding": "65535", "height": "65535", "width": "3"])
        XCTAssertNotNil(chain)
        assertInvalid("stages[0].random_crop.height", "more than the 134217728 allowed") {
            _ = try build("random_crop", ["height": "65535", "width": "65535"])
        }
    }

    func testRandomResizedCropRejectsOversizedOutput() throws {
        assertInvalid("stages[0].random_resized_crop.height", "9223372036854775807 is outside [1, 65535]") {
            _ = try build("random_resized_crop", ["height": "9223372036854775807", "width": "10"])
        }
        assertInvalid("stages[0].random_resized_crop.height", "an output of 60000 × 60000 values is more than the 134217728 allowed") {
            _ = try build("random_resized_crop", ["height": "60000", "width": "60000"])
        }
        // 8192 × 8192 builds; with three channels it is 3 · 2²⁶ values, beyond the bound, once the input is known.
        let chain = try build("random_resized_crop", ["height": "8192", "width": "8192"])
        XCTAssertEqual(try chain.outputShape(for: SampleShape(kind: .image, dims: [1, 8, 8])).dims, [1, 8192, 8192])
        assertInvalid("stages[0].random_resized_crop.height", "3 × 8192 × 8192") {
            _ = try chain.outputShape(for: SampleShape(kind: .image, dims: [3, 8, 8]))
        }
        assertInvalid("stages[0].random_resized_crop.ratio", "is outside [0.001, 1000]") {
            _ = try build("random_resized_crop", ["height": "8", "width": "8", "ratio": ["1e-30", "1e30"]])
        }
    }

    func testGaussianBlurSigmaIsBoundedSoTheKernelIsToo() throws {
        for sigma: Value in [["1e30", "1e30"], ["100000", "100000"], "32"] {
            assertInvalid("stages[0].gaussian_blur.sigma_limit", "is outside (0, 31.75]") { _ = try build("gaussian_blur", ["sigma_limit": sigma]) }
        }
        // The largest sigma sizes its own kernel at 255 taps, blur_limit's largest.
        let blur = try build("gaussian_blur", ["sigma_limit": "31.75", "blur_limit": "0", "p": "1"])
        XCTAssertEqual(Gaussian.kernelSize(sigma: 31.75), 255)
        let out = try blur.apply(to: Sample(image: testImage(1, 6, 5)), seed: 0, epoch: 0, index: 0)
        XCTAssertEqual(out.data.shape, [1, 6, 5])
    }

    func testShiftsAreBoundedPerUnitAndDrawsNeverTrapOnConversion() throws {
        assertInvalid("stages[0].shift.min_shift", "must lie in [−1000000000, 1000000000] for shift_unit samples") {
            _ = try build("shift", ["min_shift": "-1e30", "max_shift": "0", "shift_unit": "samples"])
        }
        assertInvalid("stages[0].shift.max_shift", "for shift_unit seconds") {
            _ = try build("shift", ["min_shift": "0", "max_shift": "1e6", "shift_unit": "seconds"])
        }
        // A replayed shift may be any Int: it wraps or zeroes, never traps.
        let audio = try Sample(audio: Tensor(unchecked: [1, 5], data: [1, 2, 3, 4, 5]), sampleRate: 8000)
        for rollover in [true, false] {
            let shift = try Shift(minShift: -1, maxShift: 1, rollover: rollover, p: 1)
            for k in [Int.min, Int.max, -5, 5] {
                var s = audio
                try shift.apply(.init(samples: k), to: &s)
                XCTAssertEqual(s.data.count, 5)
            }
        }
    }

    func testCoarseDropoutHoleSizesAndCountsAreBounded() {
        assertInvalid("stages[0].coarse_dropout.hole_height_range", "1e+23 pixels is outside [1, 65535]") {
            _ = try build("coarse_dropout", ["hole_height_range": "1e23"])
        }
        assertInvalid("stages[0].coarse_dropout.hole_width_range", "is outside (0, 1] (a fraction of the side") {
            _ = try build("coarse_dropout", ["hole_width_range": ["0.5", "2.5"]])
        }
        assertInvalid("stages[0].coarse_dropout.num_holes_range", "100000 is outside [0, 1000]") {
            _ = try build("coarse_dropout", ["num_holes_range": ["1", "100000"]])
        }
    }

    func testCountsBandsAndDecibelsAreBounded() {
        assertInvalid("stages[0].frequency_masking.num_masks", "is outside [0, 1000]") {
            _ = try build("frequency_masking", ["freq_mask_param": "4", "num_masks": "1000000000"])
        }
        assertInvalid("stages[0].time_masking.time_mask_param", "is outside [0, 16777216]") {
            _ = try build("time_masking", ["time_mask_param": "9223372036854775807"])
        }
        assertInvalid("stages[0].time_warp.window", "is outside [0, 16777216]") { _ = try build("time_warp", ["window": "1000000000000000"]) }
        assertInvalid("stages[0].gain.max_gain_db", "1000 is outside [-120, 120]") { _ = try build("gain", ["max_gain_db": "1000"]) }
        assertInvalid("stages[0].add_color_noise.n_fft", "1048576 is outside [4, 4096]") { _ = try build("add_color_noise", ["n_fft": "1048576"]) }
        assertInvalid("stages[0].rotate.limit", "is outside [-360, 360]") { _ = try build("rotate", ["limit": "1e30"]) }
    }

    /// A transform's size option cannot grow a sample past the bound either: `resize` to
    /// 2⁶³ − 1 rows used to build an 8-byte × 2⁶³ weight table whose byte count wrapped.
    func testNoStepGrowsASampleBeyondTheBound() throws {
        let chain = try build("resize", ["size": ["9223372036854775807", "10"]])
        assertInvalid("resize.size", "would need more memory than can be addressed") {
            _ = try chain.outputShape(for: SampleShape(kind: .image, dims: [1, 8, 8]))
        }
        // A sample already that large passes through stages that keep its size.
        let flip = try build("horizontal_flip", [:])
        XCTAssertEqual(try flip.outputShape(for: SampleShape(kind: .image, dims: [3, 10_000, 10_000])).dims, [3, 10_000, 10_000])
    }

    /// Replayed parameters come from JSON: out-of-range boxes, bands and windows are clipped or
    /// rejected, never summed into an overflow.
    func testReplayedParametersOutOfRangeDoNotTrap() throws {
        var image = try Sample(image: testImage(1, 6, 6))
        let crop = try RandomCrop(height: 4, width: 4, padding: 1)
        XCTAssertThrowsError(try crop.apply(.init(top: Int.max, left: 0), to: &image))
        let rrc = try RandomResizedCrop(height: 4, width: 4)
        XCTAssertThrowsError(try rrc.apply(.init(top: Int.max, left: 0, height: 10, width: 2), to: &image))
        let cutout = try CoarseDropout(p: 1)
        try cutout.apply(.init(holes: [Rect(top: Int.max, left: 1, height: Int.max, width: 2), Rect(top: 1, left: 1, height: Int.max, width: Int.max)]), to: &image)
        XCTAssertEqual(image.data.storage.filter { $0 == 0 }.count, 25, "the second box fills rows 1… and columns 1… only")
        var spec = try Sample(spectrogram: testImage(1, 8, 10))
        try FrequencyMasking(freqMaskParam: 2).apply(.init(bands: [MaskBand(start: Int.max, width: Int.max), MaskBand(start: 6, width: Int.max)]), to: &spec)
        try TimeMasking(timeMaskParam: 2).apply(.init(bands: [MaskBand(start: 8, width: Int.max)]), to: &spec)
        try TimeWarp(window: 2).apply(.init(center: Int.max, distance: Int.max), to: &spec)
        XCTAssertEqual(spec.data.storage.filter { $0 == 0 }.count, 2 * 10 + 6 * 2)
        var audio = try Sample(audio: Tensor(unchecked: [1, 64], data: tone(200, sr: 8000, n: 64)), sampleRate: 8000)
        XCTAssertThrowsError(try TimeStretch(p: 1).apply(.init(rate: 1e-30), to: &audio))
        XCTAssertThrowsError(try PitchShift(p: 1).apply(.init(semitones: -1e30), to: &audio))
    }

    /// Every numeric option of every stage, given values at and past every edge: building either
    /// succeeds or fails with one line naming an option of that stage; a stage that builds runs on a small
    /// sample of its kind without trapping and with finite output (or one clean error).
    func testNoNumericOptionValueTrapsWhenBuiltOrRun() throws {
        let noise = NSTemporaryDirectory() + "bounds-noise-\(getpid())"
        try FileManager.default.createDirectory(atPath: noise, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: noise) }
        try AudioFile.write(Tensor(unchecked: [1, 400], data: tone(300, sr: 8000, n: 400)), sampleRate: 8000, to: noise + "/n.wav")
        let required: [String: [String: Value]] = [
            "random_resized_crop": ["height": "6", "width": "5"], "frequency_masking": ["freq_mask_param": "3"],
            "time_masking": ["time_mask_param": "3"], "add_background_noise": ["sounds_path": Value(.string(noise))],
        ]
        let scalars: [Value] = ["9223372036854775807", "-9223372036854775808", "1e30", "-1e30", "1e23", "inf", "-inf",
                                "1e-30", "0", "-1", "1", "0.5", "65535", "65536", "4096", "1000", "31.75"]
        let pairs: [Value] = [["-1e30", "1e30"], ["0", "1e30"], ["1e-30", "1"], ["1", "100000"], ["0.5", "2.5"], ["-3e38", "3e38"]]
        let image = try Sample(image: testImage(3, 9, 7)), spec = try Sample(spectrogram: testImage(1, 12, 16))
        let audio = try Sample(audio: Tensor(unchecked: [1, 900], data: tone(440, sr: 8000, n: 900)), sampleRate: 8000)
        var built = 0, rejected = 0
        for name in StageRegistry.shared.names {
            let specs = try StageRegistry.shared.lookup(name).info.parameters
            for option in specs where [.int, .float, .intPair, .floatPair].contains(option.kind) {
                for v in scalars + (option.kind == .floatPair || option.kind == .intPair ? pairs : []) {
                    var options = required[name] ?? [:]
                    options["p"] = "1"
                    options[option.name] = v
                    let chain: AugmentationChain
                    do { chain = try build(name, options) } catch let e as PerceptError {
                        // The option itself, or the other end of its range (`min_gain_db` is greater than `max_gain_db`).
                        XCTAssertTrue(e.description.hasPrefix("stages[0].\(name)."), "\(name).\(option.name)=\(v): \(e)")
                        XCTAssertFalse(e.description.contains("\n"))
                        rejected += 1
                        continue
                    }
                    built += 1
                    guard case let .sample(stage)? = chain.steps.first else {
                        let batch = Batch(samples: [image, image], labels: [Tensor(unchecked: [2], data: [1, 0]), Tensor(unchecked: [2], data: [0, 1])])
                        let mixed = try chain.apply(to: batch, seed: 3, epoch: 0, batchIndex: 0)
                        XCTAssertTrue(mixed.samples.allSatisfy { $0.data.storage.allSatisfy(\.isFinite) }, "\(name).\(option.name)=\(v)")
                        continue
                    }
                    let input = type(of: stage).kind == .image ? image : type(of: stage).kind == .audio ? audio : spec
                    for seed in 0..<3 as Range<UInt64> {
                        do {
                            _ = try chain.outputShape(for: input.shape)
                            let out = try chain.apply(to: input, seed: seed, epoch: 0, index: 0)
                            XCTAssertTrue(out.data.storage.allSatisfy(\.isFinite), "\(name).\(option.name)=\(v) gave non-finite values")
                        } catch let e as PerceptError {
                            XCTAssertFalse(e.description.contains("\n"), "\(name).\(option.name)=\(v): \(e)")
                        }
                    }
                }
            }
        }
        XCTAssertGreaterThan(built, 100)
        XCTAssertGreaterThan(rejected, 100)
    }
}
