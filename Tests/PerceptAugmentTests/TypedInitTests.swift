import Foundation
import PerceptAugment
import PerceptCore
import PerceptIO
import XCTest

/// The typed Swift initialisers build the same stages as AUG.yaml / the registry: same draws,
/// same outputs, same errors, with defaults taken from the specs.
final class TypedInitTests: XCTestCase {
    static let image = try! Sample(image: testImage(3, 28, 28))
    static let audio = try! Sample(audio: Tensor(unchecked: [2, 4000], data: tone(220, sr: 8000, n: 4000) + tone(330, sr: 8000, n: 4000)), sampleRate: 8000)
    static let spectrogram = try! Sample(spectrogram: testImage(1, 40, 100, salt: 3))

    /// The registry form of a stage, from YAML-style values.
    private func registryForm<T: AugmentationStage>(_ type: T.Type, _ values: [String: Value]) throws -> T {
        guard case let .sample(s) = try StageRegistry.make(T.name, values), let stage = s as? T else {
            throw PerceptError.invalidArgument(field: T.name, "the registry did not build a \(T.self)")
        }
        return stage
    }

    /// Asserts that `typed` and the registry stage from `values` gate, draw and apply alike for
    /// several seeds, and that they differ from the stage with default options (so a typed
    /// argument that went nowhere would fail).
    private func assertSame<T: AugmentationStage>(_ typed: T, _ values: [String: Value], on sample: Sample,
                                                  file: StaticString = #filePath, line: UInt = #line) throws {
        let named = try registryForm(T.self, values)
        let required = values.filter { key, _ in T.parameters.first { $0.name == key }?.defaultValue == nil }
        let defaults = try registryForm(T.self, required)
        XCTAssertEqual(typed.p, named.p, "\(T.name).p", file: file, line: line)
        XCTAssertEqual(try typed.outputShape(for: sample.shape), try named.outputShape(for: sample.shape), T.name, file: file, line: line)
        var differs = typed.p != defaults.p
        for seed in UInt64(1)...4 {
            let (pt, st) = try drawApply(typed, sample, seed: seed)
            let (pn, sn) = try drawApply(named, sample, seed: seed)
            XCTAssertEqual(pt, pn, "\(T.name) draw, seed \(seed)", file: file, line: line)
            XCTAssertEqual(st, sn, "\(T.name) output, seed \(seed)", file: file, line: line)
            // The defaults may not even fit the sample (a crop without pad_if_needed): that differs too.
            guard let (pd, sd) = try? drawApply(defaults, sample, seed: seed) else { differs = true; continue }
            differs = differs || pd != pt || sd != st
        }
        XCTAssertTrue(differs, "\(T.name): the typed options changed nothing", file: file, line: line)
    }

    private func assertSameBatch<T: BatchAugmentationStage>(_ typed: T, _ values: [String: Value],
                                                            file: StaticString = #filePath, line: UInt = #line) throws {
        guard case let .batch(b) = try StageRegistry.make(T.name, values), let named = b as? T,
              case let .batch(d) = try StageRegistry.make(T.name), let defaults = d as? T else {
            return XCTFail("the registry did not build a \(T.self)", file: file, line: line)
        }
        let batch = Batch(samples: try (0..<4).map { try Sample(image: testImage(3, 8, 10, salt: $0)) },
                          labels: (0..<4).map { i in Tensor(unchecked: [4], data: (0..<4).map { $0 == i ? 1 : 0 }) })
        XCTAssertEqual(typed.p, named.p, file: file, line: line)
        var differs = typed.p != defaults.p
        for seed in UInt64(1)...4 {
            func run(_ stage: T) throws -> (T.Params, Batch) {
                var rng = RandomStream(seed: seed), out = batch
                let p = stage.draw(rng: &rng, count: 4, shape: batch.samples[0].shape)
                try stage.apply(p, to: &out)
                return (p, out)
            }
            let (pt, bt) = try run(typed), (pn, bn) = try run(named), (pd, _) = try run(defaults)
            XCTAssertEqual(pt, pn, "\(T.name) draw, seed \(seed)", file: file, line: line)
            XCTAssertEqual(bt, bn, "\(T.name) output, seed \(seed)", file: file, line: line)
            differs = differs || pd != pt
        }
        XCTAssertTrue(differs, "\(T.name): the typed options changed nothing", file: file, line: line)
    }

