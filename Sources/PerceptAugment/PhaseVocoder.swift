import Foundation
import PerceptAudio
import PerceptCore

/// Time stretching by a phase vocoder on PerceptAudio's STFT, as `librosa.effects.time_stretch`
/// (n_fft 2048, hop 512, Hann): frame magnitudes are interpolated at steps of `rate` and the
/// phase advances by each bin's measured instantaneous frequency.
///
///     let faster = try PhaseVocoder.stretch(y, rate: 1.25)     // ≈ y.count / 1.25 samples
enum PhaseVocoder {
    static let nFFT = 2048, hop = 512

    /// `y` played `rate` times faster, `round(n / rate)` samples long.
    static func stretch(_ y: [Float], rate: Double) throws -> [Float] {
        guard rate > 0, rate.isFinite else { throw PerceptError.invalidArgument(field: "rate", "must be > 0") }
        let outLength = Int((Double(y.count) / rate).rounded())
        guard !y.isEmpty else { return [] }
        let stft = try STFT(nFFT: nFFT, hopLength: hop)
        let (outRe, outIm) = try vocode(stft.complex(y), rate: rate)
        return try stft.inverse(real: outRe, imag: outIm, length: outLength)
    }

    /// `librosa.phase_vocoder(D, rate)` on a complex STFT given as real and imaginary parts.
    static func vocode(_ d: (real: Tensor, imag: Tensor), rate: Double) throws -> (Tensor, Tensor) {
        let (re, im) = d
        let bins = re.shape[0], frames = re.shape[1]
        // Magnitude and phase per (bin, frame), with two zero frames appended (librosa pads).
        // Single precision where librosa has it for float32 input (complex64 STFT, float32
        // angles and phase accumulator): the accumulator reaches ~10^7 rad in high bins, so its
        // float32 rounding shapes the output and must be reproduced.
        let width = frames + 2
        var mag = [Float](repeating: 0, count: bins * width), ang = mag
        for k in 0..<bins {
            for t in 0..<frames {
                let a = re.storage[k * frames + t], b = im.storage[k * frames + t]
                mag[k * width + t] = (a * a + b * b).squareRoot()
                ang[k * width + t] = atan2f(b, a)
            }
        }
        let steps = Int((Double(frames) / rate).rounded(.up))
        var outRe = [Float](repeating: 0, count: bins * steps), outIm = outRe
        var acc = (0..<bins).map { ang[$0 * width] }
        let twoPi = 2 * Double.pi
        let advance = (0..<bins).map { Double(hop) * (Double.pi * Double($0) / Double(bins - 1)) }
        for t in 0..<steps {
            let step = Double(t) * rate
            let i = Int(step), alpha = step.truncatingRemainder(dividingBy: 1)
            for k in 0..<bins {
                let m = (1 - alpha) * Double(mag[k * width + i]) + alpha * Double(mag[k * width + i + 1])
                outRe[k * steps + t] = Float(Double(cosf(acc[k])) * m)
                outIm[k * steps + t] = Float(Double(sinf(acc[k])) * m)
                var d = Double(ang[k * width + i + 1] - ang[k * width + i]) - advance[k]
                d -= twoPi * (d / twoPi).rounded(.toNearestOrEven)
                acc[k] = Float(Double(acc[k]) + (advance[k] + d))
            }
        }
        return (Tensor(unchecked: [bins, steps], data: outRe), Tensor(unchecked: [bins, steps], data: outIm))
    }

    /// Pads with zeros or trims to `n` samples (librosa `fix_length`).
    static func fixLength(_ y: [Float], _ n: Int) -> [Float] {
        if y.count >= n { return Array(y.prefix(n)) }
        return y + [Float](repeating: 0, count: n - y.count)
    }

    /// Applies `f` to every channel of `[C, frames]` audio and stacks the (equal-length) results.
    static func perChannel(_ data: Tensor, _ f: ([Float]) throws -> [Float]) throws -> Tensor {
        let c = data.shape[0], n = data.shape[1]
        var out = [Float]()
        var len = 0
        for ch in 0..<c {
            let y = try f(Array(data.storage[(ch * n)..<((ch + 1) * n)]))
            len = y.count
            out.append(contentsOf: y)
        }
        return Tensor(unchecked: [c, len], data: out)
    }
}
