// CNN workloads: the engine issue's LeNet-like net (conv 5×5 32 same → ReLU → maxpool 2 → conv 5×5 64
// same → ReLU → maxpool 2 → dense 128 → ReLU → dense 10; Adam; batch 64 for training, 256 for
// inference) on 1×28×28 digits and on 1×64×101 log-mel-shaped input, vs PyTorch channels_last.
import Foundation
import PerceptCore
import PerceptIO
import PerceptNN

let lenetLayers: [LayerSpec] = [
    LayerSpec("conv2d", ["out_channels": "32", "kernel_size": "5", "padding": "same"]),
    LayerSpec("relu"),
    LayerSpec("maxpool2d", ["kernel_size": "2"]),
    LayerSpec("conv2d", ["out_channels": "64", "kernel_size": "5", "padding": "same"]),
    LayerSpec("relu"),
    LayerSpec("maxpool2d", ["kernel_size": "2"]),
    LayerSpec("flatten"),
    LayerSpec("dense", ["out_features": "128"]),
    LayerSpec("relu"),
    LayerSpec("dense", ["out_features": "10"]),
]

/// The same net with BatchNorm2d after each convolution (the issue-18 `cnn-train-bn` row).
let lenetBNLayers: [LayerSpec] = lenetLayers.flatMap { $0.type == "conv2d" ? [$0, LayerSpec("batchnorm2d")] : [$0] }

/// Forward FLOPs per sample (2 per multiply-add) of the conv and dense layers; the same count as
/// `lenet_flops` in reference.py. A training step counts 3× (forward, input and weight gradients).
func lenetFlops(height h: Int, width w: Int) -> Double {
    let c1 = 2.0 * 32 * 25 * Double(h * w)
    let (h2, w2) = (h / 2, w / 2)
    let c2 = 2.0 * 64 * 32 * 25 * Double(h2 * w2)
    let d = 2.0 * Double(64 * (h2 / 2) * (w2 / 2) * 128 + 128 * 10)
    return c1 + c2 + d
}

private func cnnWorkload(_ name: String, x xFile: String, y yFile: String, train: Bool, summary: String,
                         layers: [LayerSpec] = lenetLayers) -> Workload {
    Workload(name: name, summary: summary) { dir in
        let x = try Npy.loadTensor(dir + "/" + xFile)
        let labels = try Npy.loadTensor(dir + "/" + yFile).storage.map { Int($0) }
        let (h, w) = (x.shape[2], x.shape[3])
        let model = try Sequential(layers, inputShape: Array(x.shape.dropFirst()), seed: 0)
        let n = x.shape[0], flops = lenetFlops(height: h, width: w)
        if !train {
            return {
                let out = try model.predict(x, batchSize: 256)
                return Work(items: n, flops: flops * Double(n), shape: out.shape, checksum: checksum(out))
            }
        }
        var options = TrainingOptions()
        options.batchSize = 64
        options.seed = 0
        let trainer = Trainer(model: model, loss: try LossRegistry.make("cross_entropy"),
                              optimizer: try OptimizerRegistry.make("adam", ["lr": "0.001"]), options: options)
        return {
            trainer.options.epochs = trainer.epochsDone + 1   // one more epoch over the n samples
            let report = try trainer.fit(x, .classes(labels))
            return Work(items: n, flops: 3 * flops * Double(n), shape: [n], checksum: report.last?.trainLoss ?? .nan)
        }
    }
}

/// One recurrent layer (hidden 128, last state) and a dense head to 10 classes over 100 frames × 40
/// features, batch 32, Adam: the sequence issue's benchmark net.
private func recurrentWorkload(_ name: String, layer: String) -> Workload {
    Workload(name: name, summary: "\(layer.uppercased()) 40→128 + dense 10 training, 1,024 × 100 frames, batch 32, Adam") { dir in
        let x = try Npy.loadTensor(dir + "/seq1024.npy")
        let labels = try Npy.loadTensor(dir + "/seq1024-labels.npy").storage.map { Int($0) }
        let model = try Sequential([LayerSpec(layer, ["hidden_size": "128"]), LayerSpec("dense", ["out_features": "10"])],
                                   inputShape: Array(x.shape.dropFirst()), seed: 0)
        var options = TrainingOptions()
        options.batchSize = 32
        options.seed = 0
        let trainer = Trainer(model: model, loss: try LossRegistry.make("cross_entropy"),
                              optimizer: try OptimizerRegistry.make("adam", ["lr": "0.001"]), options: options)
        let (n, frames, features) = (x.shape[0], x.shape[1], x.shape[2])
        // Gate GEMMs per frame (2 FLOPs per multiply-add), × 3 for a training step.
        let gates = layer == "gru" ? 3.0 : 4.0
        let flops = 3 * 2 * gates * 128 * Double(features + 128) * Double(frames) * Double(n)
        return {
            trainer.options.epochs = trainer.epochsDone + 1
            let report = try trainer.fit(x, .classes(labels))
            return Work(items: n, flops: flops, shape: [n], checksum: report.last?.trainLoss ?? .nan)
        }
    }
}

let nnWorkloads: [Workload] = [
    recurrentWorkload("lstm-train", layer: "lstm"),
    recurrentWorkload("gru-train", layer: "gru"),
    cnnWorkload("cnn-train-28", x: "digits2000.npy", y: "labels2000.npy", train: true,
                summary: "LeNet-like training, 2,000 × 1×28×28, batch 64, Adam"),
    cnnWorkload("cnn-train-bn", x: "digits2000.npy", y: "labels2000.npy", train: true,
                summary: "LeNet-like training with BatchNorm2d after each conv, 2,000 × 1×28×28, batch 64, Adam",
                layers: lenetBNLayers),
    cnnWorkload("cnn-infer-28", x: "digits2000.npy", y: "labels2000.npy", train: false,
                summary: "LeNet-like inference, 2,000 × 1×28×28, batch 256"),
    cnnWorkload("cnn-train-spec", x: "spec256.npy", y: "spec256-labels.npy", train: true,
                summary: "LeNet-like training, 256 × 1×64×101, batch 64, Adam"),
    cnnWorkload("cnn-infer-spec", x: "spec512.npy", y: "spec512-labels.npy", train: false,
                summary: "LeNet-like inference, 512 × 1×64×101, batch 256"),
]
