// Augmentation workloads (speed targets of the augmentation issue): 10,000 MNIST digits through
// flip + pad-crop + brightness/contrast + Gaussian noise (vs albumentations), and 2,000 one-second
// clips through gain + noise at an SNR + time shift (vs audiomentations).
import Foundation
import PerceptAugment
import PerceptCore
import PerceptIO

private func chain(_ stages: [(String, [String: String])]) throws -> AugmentationChain {
    AugmentationChain(try stages.map { try StageRegistry.make($0.0, $0.1.mapValues { Value(.string($0)) }) })
}

let augmentWorkloads: [Workload] = [
    Workload(name: "augment-image", summary: "10,000 × 28×28: flip, pad-crop, brightness/contrast, noise") { dir in
        let digits = try Npy.loadTensor(dir + "/digits10000.npy")
        let images = try digits.reshaped([digits.shape[0], 1, digits.shape[1], digits.shape[2]])
        let c = try chain([
            ("horizontal_flip", ["p": "0.5"]),
            ("random_crop", ["height": "28", "width": "28", "padding": "2", "padding_mode": "reflect"]),
            ("random_brightness_contrast", ["p": "1", "brightness_limit": "0.2", "contrast_limit": "0.2"]),
            ("gauss_noise", ["p": "1", "std_range": "0.02,0.1"]),
        ])
        var epoch = 0
        return {
            epoch += 1   // new variants each call, as in training
            let out = try c.augmentImages(images, seed: 0, epoch: epoch)
            return Work(items: images.shape[0], bytes: Double(8 * images.count), shape: out.shape, checksum: checksum(out))
        }
    },
    Workload(name: "augment-audio", summary: "2,000 × 1 s at 16 kHz: gain, noise at SNR, time shift") { dir in
        let clips = try Npy.loadTensor(dir + "/clips2000.npy")
        let samples = try (0..<clips.shape[0]).map { try Sample(audio: clips.slice($0), sampleRate: 16000) }
        let c = try chain([
            ("gain", ["p": "1", "min_gain_db": "-6", "max_gain_db": "6"]),
            ("add_gaussian_snr", ["p": "1", "min_snr_db": "10", "max_snr_db": "30"]),
            ("shift", ["p": "1", "min_shift": "-0.2", "max_shift": "0.2", "shift_unit": "fraction", "rollover": "true"]),
        ])
        var epoch = 0
        return {
            epoch += 1
            let out = try c.apply(to: samples, seed: 0, epoch: epoch)
            return Work(items: out.count, bytes: Double(8 * clips.count), shape: [out.count] + (out.first?.data.shape ?? []),
                        checksum: out.reduce(0) { $0 + checksum($1.data) })
        }
    },
]
