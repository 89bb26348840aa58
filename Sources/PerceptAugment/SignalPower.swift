import Foundation
import PerceptCore

/// Over which samples an SNR-based stage measures the signal's RMS. `whole` is the reference
/// libraries' behaviour (audiomentations' `calculate_rms` of the clip); `active` keeps only the
/// frames `librosa.effects.split(y, top_db=active_top_db)` calls non-silent, so a word in a second
/// of silence gets the stated SNR over the word instead of far more noise than it says.
///
///     let rms = SignalPower.active(topDb: 60).rms(of: sample)
public enum SignalPower: Sendable, Equatable {
    case whole
    /// Frames whose RMS is within `topDb` dB of the loudest frame (librosa's frame logic).
    case active(topDb: Float)

    /// librosa.effects.split's defaults: 2048-sample centred frames every 512 samples.
    static let frameLength = 2048, hopLength = 512

    /// The two options every SNR-based stage shares.
    static let specs = [
        ParameterSpec("signal_power", .choice, default: "whole", choices: ["whole", "active"],
                      doc: "signal RMS over the whole clip, or over its active part only (see active_top_db)"),
        ParameterSpec("active_top_db", .float, default: 60,
                      doc: "with signal_power: active, samples in frames (2048 long, hop 512) within this many dB of the loudest frame count, as librosa.effects.split(top_db=…)"),
    ]

    /// Reads `signal_power` / `active_top_db`; the threshold set without `active` is an error.
    static func option(_ params: Parameters) throws -> SignalPower {
        let top = try params.finiteFloat("active_top_db", atLeast: 0, strict: true)
        if try params.string("signal_power") == "whole" {
            if params.isSet("active_top_db") { throw params.invalid("active_top_db", "has no effect unless signal_power is active") }
            return .whole
        }
        return .active(topDb: top)
    }

    /// The option values a typed initialiser passes on (none for nil, so the defaults apply).
    static func values(_ power: SignalPower?) -> [String: Value] {
        switch power {
        case nil: return [:]
        case .whole: return ["signal_power": .of("whole")]
        case let .active(topDb): return ["signal_power": .of("active"), "active_top_db": .of(topDb)]
        }
    }

    /// The signal's RMS over all channels of the measured samples (0 for silence).
    ///
    ///     let rms = SignalPower.whole.rms(of: sample)   // the same value as before this option
    public func rms(of sample: Sample) -> Double {
        guard case let .active(topDb) = self else {
            return sample.data.withUnsafeBufferPointer { PixelLoops.rms($0) }
        }
        let s = sample.shape, n = s.width, channels = s.channels
        guard n > 0 else { return 0 }
        let active = SignalPower.activeMask(sample.data, channels: channels, frames: n, topDb: topDb)
        return sample.data.withUnsafeBufferPointer { b -> Double in
            var total = 0.0, count = 0
            // Runs of active samples, summed in the fixed order of `sumOfSquares`.
            var i = 0
            while i < n {
                guard active[i] else { i += 1; continue }
                var j = i
                while j < n && active[j] { j += 1 }
                for c in 0..<channels { total += PixelLoops.sumOfSquares(b.baseAddress! + c * n + i, j - i) }
                count += j - i
                i = j
            }
            return count == 0 ? 0 : (total / Double(count * channels)).squareRoot()
        }
    }

    /// Per sample, whether it lies in a non-silent frame: `librosa.feature.rms` (centred,
    /// zero-padded frames), `amplitude_to_db(ref=np.max)` with its 1e-5 floor, the loudest
    /// channel per frame, `db > -top_db`, and frame t covering samples [t·hop, (t+1)·hop) as
    /// `split` maps its intervals.
    static func activeMask(_ data: Tensor, channels: Int, frames n: Int, topDb: Float) -> [Bool] {
        let fl = frameLength, hop = hopLength, half = fl / 2
        let count = 1 + n / hop
        var frameMS = [Double](repeating: 0, count: count)
        data.withUnsafeBufferPointer { b in
            var prefix = [Double](repeating: 0, count: n + 1)
            for c in 0..<channels {
                let x = b.baseAddress! + c * n
                for i in 0..<n { prefix[i + 1] = prefix[i] + Double(x[i]) * Double(x[i]) }
                for t in 0..<count {
                    let lo = Swift.max(0, t * hop - half), hi = Swift.min(n, t * hop - half + fl)
                    let ms = hi > lo ? (prefix[hi] - prefix[lo]) / Double(fl) : 0
                    frameMS[t] = Swift.max(frameMS[t], ms)
                }
            }
        }
        // amplitude_to_db(rms, ref=max) = 10·log10(max(1e-10, ms)) − 10·log10(max(1e-10, max ms)).
        let ref = Foundation.log10(Swift.max(1e-10, frameMS.max() ?? 0))
        let floorDb = -Double(topDb) / 10
        var mask = [Bool](repeating: false, count: n)
        for t in 0..<count where Foundation.log10(Swift.max(1e-10, frameMS[t])) - ref > floorDb {
            let lo = t * hop, hi = Swift.min(n, lo + hop)
            if lo < hi { for i in lo..<hi { mask[i] = true } }
        }
        return mask
    }
}
