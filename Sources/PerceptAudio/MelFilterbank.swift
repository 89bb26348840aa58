import Foundation
import PerceptCore

/// A mel filterbank as `librosa.filters.mel`: triangular filters between `fmin` and `fmax` on
/// the Slaney (default) or HTK mel scale, optionally area-normalised ('slaney').
///
/// Weights are computed in double precision and stored in single precision; each filter also
/// keeps the range of FFT bins where it is non-zero, so applying the bank costs about two
/// multiply-adds per bin instead of `nMels` (the filters overlap only with their neighbours).
///
///     let mel = try MelFilterbank(sampleRate: 16000, nFFT: 512, nMels: 64)
///     let m = try mel.apply(powerSpectrogram)     // [257, T] -> [64, T]
public struct MelFilterbank: Sendable {
    /// Filter normalisation: librosa's `norm='slaney'` or `norm=None`.
    public enum Norm: String, Sendable { case slaney, none }

    public let sampleRate: Int
    public let nFFT: Int
    public let nMels: Int
    public let fmin: Double
    public let fmax: Double
    public let htk: Bool
    public let norm: Norm
    /// Dense weights, [nMels, 1 + nFFT/2] row-major, as librosa returns them.
    public let weights: Tensor
    /// For filter m, its non-zero weights cover bins `ranges[m]`; `packed` holds them back to back.
    public let ranges: [Range<Int>]
    let offsets: [Int]
    let packed: [Float]
    /// True when some filter is all zeros (too many mels for the FFT resolution); librosa warns.
    public let hasEmptyFilters: Bool

    /// - Throws: `invalidArgument` for nMels outside 1...maxMels, nFFT < 1, fmin < 0, fmin ≥ fmax or fmax > sr/2.
    public init(sampleRate: Int, nFFT: Int, nMels: Int = 128, fmin: Double = 0, fmax: Double? = nil,
                htk: Bool = false, norm: Norm = .slaney) throws {
        let nyquist = Double(sampleRate) / 2
        let top = fmax ?? nyquist
        guard sampleRate > 0 else { throw PerceptError.invalidArgument(field: "sr", "sample rate \(sampleRate) must be > 0") }
        guard nFFT > 0 else { throw PerceptError.invalidArgument(field: "n_fft", "n_fft=\(nFFT) must be > 0") }
        guard nMels > 0 else { throw PerceptError.invalidArgument(field: "n_mels", "n_mels=\(nMels) must be > 0") }
        guard nMels <= MelFilterbank.maxMels else {
            throw PerceptError.invalidArgument(field: "n_mels", "n_mels=\(nMels) is larger than the supported \(MelFilterbank.maxMels)")
        }
        guard fmin >= 0 else { throw PerceptError.invalidArgument(field: "fmin", "fmin=\(fmin) must be ≥ 0") }
        guard top <= nyquist else {
            throw PerceptError.invalidArgument(field: "fmax", "fmax=\(top) is above the Nyquist frequency sr/2=\(nyquist)")
        }
        guard fmin < top else { throw PerceptError.invalidArgument(field: "fmin", "fmin=\(fmin) must be below fmax=\(top)") }
        self.sampleRate = sampleRate; self.nFFT = nFFT; self.nMels = nMels
        self.fmin = fmin; self.fmax = top; self.htk = htk; self.norm = norm

        let bins = 1 + nFFT / 2
        // np.fft.rfftfreq(n_fft, 1/sr): k * (1 / (n_fft / sr))
        let binWidth = 1.0 / (Double(nFFT) * (1.0 / Double(sampleRate)))
        let fftFreqs = (0..<bins).map { Double($0) * binWidth }
        let melF = MelScale.frequencies(count: nMels + 2, fmin: fmin, fmax: top, htk: htk)

        var dense = [Float](repeating: 0, count: nMels * bins)
        var ranges = [Range<Int>](), offsets = [Int](), packed = [Float]()
        var empty = false
        for m in 0..<nMels {
            let lowDiff = melF[m + 1] - melF[m], highDiff = melF[m + 2] - melF[m + 1]
            let enorm = norm == .slaney ? 2.0 / (melF[m + 2] - melF[m]) : 1.0
            var lo = bins, hi = 0, maxW = 0.0
            for k in 0..<bins {
                let lower = -(melF[m] - fftFreqs[k]) / lowDiff
                let upper = (melF[m + 2] - fftFreqs[k]) / highDiff
                let w = Swift.max(0, Swift.min(lower, upper)) * enorm
                if w > 0 {
                    dense[m * bins + k] = Float(w)
                    lo = Swift.min(lo, k); hi = k + 1
                    maxW = Swift.max(maxW, w)
                }
            }
            if !(melF[m] == 0 || maxW > 0) { empty = true }
            if lo >= hi { lo = 0; hi = 0 }
            ranges.append(lo..<hi)
            offsets.append(packed.count)
            packed.append(contentsOf: dense[(m * bins + lo)..<(m * bins + hi)])
        }
        weights = Tensor(unchecked: [nMels, bins], data: dense)
        self.ranges = ranges; self.offsets = offsets; self.packed = packed
        hasEmptyFilters = empty
    }

