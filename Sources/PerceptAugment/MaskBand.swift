import PerceptCore

/// One masked band of a spectrogram axis: `start ..< start + width`.
public struct MaskBand: Codable, Sendable, Equatable {
    public var start: Int, width: Int
    public init(start: Int, width: Int) { self.start = start; self.width = width }

    /// torchaudio's draw: width = ⌊U·param⌋, start = ⌊U·(size − U·param)⌋.
    static func draw(_ rng: inout RandomStream, param: Int, size: Int) -> MaskBand {
        let value = rng.uniform() * Float(param)
        let minValue = rng.uniform() * (Float(size) - value)
        return MaskBand(start: Swift.max(0, StageBounds.truncated(minValue)), width: StageBounds.truncated(value))
    }

    /// Writes `value` into rows (`alongRows`) or columns of every `[F, T]` plane of `[C, F, T]` data.
    func fill(_ data: inout Tensor, alongRows: Bool, value: Float) {
        let c = data.shape[0], f = data.shape[1], t = data.shape[2]
        data.withUnsafeMutableBufferPointer { b in
            guard let base = b.baseAddress else { return }
            for ch in 0..<c {
                let plane = base + ch * f * t
                if alongRows {
                    let lo = Swift.min(f, Swift.max(0, start)), hi = Rect.end(start, width, limit: f)
                    for r in lo..<Swift.max(lo, hi) { (plane + r * t).update(repeating: value, count: t) }
                } else {
                    let lo = Swift.min(t, Swift.max(0, start)), hi = Rect.end(start, width, limit: t)
                    guard hi > lo else { continue }
                    for r in 0..<f { (plane + r * t + lo).update(repeating: value, count: hi - lo) }
                }
            }
        }
    }
}