    func testEveryStageTypedInitDrawsAndAppliesLikeItsRegistryForm() throws {
        let noiseDir = NSTemporaryDirectory() + "percept-typed-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: noiseDir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: noiseDir) }
        var rng = RandomStream(seed: 9)
        try AudioFile.write(Tensor(unchecked: [1, 3000], data: (0..<3000).map { _ in rng.uniform(-0.3, 0.3) }),
                            sampleRate: 8000, to: noiseDir + "/hum.wav", format: .wavFloat)
        let image = Self.image, audio = Self.audio, spec = Self.spectrogram

        // Rows per stage (more where an option only shows in some settings, as `fill` with
        // constant borders): the typed form, then the same options as AUG.yaml gives them
        // (lists for ranges; a few as CLI text `a,b`, which the pair kinds also read).
        let cases: [(String, () throws -> Void)] = [
            ("horizontal_flip", { try self.assertSame(HorizontalFlip(p: 0.3), ["p": 0.3], on: image) }),
            ("vertical_flip", { try self.assertSame(VerticalFlip(p: 0.7), ["p": 0.7], on: image) }),
            ("random_crop", { try self.assertSame(
                RandomCrop(height: 40, width: 20, padding: 4, padIfNeeded: true, paddingMode: .reflect, p: 0.9),
                ["height": 40, "width": 20, "padding": 4, "pad_if_needed": true, "padding_mode": "reflect", "p": 0.9], on: image) }),
            ("random_crop", { try self.assertSame(
                RandomCrop(height: 24, width: 30, padding: 2, fill: 0.5), ["height": 24, "width": 30, "padding": 2, "fill": 0.5], on: image) }),
            ("random_resized_crop", { try self.assertSame(
                RandomResizedCrop(height: 16, width: 12, scale: (0.2, 0.9), ratio: (0.5, 2), p: 0.8),
                ["height": 16, "width": 12, "scale": [0.2, 0.9], "ratio": [0.5, 2], "p": 0.8], on: image) }),
            ("rotate", { try self.assertSame(
                Rotate(limit: (-20, 35), borderMode: .reflect101, fill: 0.25, p: 0.6),
                ["limit": [-20, 35], "border_mode": "reflect_101", "fill": 0.25, "p": 0.6], on: image) }),
            ("rotate", { try self.assertSame(Rotate(limit: (-20, 35), fill: 0.25), ["limit": [-20, 35], "fill": 0.25], on: image) }),
            ("affine", { try self.assertSame(
                Affine(scale: (0.8, 1.2), translatePercent: (-0.1, 0.15), rotate: (-10, 20), shear: (-5, 8), borderMode: .replicate, fill: 0.3, p: 0.4),
                ["scale": [0.8, 1.2], "translate_percent": [-0.1, 0.15], "rotate": [-10, 20], "shear": "-5,8",
                 "border_mode": "replicate", "fill": 0.3, "p": 0.4], on: image) }),
            ("affine", { try self.assertSame(Affine(scale: (0.5, 0.7), fill: 0.3), ["scale": [0.5, 0.7], "fill": 0.3], on: image) }),
            ("random_brightness_contrast", { try self.assertSame(
                RandomBrightnessContrast(brightnessLimit: (-0.1, 0.3), contrastLimit: (-0.25, 0.05), p: 0.9),
                ["brightness_limit": [-0.1, 0.3], "contrast_limit": [-0.25, 0.05], "p": 0.9], on: image) }),
            ("random_gamma", { try self.assertSame(RandomGamma(gammaLimit: (70, 150), p: 0.2), ["gamma_limit": [70, 150], "p": 0.2], on: image) }),
            ("color_jitter", { try self.assertSame(
                ColorJitter(brightness: 0.3, contrast: 0.2, saturation: 0.4, hue: 0.1, p: 0.8),
                ["brightness": 0.3, "contrast": 0.2, "saturation": 0.4, "hue": 0.1, "p": 0.8], on: image) }),
            ("gauss_noise", { try self.assertSame(
                GaussNoise(stdRange: (0.01, 0.05), meanRange: (-0.02, 0.02), perChannel: false, p: 0.9),
                ["std_range": "0.01,0.05", "mean_range": [-0.02, 0.02], "per_channel": false, "p": 0.9], on: image) }),
            ("gaussian_blur", { try self.assertSame(
                GaussianBlur(blurLimit: (5, 9), sigmaLimit: (0.7, 1.5), p: 0.9),
                ["blur_limit": [5, 9], "sigma_limit": [0.7, 1.5], "p": 0.9], on: image) }),
            ("coarse_dropout", { try self.assertSame(
                CoarseDropout(numHolesRange: (2, 4), holeHeightRange: (3, 6), holeWidthRange: (0.1, 0.3), fill: 0.5, p: 0.9),
                ["num_holes_range": [2, 4], "hole_height_range": [3, 6], "hole_width_range": [0.1, 0.3], "fill": 0.5, "p": 0.9], on: image) }),
            ("random_erasing", { try self.assertSame(
                RandomErasing(scale: (0.05, 0.2), ratio: (0.5, 2), value: 0.75, p: 0.9),
                ["scale": [0.05, 0.2], "ratio": [0.5, 2], "value": 0.75, "p": 0.9], on: image) }),
            ("gain", { try self.assertSame(Gain(minGainDb: -6, maxGainDb: 3, p: 0.9), ["min_gain_db": -6, "max_gain_db": 3, "p": 0.9], on: audio) }),
            ("add_gaussian_snr", { try self.assertSame(
                AddGaussianSNR(minSnrDb: 10, maxSnrDb: 20, p: 0.9, signalPower: .active(topDb: 30)),
                ["min_snr_db": 10, "max_snr_db": 20, "p": 0.9, "signal_power": "active", "active_top_db": 30], on: audio) }),
            ("add_color_noise", { try self.assertSame(
                AddColorNoise(minSnrDb: 10, maxSnrDb: 20, color: .pink, nFft: 64, p: 0.9, signalPower: .active(topDb: 40)),
                ["min_snr_db": 10, "max_snr_db": 20, "color": "pink", "n_fft": 64, "p": 0.9, "signal_power": "active", "active_top_db": 40],
                on: audio) }),
            ("add_background_noise", { try self.assertSame(
                AddBackgroundNoise(soundsPath: noiseDir, minSnrDb: 6, maxSnrDb: 12, p: 0.9, signalPower: .active(topDb: 60)),
                ["sounds_path": .of(noiseDir), "min_snr_db": 6, "max_snr_db": 12, "p": 0.9, "signal_power": "active"], on: audio) }),
            ("shift", { try self.assertSame(
                Shift(minShift: -100, maxShift: 300, shiftUnit: .samples, rollover: false, p: 0.9),
                ["min_shift": -100, "max_shift": 300, "shift_unit": "samples", "rollover": false, "p": 0.9], on: audio) }),
            ("time_stretch", { try self.assertSame(
                TimeStretch(minRate: 0.9, maxRate: 1.2, leaveLengthUnchanged: false, p: 0.9),
                ["min_rate": 0.9, "max_rate": 1.2, "leave_length_unchanged": false, "p": 0.9], on: audio) }),
            ("pitch_shift", { try self.assertSame(
                PitchShift(minSemitones: -2, maxSemitones: 3, p: 0.9), ["min_semitones": -2, "max_semitones": 3, "p": 0.9], on: audio) }),
            ("polarity_inversion", { try self.assertSame(PolarityInversion(p: 0.2), ["p": 0.2], on: audio) }),
            ("frequency_masking", { try self.assertSame(
                FrequencyMasking(freqMaskParam: 8, numMasks: 2, maskValue: -1, p: 0.9),
                ["freq_mask_param": 8, "num_masks": 2, "mask_value": -1, "p": 0.9], on: spec) }),
            ("time_masking", { try self.assertSame(
                TimeMasking(timeMaskParam: 20, maxProportion: 0.15, numMasks: 3, maskValue: -2, p: 0.9),
                ["time_mask_param": 20, "max_proportion": 0.15, "num_masks": 3, "mask_value": -2, "p": 0.9], on: spec) }),
            ("time_warp", { try self.assertSame(TimeWarp(window: 7, p: 0.9), ["window": 7, "p": 0.9], on: spec) }),
            ("mixup", { try self.assertSameBatch(Mixup(alpha: 0.4, p: 0.9), ["alpha": 0.4, "p": 0.9]) }),
            ("cutmix", { try self.assertSameBatch(CutMix(alpha: 0.7, p: 0.8), ["alpha": 0.7, "p": 0.8]) }),
        ]
        for (name, check) in cases {
            XCTAssertNoThrow(try check(), name)
        }
        // Every built-in stage has a row (stages registered by users live in other modules).
        let builtIn = StageRegistry.shared.entries.filter { String(reflecting: $0.info.type).hasPrefix("PerceptAugment.") }.map(\.info.name)
        XCTAssertEqual(Set(cases.map(\.0)), Set(builtIn))
    }

