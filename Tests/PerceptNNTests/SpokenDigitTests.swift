import Foundation
import PerceptCore
import PerceptIO
import PerceptNN
import XCTest

/// Spoken-digit recognition on ../shared/data/spoken-digits (10 voices × 4 variants × 10 digits),
/// split by voice: the two test voices are never heard in training. Multi-minute trainings, so
/// opt-in: `PERCEPT_LONG_TESTS=1 swift test -c release --filter SpokenDigitTests`.
///
/// Features are computed here with the network's own GEMM (a Dense layer holding a Hann-windowed
/// DFT, then a mel filterbank and a DCT), so the test needs only PerceptNN and PerceptIO:
/// 25 ms frames every 10 ms, 40 HTK mel bands of log power, 13 MFCCs.
final class SpokenDigitTests: XCTestCase {
    static let testVoices: Set<String> = ["en+f3", "en-gb-scotland+m4"]
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/data/spoken-digits").standardized

    struct Clip { let logMel: [Float]; let mfcc: [Float]; let digit: Int; let voice: String; let speechStart: Int; let speechFrames: Int }
    static let nFFT = 400, hop = 160, mels = 40, ceps = 13

    override func setUpWithError() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["PERCEPT_LONG_TESTS"] == "1", "set PERCEPT_LONG_TESTS=1 to run")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent("manifest.csv").path), "no spoken-digit data")
    }

    /// A Dense layer without bias whose weight is `w` (`[out, in]`): a batched GEMM.
    private func matrix(_ w: [Float], out: Int, in n: Int) throws -> any Layer {
        let (layer, _) = try buildLayer("dense", ["out_features": "\(out)", "bias": "false"], input: [n])
        try layer.weights[0].load(Tensor(shape: [out, n], data: w), as: "weight")
        return layer
    }

    private func loadClips() throws -> (clips: [Clip], frames: Int) {
        let bins = Self.nFFT / 2 + 1
        var dft = [Float](repeating: 0, count: 2 * bins * Self.nFFT)
        for k in 0..<bins {
            for n in 0..<Self.nFFT {
                let w = 0.5 - 0.5 * cos(2 * Double.pi * Double(n) / Double(Self.nFFT))
                let a = 2 * Double.pi * Double(k * n) / Double(Self.nFFT)
                dft[k * Self.nFFT + n] = Float(w * cos(a)); dft[(bins + k) * Self.nFFT + n] = Float(-w * sin(a))
            }
        }
        let dftLayer = try matrix(dft, out: 2 * bins, in: Self.nFFT)
        func mel(_ f: Double) -> Double { 2595 * log10(1 + f / 700) }
        let top = mel(8000), edges = (0..<(Self.mels + 2)).map { 700 * (pow(10, top * Double($0) / Double(Self.mels + 1) / 2595) - 1) }
        var fb = [Float](repeating: 0, count: Self.mels * bins)
        for m in 0..<Self.mels {
            for k in 0..<bins {
                let f = Double(k) * 16000 / Double(Self.nFFT)
                let up = (f - edges[m]) / (edges[m + 1] - edges[m]), down = (edges[m + 2] - f) / (edges[m + 2] - edges[m + 1])
                fb[m * bins + k] = Float(Swift.max(0, Swift.min(up, down)))
            }
        }
        let melLayer = try matrix(fb, out: Self.mels, in: bins)
        var dct = [Float](repeating: 0, count: Self.ceps * Self.mels)
        for c in 0..<Self.ceps {
            for m in 0..<Self.mels {
                let s = c == 0 ? (1 / Double(Self.mels)).squareRoot() : (2 / Double(Self.mels)).squareRoot()
                dct[c * Self.mels + m] = Float(s * cos(Double.pi * Double(c) * (Double(m) + 0.5) / Double(Self.mels)))
            }
        }
        let dctLayer = try matrix(dct, out: Self.ceps, in: Self.mels)
        let manifest = try String(contentsOf: Self.root.appendingPathComponent("manifest.csv"), encoding: .utf8)
        var clips: [Clip] = []
        var frames = 0
        for line in manifest.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",").map(String.init)
            guard f.count >= 8, let digit = Int(f[1]), let speech = Int(f[6]), let start = Int(f[7]) else { continue }
            let audio = try AudioFile.read(Self.root.appendingPathComponent(f[0]).path).mono()
            let n = 1 + (audio.count - Self.nFFT) / Self.hop
            frames = n
            var framed = [Float](repeating: 0, count: n * Self.nFFT)
            for t in 0..<n { for i in 0..<Self.nFFT { framed[t * Self.nFFT + i] = audio[t * Self.hop + i] } }
            let spec = forward(dftLayer, framed, batch: n, count: n * 2 * bins)
            var power = [Float](repeating: 0, count: n * bins)
            for t in 0..<n { for k in 0..<bins {
                let re = spec[t * 2 * bins + k], im = spec[t * 2 * bins + bins + k]
                power[t * bins + k] = re * re + im * im
            } }
            let melT = forward(melLayer, power, batch: n, count: n * Self.mels).map { Foundation.log($0 + 1e-6) }
            let cepT = forward(dctLayer, melT, batch: n, count: n * Self.ceps)
            // Store feature-major [F, T] (the layout of a spectrogram).
            var lm = [Float](repeating: 0, count: Self.mels * n), cc = [Float](repeating: 0, count: Self.ceps * n)
            for t in 0..<n {
                for m in 0..<Self.mels { lm[m * n + t] = melT[t * Self.mels + m] }
                for c in 0..<Self.ceps { cc[c * n + t] = cepT[t * Self.ceps + c] }
            }
            clips.append(Clip(logMel: lm, mfcc: cc, digit: digit, voice: f[3], speechStart: start / Self.hop,
                              speechFrames: (speech + Self.hop - 1) / Self.hop))
        }
        return (clips, frames)
    }

    /// Per-feature standardisation with training statistics; crops each clip to its speech
    /// (2 frames of margin) and pads at the end to `maxLen`: variable lengths for the masks.
    private func dataset(_ clips: [Clip], frames T: Int, features F: Int, _ get: (Clip) -> [Float], crop: Bool,
                         train: [Int]) -> (x: [Float], lengths: [Int], T: Int) {
        var mean = [Double](repeating: 0, count: F), sq = [Double](repeating: 0, count: F)
        for i in train { let v = get(clips[i]); for f in 0..<F { for t in 0..<T { let a = Double(v[f * T + t]); mean[f] += a; sq[f] += a * a } } }
        let count = Double(train.count * T)
        let mu = mean.map { $0 / count }, sd = zip(sq, mu).map { ((($0 / count) - $1 * $1)).squareRoot() + 1e-5 }
        let spans: [(start: Int, length: Int)] = clips.map { c in
            guard crop else { return (0, T) }
            let s = Swift.max(0, c.speechStart - 2)
            return (s, Swift.min(T - s, c.speechFrames + 4))
        }
        let maxLen = spans.map(\.length).max() ?? T
        var x = [Float](repeating: 0, count: clips.count * F * maxLen)
        for (i, c) in clips.enumerated() {
            let v = get(c), (s, l) = spans[i]
            for f in 0..<F { for t in 0..<l { x[(i * F + f) * maxLen + t] = Float((Double(v[f * T + s + t]) - mu[f]) / sd[f]) } }
        }
        return (x, spans.map(\.length), maxLen)
    }

    /// Mini-batch Adam with masks set per batch; returns test accuracy.
    private func trainMasked(_ model: Sequential, x: [Float], lengths: [Int], frames: Int, labels: [Int], train: [Int], test: [Int],
                             epochs: Int, lr: String, batch: Int = 16) throws -> Double {
        let mask = try SequenceMask.attach(to: model, frames: frames)
        let loss = try LossRegistry.make("cross_entropy")
        let opt = try OptimizerRegistry.make("adam", ["lr": .of(lr)])
        let params = model.namedParameters
        let inSize = model.inputSize, w = model.outputSize
        let xb = FloatBuffer(count: batch * inSize), tb = FloatBuffer(count: batch), gb = FloatBuffer(count: batch * w)
        func gather(_ idx: ArraySlice<Int>) throws {
            for (j, i) in idx.enumerated() {
                x.withUnsafeBufferPointer { (xb.ptr + j * inSize).update(from: $0.baseAddress! + i * inSize, count: inSize) }
                tb.ptr[j] = Float(labels[i])
            }
            try mask.set(lengths: idx.map { lengths[$0] }, batch: idx.count)
        }
        var rng = RandomStream(seed: 42)
        for epoch in 0..<epochs {
            let order = rng.permutation(train.count).map { train[$0] }
            var total = 0.0, steps = 0
            var lo = 0
            while lo + 2 <= order.count {
                let idx = order[lo..<Swift.min(lo + batch, order.count)]
                lo += batch
                try gather(idx)
                try model.validate(batch: idx.count, training: true)
                let out = model.forward(UnsafePointer(xb.ptr), batch: idx.count, training: true, rng: RandomStream(seed: UInt64(epoch)))
                total += loss.compute(output: out, targets: tb.ptr, batch: idx.count, width: w, grad: gb.ptr)
                steps += 1
                model.backward(UnsafePointer(gb.ptr), batch: idx.count)
                _ = clipGradientNorm(params, maxNorm: 5)
                opt.update(params)
            }
            if epoch % 5 == 4 || epoch == epochs - 1 { print("  epoch \(epoch + 1): train loss \(total / Double(steps))") }
        }
        var correct = 0
        for lo in stride(from: 0, to: test.count, by: batch) {
            let idx = test[lo..<Swift.min(lo + batch, test.count)]
            try gather(idx)
            let out = model.forward(UnsafePointer(xb.ptr), batch: idx.count, training: false, rng: RandomStream(seed: 0))
            for (j, i) in idx.enumerated() {
                let row = (0..<w).map { out[j * w + $0] }
                if row.firstIndex(of: row.max() ?? 0) == labels[i] { correct += 1 }
            }
        }
        return Double(correct) / Double(test.count)
    }

    func testLSTMOnMFCCAndCRNNOnLogMelAndCNNOnLogMelReachNinetyFivePercentOnUnseenVoices() throws {
        let started = Date()
        let (clips, T) = try loadClips()
        XCTAssertEqual(clips.count, 400)
        let train = clips.indices.filter { !Self.testVoices.contains(clips[$0].voice) }
        let test = clips.indices.filter { Self.testVoices.contains(clips[$0].voice) }
        let labels = clips.map(\.digit)
        print("features: \(clips.count) clips, \(T) frames, \(Date().timeIntervalSince(started)) s; train \(train.count), test \(test.count)")

        // 1. LSTM on MFCCs, cropped to the speech and padded: masks carry the lengths.
        let mf = dataset(clips, frames: T, features: Self.ceps, { $0.mfcc }, crop: true, train: train)
        let lstm = try Sequential([LayerSpec("to_sequence"), LayerSpec("lstm", ["hidden_size": "64", "bidirectional": "true"]),
                                   LayerSpec("dense", ["out_features": "10"])], inputShape: [Self.ceps, mf.T], seed: 1)
        var t0 = Date()
        let accLSTM = try trainMasked(lstm, x: mf.x, lengths: mf.lengths, frames: mf.T, labels: labels, train: train, test: test,
                                      epochs: 30, lr: "0.005")
        print("LSTM on MFCC (masked, \(mf.T) frames max): test accuracy \(accLSTM), \(Date().timeIntervalSince(t0)) s")

        // 2. CRNN on log-mel: conv front end → reshape → GRU → dense, one model description.
        let lm = dataset(clips, frames: T, features: Self.mels, { $0.logMel }, crop: true, train: train)
        let crnn = try Sequential([
            LayerSpec("conv2d", ["out_channels": "16", "kernel_size": "3", "padding": "1"]), LayerSpec("batchnorm2d"), LayerSpec("relu"),
            LayerSpec("maxpool2d", ["kernel_size": "2"]),
            LayerSpec("conv2d", ["out_channels": "32", "kernel_size": "3", "padding": "1"]), LayerSpec("batchnorm2d"), LayerSpec("relu"),
            LayerSpec("maxpool2d", ["kernel_size": "2"]),
            LayerSpec("to_sequence"), LayerSpec("lstm", ["hidden_size": "64"]), LayerSpec("dense", ["out_features": "10"]),
        ], inputShape: [1, Self.mels, lm.T], seed: 2)
        t0 = Date()
        let accCRNN = try trainMasked(crnn, x: lm.x, lengths: lm.lengths, frames: lm.T, labels: labels, train: train, test: test,
                                      epochs: 20, lr: "0.003")
        print("CRNN on log-mel (masked): test accuracy \(accCRNN), \(Date().timeIntervalSince(t0)) s")

        // 3. Engine I's MNIST CNN on the full 1 s log-mel, through the Trainer.
        let full = dataset(clips, frames: T, features: Self.mels, { $0.logMel }, crop: false, train: train)
        let cnn = try Sequential([
            LayerSpec("conv2d", ["out_channels": "8", "kernel_size": "5", "padding": "same"]), LayerSpec("relu"),
            LayerSpec("maxpool2d", ["kernel_size": "2"]),
            LayerSpec("conv2d", ["out_channels": "16", "kernel_size": "5"]), LayerSpec("relu"),
            LayerSpec("maxpool2d", ["kernel_size": "2"]),
            LayerSpec("flatten"), LayerSpec("dense", ["out_features": "10"]),
        ], inputShape: [1, Self.mels, full.T], seed: 1)
        func subset(_ idx: [Int]) -> Tensor {
            let n = Self.mels * full.T
            return Tensor(unchecked: [idx.count, 1, Self.mels, full.T], data: idx.flatMap { full.x[($0 * n)..<(($0 + 1) * n)] })
        }
        var o = TrainingOptions(); o.epochs = 25; o.batchSize = 16; o.seed = 1
        let trainer = Trainer(model: cnn, loss: try LossRegistry.make("cross_entropy"), optimizer: try OptimizerRegistry.make("adam", ["lr": "0.002"]), options: o)
        t0 = Date()
        _ = try trainer.fit(subset(train), .classes(train.map { labels[$0] }))
        let accCNN = try XCTUnwrap(trainer.evaluate(subset(test), .classes(test.map { labels[$0] })).accuracy)
        print("CNN (engine I layers) on log-mel: test accuracy \(accCNN), \(Date().timeIntervalSince(t0)) s")

        XCTAssertGreaterThanOrEqual(accLSTM, 0.95)
        XCTAssertGreaterThanOrEqual(accCRNN, 0.95)
        XCTAssertGreaterThanOrEqual(accCNN, 0.95)
    }
}
