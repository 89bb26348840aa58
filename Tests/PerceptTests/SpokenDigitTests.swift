import Foundation
import Percept
import XCTest

/// Spoken-digit recognition on ../shared/data/spoken-digits (10 voices × 4 variants × 10 digits),
/// split by voice: the two test voices are never heard in training. Multi-minute trainings, so
/// opt-in: `PERCEPT_LONG_TESTS=1 swift test -c release --filter SpokenDigitTests`.
///
/// Features are librosa's (25 ms frames every 10 ms, 40 HTK mel bands in dB, 13 MFCCs); clips are
/// cropped to their speech and come from a `StreamingSource` that pads them and hands the
/// trainer their lengths, so LSTM and CRNN train masked, as on variable-length audio.
final class SpokenDigitTests: XCTestCase {
    static let testVoices: Set<String> = ["en+f3", "en-gb-scotland+m4"]
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/data/spoken-digits").standardized

    struct Clip { let logMel: Tensor; let mfcc: Tensor; let digit: Int; let voice: String; let speech: Range<Int> }

    override func setUpWithError() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["PERCEPT_LONG_TESTS"] == "1", "set PERCEPT_LONG_TESTS=1 to run")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent("manifest.csv").path), "no spoken-digit data")
    }

    private func loadClips() throws -> [Clip] {
        let stft = try STFT(nFFT: 400, hopLength: 160, center: false)
        let mel = try MelFilterbank(sampleRate: 16000, nFFT: 400, nMels: 40, htk: true)
        let logMel = try SpectralPipeline(stft: stft, mel: mel, decibels: .power())
        let mfcc = try SpectralPipeline(stft: stft, mel: mel, decibels: .power(), mfcc: MFCC(nMFCC: 13, nMels: 40))
        let manifest = try String(contentsOf: Self.root.appendingPathComponent("manifest.csv"), encoding: .utf8)
        return try manifest.split(separator: "\n").dropFirst().map { line in
            let f = line.split(separator: ",").map(String.init)
            let y = try AudioFile.read(Self.root.appendingPathComponent(f[0]).path).mono()
            let start = Int(f[7])! / 160, frames = (Int(f[6])! + 159) / 160
            return Clip(logMel: try logMel.compute(y), mfcc: try mfcc.compute(y), digit: Int(f[1])!, voice: f[3],
                        speech: Swift.max(0, start - 2)..<(start + frames + 2))
        }
    }

    /// Features standardised per row with training statistics; cropped to the speech when `crop`,
    /// served as `[rows, T]` (or `[1, rows, T]` when `channel`) padded by the source.
    private func source(_ clips: [Clip], _ idx: [Int], train: [Int], _ feature: @escaping (Clip) -> Tensor, crop: Bool, channel: Bool) throws -> StreamingSource {
        let rows = feature(clips[0]).shape[0], T = feature(clips[0]).shape[1]
        var sum = [Double](repeating: 0, count: rows), sq = sum
        for i in train { let v = feature(clips[i]).storage; for r in 0..<rows { for t in 0..<T { let a = Double(v[r * T + t]); sum[r] += a; sq[r] += a * a } } }
        let n = Double(train.count * T), mu = sum.map { $0 / n }, sd = zip(sq, mu).map { (($0 / n) - $1 * $1).squareRoot() + 1e-5 }
        let span = { (c: Clip) in crop ? c.speech.clamped(to: 0..<T) : 0..<T }
        let maxLen = clips.map { span($0).count }.max()!
        return try StreamingSource(count: idx.count, sampleShape: (channel ? [1] : []) + [rows, maxLen],
                                   targets: .classes(idx.map { clips[$0].digit }), lengthAxis: crop ? (channel ? 2 : 1) : nil) { j, _ in
            let c = clips[idx[j]], s = span(c), v = feature(c).storage
            let data = (0..<rows).flatMap { r in s.map { t in Float((Double(v[r * T + t]) - mu[r]) / sd[r]) } }
            return Tensor(unchecked: (channel ? [1] : []) + [rows, s.count], data: data)
        }
    }

    private func accuracy(_ layers: [LayerSpec], on train: StreamingSource, _ test: StreamingSource, epochs: Int, lr: Float, seed: UInt64) throws -> Double {
        let model = try Sequential(layers, inputShape: train.sampleShape, seed: seed)
        var o = TrainingOptions(); o.epochs = epochs; o.batchSize = 16; o.seed = 42; o.clipNorm = 5; o.sequenceAxis = train.sampleShape.count - 1
        let t = Trainer(model: model, loss: try LossRegistry.make("cross_entropy"), optimizer: try OptimizerRegistry.make("adam", ["lr": .of(lr)]), options: o)
        t.callbacks.append(ProgressLogger(prefix: "  ") { print($0, terminator: "") })
        _ = try t.fit(train)
        return try XCTUnwrap(t.evaluate(test).accuracy)
    }

    func testLSTMOnMFCCAndCRNNOnLogMelAndCNNOnLogMelReachNinetyFivePercentOnUnseenVoices() throws {
        let clips = try loadClips()
        XCTAssertEqual(clips.count, 400)
        let train = clips.indices.filter { !Self.testVoices.contains(clips[$0].voice) }, test = clips.indices.filter { Self.testVoices.contains(clips[$0].voice) }
        let sources = { (f: @escaping (Clip) -> Tensor, crop: Bool, channel: Bool) in
            (try self.source(clips, train, train: train, f, crop: crop, channel: channel), try self.source(clips, test, train: train, f, crop: crop, channel: channel))
        }
        // 1. Bidirectional LSTM on MFCCs cropped to the speech: masks carry the lengths.
        let mf = try sources({ $0.mfcc }, true, false)
        let lstm = try accuracy([LayerSpec("to_sequence"), LayerSpec("lstm", ["hidden_size": 64, "bidirectional": true]), LayerSpec("dense", ["out_features": 10])],
                                on: mf.0, mf.1, epochs: 30, lr: 0.005, seed: 1)
        // 2. CRNN on log-mel: conv front end → sequence → LSTM → dense.
        let lm = try sources({ $0.logMel }, true, true)
        let crnn = try accuracy([
            LayerSpec("conv2d", ["out_channels": 16, "kernel_size": 3, "padding": 1]), LayerSpec("batchnorm2d"), LayerSpec("relu"), LayerSpec("maxpool2d", ["kernel_size": 2]),
            LayerSpec("conv2d", ["out_channels": 32, "kernel_size": 3, "padding": 1]), LayerSpec("batchnorm2d"), LayerSpec("relu"), LayerSpec("maxpool2d", ["kernel_size": 2]),
            LayerSpec("to_sequence"), LayerSpec("lstm", ["hidden_size": 64]), LayerSpec("dense", ["out_features": 10]),
        ], on: lm.0, lm.1, epochs: 20, lr: 0.003, seed: 2)
        // 3. The MNIST CNN on the whole second of log-mel (fixed length, no masks).
        let full = try sources({ $0.logMel }, false, true)
        let cnn = try accuracy([
            LayerSpec("conv2d", ["out_channels": 8, "kernel_size": 5, "padding": "same"]), LayerSpec("relu"), LayerSpec("maxpool2d", ["kernel_size": 2]),
            LayerSpec("conv2d", ["out_channels": 16, "kernel_size": 5]), LayerSpec("relu"), LayerSpec("maxpool2d", ["kernel_size": 2]),
            LayerSpec("flatten"), LayerSpec("dense", ["out_features": 10]),
        ], on: full.0, full.1, epochs: 25, lr: 0.002, seed: 1)
        print("unseen voices: LSTM on MFCC \(lstm), CRNN on log-mel \(crnn), CNN on log-mel \(cnn)")
        XCTAssertGreaterThanOrEqual(lstm, 0.95)
        XCTAssertGreaterThanOrEqual(crnn, 0.95)
        XCTAssertGreaterThanOrEqual(cnn, 0.95)
    }
}