    func testTypedInitsThrowTheRegistrysErrors() {
        let cases: [(String, [String: Value], () throws -> Any)] = [
            ("horizontal_flip", ["p": 1.5], { try HorizontalFlip(p: 1.5) }),
            ("gain", ["min_gain_db": 6, "max_gain_db": -6], { try Gain(minGainDb: 6, maxGainDb: -6) }),
            ("rotate", ["limit": [30, 10]], { try Rotate(limit: (30, 10)) }),
            ("gauss_noise", ["std_range": [0.1, .of(Float.nan)]], { try GaussNoise(stdRange: (0.1, .nan)) }),
            ("random_resized_crop", ["height": 0, "width": 8], { try RandomResizedCrop(height: 0, width: 8) }),
            ("gaussian_blur", ["blur_limit": [4, 4]], { try GaussianBlur(blurLimit: (4, 4)) }),
            ("shift", ["min_shift": -2], { try Shift(minShift: -2) }),
            ("time_masking", ["time_mask_param": 4, "max_proportion": 1.5], { try TimeMasking(timeMaskParam: 4, maxProportion: 1.5) }),
            ("mixup", ["alpha": 0], { try Mixup(alpha: 0) }),
            ("add_color_noise", ["min_f_decay": 8, "max_f_decay": 2], { try AddColorNoise(minFDecay: 8, maxFDecay: 2) }),
            ("add_color_noise", ["color": "pink", "max_f_decay": 2], { try AddColorNoise(maxFDecay: 2, color: .pink) }),
            ("add_gaussian_snr", ["active_top_db": 0, "signal_power": "active"], { try AddGaussianSNR(signalPower: .active(topDb: 0)) }),
        ]
        for (name, values, typed) in cases {
            let fromRegistry: String
            do { _ = try StageRegistry.make(name, values); XCTFail("\(name) \(values) should throw"); continue } catch { fromRegistry = "\(error)" }
            do { _ = try typed(); XCTFail("typed \(name) should throw") } catch {
                XCTAssertEqual("\(error)", fromRegistry)
                XCTAssertTrue(fromRegistry.hasPrefix(name + "."), fromRegistry)
            }
        }
    }