    /// Largest number of bands accepted, so a typo cannot ask for gigabytes of weights.
    public static let maxMels = 1 << 14

    /// The warning librosa prints for empty filters.
    public static let emptyFilterWarning = "Empty filters detected in mel frequency basis. Some channels will produce empty responses. Try increasing your sampling rate (and fmax) or reducing n_mels."

    /// Mel spectrogram of a [1 + nFFT/2, T] (power) spectrogram: `weights · S`, [nMels, T].
    /// Any other shape is an `invalidArgument` naming `spectrogram`.
    ///
    ///     let m = try mel.apply(Tensor(shape: [257, 100]))   // [64, 100]
    public func apply(_ spectrogram: Tensor) throws -> Tensor {
        guard spectrogram.rank == 2 && spectrogram.shape[0] == 1 + nFFT / 2 else {
            throw PerceptError.invalidArgument(field: "spectrogram",
                                               "expected [1 + n_fft/2, frames] = [\(1 + nFFT / 2), frames], got \(spectrogram.shape)")
        }
        let t = spectrogram.shape[1]
        var out = Tensor(shape: [nMels, t])
        spectrogram.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                guard let sp = s.baseAddress, let op = o.baseAddress else { return }
                applyRows(sp, rowStride: t, count: t, into: op, outStride: t)
            }
        }
        return out
    }

    /// Accumulates `out[m, 0..<count] = Σ_k w[m,k] · s[k, 0..<count]` over each filter's bins,
    /// with rows `rowStride` apart in `s` and `outStride` apart in `out`. Each output element sums
    /// its bins in ascending order whatever `count` is, so blocked and whole-signal calls agree
    /// bit for bit. Columns go in cache-sized tiles.
    @inline(__always)
    func applyRows(_ s: UnsafePointer<Float>, rowStride: Int, count: Int,
                   into out: UnsafeMutablePointer<Float>, outStride: Int) {
        let tile = 256
        packed.withUnsafeBufferPointer { wp in
            var c0 = 0
            while c0 < count {
                let cw = Swift.min(tile, count - c0)
                for m in 0..<nMels {
                    let o = out + m * outStride + c0
                    o.update(repeating: 0, count: cw)
                    var wi = offsets[m]
                    for k in ranges[m] {
                        let w = wp[wi]; wi += 1
                        let row = s + k * rowStride + c0
                        for t in 0..<cw { o[t] += w * row[t] }
                    }
                }
                c0 += cw
            }
        }
    }
}

/// The Slaney and HTK mel scales of `librosa.hz_to_mel` / `mel_to_hz`.
///
///     MelScale.hzToMel(1000, htk: false)   // 15.0
public enum MelScale {
    private static let fSp = 200.0 / 3
    private static let minLogHz = 1000.0
    private static let minLogMel = 1000.0 / (200.0 / 3)
    private static let logStep = log(6.4) / 27.0

    public static func hzToMel(_ f: Double, htk: Bool) -> Double {
        if htk { return 2595.0 * log10(1.0 + f / 700.0) }
        if f >= minLogHz { return minLogMel + log(f / minLogHz) / logStep }
        return f / fSp
    }

    public static func melToHz(_ m: Double, htk: Bool) -> Double {
        if htk { return 700.0 * (pow(10.0, m / 2595.0) - 1.0) }
        if m >= minLogMel { return minLogHz * exp(logStep * (m - minLogMel)) }
        return fSp * m
    }

    /// `librosa.mel_frequencies`: `count` frequencies evenly spaced in mels from fmin to fmax.
    public static func frequencies(count: Int, fmin: Double, fmax: Double, htk: Bool) -> [Double] {
        let lo = hzToMel(fmin, htk: htk), hi = hzToMel(fmax, htk: htk)
        guard count > 1 else { return count == 1 ? [melToHz(lo, htk: htk)] : [] }
        // np.linspace: start + i * step, with the last point exactly `stop`.
        let step = (hi - lo) / Double(count - 1)
        return (0..<count).map { i in melToHz(i == count - 1 ? hi : lo + Double(i) * step, htk: htk) }
    }
}
