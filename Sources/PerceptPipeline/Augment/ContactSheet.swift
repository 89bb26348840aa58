import Foundation
import PerceptAudio
import PerceptAugment
import PerceptCore
import PerceptVision

/// A grid picture of an original and its variants, for people checking what a chain does:
/// images as they are, audio as log-power spectrograms (low frequencies at the bottom), and
/// what transforms make — spectrograms, feature vectors — scaled to their own range.
///
///     let sheet = try ContactSheet.make([original] + variants)
public enum ContactSheet {
    /// Gap between tiles, in pixels (mid gray).
    static let gap = 4

    public static func make(_ samples: [Sample]) throws -> Tensor {
        guard let first = samples.first else { return Tensor(shape: [1, 1, 1]) }
        let tiles: [Tensor]
        if first.kind == .audio {
            let reference = try spectrogram(first, top: nil)
            let top = reference.1
            tiles = try [reference.0] + samples.dropFirst().map { $0.kind == .audio ? try spectrogram($0, top: top).0 : tile($0) }
        } else {
            tiles = samples.map(tile)
        }
        return grid(tiles)
    }

    /// [1, F, T] picture in [0, 1]: dB of the power spectrogram, 80 dB below `top` (default: its own max).
    static func spectrogram(_ s: Sample, top: Float?) throws -> (Tensor, Float) {
        let c = s.data.shape[0], n = s.data.shape[1]
        var mono = [Float](repeating: 0, count: n)
        for ch in 0..<c { for i in 0..<n { mono[i] += s.data.storage[ch * n + i] / Float(c) } }
        if mono.count < 512 { mono += [Float](repeating: 0, count: 512 - mono.count) }
        let hop = Swift.max(128, mono.count / 800)
        let power = try STFT(nFFT: 512, hopLength: hop).spectrogram(mono)
        let f = power.shape[0], t = power.shape[1]
        let db = power.storage.map { 10 * Foundation.log10(Swift.max($0, 1e-10)) }
        let hi = top ?? (db.max() ?? 0)
        var out = [Float](repeating: 0, count: f * t)
        for k in 0..<f {
            for j in 0..<t {
                out[(f - 1 - k) * t + j] = Swift.min(1, Swift.max(0, (db[k * t + j] - hi + 80) / 80))
            }
        }
        return (Tensor(unchecked: [1, f, t], data: out), hi)
    }

    /// A tile for a sample that is not audio: an image as it is; a spectrogram's first channel
    /// with low rows at the bottom, or a vector as an 8-pixel-high strip, min to max over [0, 1].
    static func tile(_ s: Sample) -> Tensor {
        switch s.kind {
        case .image: return normalised(s.data)
        case .audio: return (try? spectrogram(s, top: nil).0) ?? Tensor(shape: [1, 1, 1])
        case .spectrogram:
            let f = s.data.shape[1], t = s.data.shape[2]
            let plane = Picture.scaledToUnit(Array(s.data.storage[0..<(f * t)]))
            var out = [Float](repeating: 0, count: f * t)
            for k in 0..<f { for j in 0..<t { out[(f - 1 - k) * t + j] = plane[k * t + j] } }
            return Tensor(unchecked: [1, f, t], data: out)
        case .vector:
            let row = Picture.scaledToUnit(s.data.storage)
            return Tensor(unchecked: [1, 8, row.count], data: Array((0..<8).map { _ in row }.joined()))
        }
    }

    /// Drops alpha / keeps 1 or 3 channels, clipped to [0, 1].
    static func normalised(_ t: Tensor) -> Tensor {
        let c = t.shape[0], h = t.shape[1], w = t.shape[2]
        let keep = c >= 3 ? 3 : 1
        return Tensor(unchecked: [keep, h, w], data: t.storage[0..<(keep * h * w)].map { Swift.min(1, Swift.max(0, $0)) })
    }

    /// Tiles side by side in one row.
    static func row(_ tiles: [Tensor]) -> Tensor { grid(tiles, columns: tiles.count) }

    /// Pictures stacked top to bottom.
    static func column(_ tiles: [Tensor]) -> Tensor { grid(tiles, columns: 1) }

    /// Tiles in rows of `columns` (default ⌈√n⌉), each cell as large as the largest tile,
    /// separated by gray gaps.
    static func grid(_ tiles: [Tensor], columns: Int? = nil) -> Tensor {
        let n = tiles.count
        let channels = tiles.contains { $0.shape[0] == 3 } ? 3 : 1
        let cols = max(1, columns ?? Int(Double(n).squareRoot().rounded(.up))), rows = (n + cols - 1) / cols
        let ch = tiles.map { $0.shape[1] }.max() ?? 1, cw = tiles.map { $0.shape[2] }.max() ?? 1
        let h = rows * ch + (rows + 1) * gap, w = cols * cw + (cols + 1) * gap
        var out = [Float](repeating: 0.5, count: channels * h * w)
        for (i, t) in tiles.enumerated() {
            let top = gap + (i / cols) * (ch + gap), left = gap + (i % cols) * (cw + gap)
            let tc = t.shape[0], th = t.shape[1], tw = t.shape[2]
            for c in 0..<channels {
                let sc = tc == 1 ? 0 : c
                for y in 0..<th {
                    for x in 0..<tw { out[(c * h + top + y) * w + left + x] = t.storage[(sc * th + y) * tw + x] }
                }
            }
        }
        return Tensor(unchecked: [channels, h, w], data: out)
    }
}