    func testTypedInitsWithNoOptionsTakeTheSpecDefaults() throws {
        let noise = try GaussNoise()
        XCTAssertEqual(noise.p, 0.5)
        for seed in UInt64(0)..<50 {
            var rng = RandomStream(seed: seed)
            let std = noise.draw(rng: &rng, shape: Self.image.shape).std
            XCTAssertTrue(std >= 0.2 && std <= 0.44, "std \(std) outside the default std_range [0.2, 0.44]")
        }
        let crop = try RandomCrop()
        XCTAssertEqual(crop.p, 1)
        XCTAssertEqual(try crop.outputShape(for: Self.image.shape), Self.image.shape, "no size: the image's own")
        XCTAssertEqual(try Mixup().p, 1)
        XCTAssertEqual(try Shift().p, 0.5)
    }

    func testPairOptionsReadAListOneNumberOrCLIText() throws {
        let forms: [String: [Value]] = [
            "rotate": [[-15, 15], 15, "-15,15"],                  // symmetric: one value v means [−v, v]
            "gauss_noise": [[0.05, 0.05], 0.05, "0.05,0.05"],    // one value v means [v, v]
        ]
        let option = ["rotate": "limit", "gauss_noise": "std_range"]
        for (name, values) in forms {
            var drawn: Set<String> = []
            for v in values {
                let chain = AugmentationChain([try StageRegistry.make(name, [option[name]!: v, "p": 1])])
                drawn.insert(try chain.draw(for: Self.image.shape, seed: 5, epoch: 0, index: 0).map(\.json).joined())
            }
            XCTAssertEqual(drawn.count, 1, "\(name).\(option[name]!) written three ways should draw alike: \(drawn)")
        }
    }

