import PerceptAugment
import PerceptCore
import XCTest

/// Every bad option becomes one line naming the stage and the field (exit code 2).
final class BadInputTests: XCTestCase {
    func testProbabilityOutsideZeroOne() {
        assertInvalid("horizontal_flip.p", "1.5 is outside [0, 1]") { _ = try StageRegistry.make("horizontal_flip", ["p": "1.5"]) }
        assertInvalid("gain.p", "outside [0, 1]") { _ = try StageRegistry.make("gain", ["p": "-0.1"]) }
        assertInvalid("mixup.p", "outside [0, 1]") { _ = try StageRegistry.make("mixup", ["p": "2"]) }
    }

    func testCropLargerThanTheImageWithoutPadding() throws {
        let chain = AugmentationChain([try StageRegistry.make("random_crop", ["height": "32", "width": "20"])])
        let shape = SampleShape(kind: .image, dims: [1, 28, 28])
        assertInvalid("random_crop.height", "32 is larger than the image height 28") { _ = try chain.outputShape(for: shape) }
        let padded = AugmentationChain([try StageRegistry.make("random_crop", ["height": "32", "width": "32", "padding": "2"])])
        XCTAssertEqual(try padded.outputShape(for: shape).dims, [1, 32, 32])
        let needed = AugmentationChain([try StageRegistry.make("random_crop", ["height": "40", "pad_if_needed": "true"])])
        XCTAssertEqual(try needed.outputShape(for: shape).dims, [1, 40, 28])
    }

    func testReversedRanges() {
        assertInvalid("gain.min_gain_db", "is greater than max_gain_db") {
            _ = try StageRegistry.make("gain", ["min_gain_db": "6", "max_gain_db": "-6"])
        }
        assertInvalid("rotate.limit", "min 30 is greater than max 10") { _ = try StageRegistry.make("rotate", ["limit": "30,10"]) }
        assertInvalid("time_stretch.min_rate", "greater than max_rate") {
            _ = try StageRegistry.make("time_stretch", ["min_rate": "1.5", "max_rate": "1.2"])
        }
    }

    func testNaNInAnSNRRange() {
        assertInvalid("add_gaussian_snr.min_snr_db", "not a number") { _ = try StageRegistry.make("add_gaussian_snr", ["min_snr_db": "nan"]) }
        assertInvalid("add_background_noise.max_snr_db", "not a number") {
            _ = try StageRegistry.make("add_background_noise", ["max_snr_db": "NaN", "sounds_path": "/tmp"])
        }
        assertInvalid("gauss_noise.std_range", "not a number") { _ = try StageRegistry.make("gauss_noise", ["std_range": "0.1,nan"]) }
    }

    func testNoiseFolderWithoutAudioOrMissing() {
        assertInvalid("add_background_noise.sounds_path", "is not a directory") {
            _ = try StageRegistry.make("add_background_noise", ["sounds_path": "/no/such/folder"])
        }
        assertInvalid("add_background_noise.sounds_path", "is required") { _ = try StageRegistry.make("add_background_noise", [:]) }
    }

    func testUnknownStageAndOptionSuggestTheClosest() {
        assertInvalid("horizontal_flp", "unknown augmentation stage (did you mean 'horizontal_flip'?)") {
            _ = try StageRegistry.make("horizontal_flp", [:])
        }
        assertInvalid("gain.min_gain", "did you mean 'min_gain_db'?") { _ = try StageRegistry.make("gain", ["min_gain": "1"]) }
        assertInvalid("random_crop.padding_mode", "is not one of") { _ = try StageRegistry.make("random_crop", ["padding_mode": "wrap"]) }
    }

    func testEveryStageHasPAndBuildsWithDefaultsWhereNothingIsRequired() throws {
        let needsValues: [String: [String: Value]] = [
            "random_resized_crop": ["height": "8", "width": "8"], "frequency_masking": ["freq_mask_param": "4"],
            "time_masking": ["time_mask_param": "4"], "add_background_noise": ["sounds_path": "/nonexistent"],
        ]
        for name in StageRegistry.shared.names {
            let specs = try StageRegistry.shared.lookup(name).info.parameters
            XCTAssertTrue(specs.contains { $0.name == "p" }, name)
            XCTAssertEqual(Set(specs.map(\.name)).count, specs.count, "\(name) repeats an option")
            if name == "add_background_noise" { continue }
            XCTAssertNoThrow(try StageRegistry.make(name, needsValues[name] ?? [:]), name)
        }
    }
}
