// Augmentation workloads (speed targets of the augmentation issue): 10,000 MNIST digits through
// flip + pad-crop + brightness/contrast + Gaussian noise (vs albumentations), and 2,000 one-second
// clips through gain + noise at an SNR + time shift (vs audiomentations).
import Foundation
import PerceptAugment
import PerceptCore
import PerceptIO

let augmentWorkloads: [Workload] = [
    Workload(name: "augment-image", summary: "10,000 × 28×28: flip, pad-crop, brightness/contrast, noise") { dir in
        let digits = try Npy.loadTensor(dir + "/digits10000.npy")
        let images = try digits.reshaped([digits.shape[0], 1, digits.shape[1], digits.shape[2]])
        let c = AugmentationChain(stages: [
            try HorizontalFlip(p: 0.5),
            try RandomCrop(height: 28, width: 28, padding: 2, paddingMode: .reflect),
            try RandomBrightnessContrast(brightnessLimit: (-0.2, 0.2), contrastLimit: (-0.2, 0.2), p: 1),
            try GaussNoise(stdRange: (0.02, 0.1), p: 1),
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
        let c = AugmentationChain(stages: [
            try Gain(minGainDb: -6, maxGainDb: 6, p: 1),
            try AddGaussianSNR(minSnrDb: 10, maxSnrDb: 30, p: 1),
            try Shift(minShift: -0.2, maxShift: 0.2, shiftUnit: .fraction, rollover: true, p: 1),
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