    /// docs/augment.md's Swift chains are its YAML chains (same stages, options and draws).
    func testTheDocsSwiftChainsDrawLikeTheirYAML() throws {
        let mnist = AugmentationChain(stages: [
            try HorizontalFlip(),
            try RandomCrop(padding: 4, paddingMode: .reflect),
            try RandomBrightnessContrast(brightnessLimit: (-0.2, 0.2), contrastLimit: (-0.2, 0.2)),
            try GaussNoise(stdRange: (0.01, 0.05), p: 0.5),
        ])
        let mnistYAML: Value = [
            "horizontal_flip", ["random_crop": ["padding": 4, "padding_mode": "reflect"]],
            ["random_brightness_contrast": ["brightness_limit": 0.2, "contrast_limit": 0.2]],
            ["gauss_noise": ["p": 0.5, "std_range": [0.01, 0.05]]],
        ]
        let speech = AugmentationChain(stages: [
            try Gain(minGainDb: -12, maxGainDb: 12),
            try AddGaussianSNR(minSnrDb: 10, maxSnrDb: 40),
            try Shift(minShift: -0.2, maxShift: 0.2, rollover: false),
        ])
        let speechYAML: Value = [
            ["gain": ["min_gain_db": -12, "max_gain_db": 12]], ["add_gaussian_snr": ["min_snr_db": 10, "max_snr_db": 40]],
            ["shift": ["min_shift": -0.2, "max_shift": 0.2, "rollover": false]],
        ]
        for (typed, yaml, shape) in [(mnist, mnistYAML, Self.image.shape), (speech, speechYAML, Self.audio.shape)] {
            let named = AugmentationChain(try StageRegistry.shared.makeList(yaml, path: "stages"))
            XCTAssertEqual(typed.steps.map(\.name), named.steps.map(\.name))
            for index in 0..<8 {
                XCTAssertEqual(try typed.draw(for: shape, seed: 3, epoch: 1, index: index), try named.draw(for: shape, seed: 3, epoch: 1, index: index))
            }
        }
    }
}
