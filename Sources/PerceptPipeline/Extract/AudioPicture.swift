import Foundation
import PerceptAudio
import PerceptCore
import PerceptPlot

/// The `--png` figures of the audio features: a [rows, frames] output drawn with a perceptual
/// colour map, time in seconds (hop length / sample rate per frame), the rows' axis labelled, and a
/// dB colour bar for dB values. MFCCs are scaled per coefficient (MFCC 0 spans ten times the
/// range of the others and would wash them out), each block of a delta stack in its own panel.
///
///     let png = try AudioPicture.spectrogram(out, sampleRate: 16000, stft: stage.options.stft, power: 2)
enum AudioPicture {
    /// dB values are shown over their top 80 dB.
    static let dynamicRange: Float = 80

    /// `abs(stft) ** power` in dB relative to its maximum, frequency in Hz.
    static func spectrogram(_ output: FeatureOutput, sampleRate: Int, stft: STFT, power: Float) throws -> Tensor? {
        guard let (t, rows, cols) = plane(output) else { return nil }
        // |X|^p in dB is 20·log10|X| = (20 / p)·log10(|X|^p).
        let db = decibels(t.storage, perDecade: 20 / Swift.max(power, 1e-3))
        var h = Heatmap(values: db, rows: rows, cols: cols, title: power == 1 ? "magnitude spectrogram" : power == 2 ? "power spectrogram" : "|STFT|^\(power) spectrogram")
        h.note = "\(stft.nFFT)-point FFT, hop \(stft.hopLength), \(sampleRate) Hz; dB relative to the loudest bin"
        h.secondsPerColumn = Double(stft.hopLength) / Double(sampleRate)
        h.yLabel = "frequency (Hz)"
        h.yScale = Double(sampleRate) / Double(stft.nFFT)
        h.colorbarLabel = "dB"
        h.range = (-dynamicRange)...0
        return try h.render().tensor
    }

    /// A mel spectrogram; `alreadyDb` values (`--db`) are shown as they are, power ones converted to
    /// dB relative to their maximum.
    static func mel(_ output: FeatureOutput, sampleRate: Int, stft: STFT, alreadyDb: Bool) throws -> Tensor? {
        guard let (t, rows, cols) = plane(output) else { return nil }
        let db = alreadyDb ? t.storage : decibels(t.storage, perDecade: 10)
        let top = db.filter(\.isFinite).max() ?? 0
        var h = Heatmap(values: db, rows: rows, cols: cols, title: "\(alreadyDb ? "log-" : "")mel spectrogram, \(rows) mel bands")
        h.note = alreadyDb ? "power in dB as computed (--db)" : "power in dB relative to the loudest bin"
        h.secondsPerColumn = Double(stft.hopLength) / Double(sampleRate)
        h.yLabel = "mel band"
        h.colorbarLabel = "dB"
        h.range = (top - dynamicRange)...top
        return try h.render().tensor
    }

    /// MFCCs (`blocks` = 1) or the stack MFCC, Δ, ΔΔ (`blocks` = 1 + deltas), each coefficient
    /// scaled to its own range.
    static func mfcc(_ output: FeatureOutput, sampleRate: Int, stft: STFT, blocks: Int) throws -> Tensor? {
        guard let (t, rows, cols) = plane(output), blocks >= 1, rows % blocks == 0 else { return nil }
        let n = rows / blocks
        let titles = ["MFCC", "Δ MFCC (delta)", "ΔΔ MFCC (delta-delta)"]
        var parts = [Canvas]()
        for b in 0..<blocks {
            let block = Array(t.storage[(b * n * cols)..<((b + 1) * n * cols)])
            var h = Heatmap(values: Heatmap.perRowNormalised(block, rows: n, cols: cols), rows: n, cols: cols,
                            title: b < titles.count ? titles[b] : "block \(b)")
            h.note = "each coefficient scaled to its own min…max (so MFCC 0 does not hide the rest)"
            h.colormap = .viridis
            h.range = 0...1
            h.secondsPerColumn = Double(stft.hopLength) / Double(sampleRate)
            h.yLabel = "coefficient"
            parts.append(try h.render())
        }
        return try Canvas.stacked(parts).tensor
    }

    static func plane(_ output: FeatureOutput) -> (Tensor, Int, Int)? {
        guard case let .array(t) = output, t.rank == 2, t.count > 0 else { return nil }
        return (t, t.shape[0], t.shape[1])
    }

    /// `perDecade · log10(v / max)`, values floored at 1e-10 like librosa's amin.
    static func decibels(_ v: [Float], perDecade: Float) -> [Float] {
        let top = log10(Swift.max(v.max() ?? 1, 1e-10))
        return v.map { perDecade * (log10(Swift.max($0, 1e-10)) - top) }
    }
}
