import Foundation
import PerceptCore

/// Adds coloured noise at a signal-to-noise ratio drawn uniformly in dB (audiomentations
/// `AddColorNoise`): Gaussian noise per channel, convolved ('same') with a random-phase FIR whose
/// magnitude at the `n_fft` rfft bins is √(1/f^β), β = −f_decay / (10·log10 2), then scaled to
/// RMS 1 over all channels (white noise, f_decay 0, is left as drawn); its RMS is then
/// signal RMS / 10^(snr/20). f_decay is drawn in [min_f_decay, max_f_decay] dB/octave, or fixed
/// by `color`: white 0, pink −3.01, brown −6.02, blue 3.01, violet 6.02. audiomentations'
/// A-weighting (`p_apply_a_weighting`) is not offered.
///
///     let noise = try AddColorNoise(minSnrDb: 5, maxSnrDb: 30, color: .pink, p: 1)
///     add_color_noise: {color: pink, min_snr_db: 5, max_snr_db: 30}     # the same stage in AUG.yaml
public struct AddColorNoise: AugmentationStage {
    public static let name = "add_color_noise", kind = SampleKind.audio,
        summary = "coloured noise (white, pink, brown, blue, violet: a spectral slope in dB/octave) at a random SNR (dB)"
    public static let parameters = [
        ParameterSpec("min_snr_db", .float, default: 5, doc: "lowest SNR in dB"),
        ParameterSpec("max_snr_db", .float, default: 40, doc: "highest SNR in dB"),
        ParameterSpec("min_f_decay", .float, default: -6, doc: "lowest spectral slope of the noise's power in dB/octave"),
        ParameterSpec("max_f_decay", .float, default: 6, doc: "highest spectral slope of the noise's power in dB/octave"),
        ParameterSpec("color", .choice, choices: Color.allCases.map(\.rawValue),
                      doc: "a fixed colour instead of the f_decay range: white 0, pink -3.01, brown -6.02, blue 3.01, violet 6.02 dB/octave"),
        ParameterSpec("n_fft", .int, default: 128, doc: "bins of the filter that shapes the noise (its length; ≥ 4)"),
        ParameterSpec("p", .float, default: 0.5, doc: "probability of adding noise"),
    ] + SignalPower.specs

    /// The named noise colours and their slopes in dB/octave (±10·log10 2 per unit of β).
    public enum Color: String, CaseIterable, Sendable {
        case white, pink, brown, blue, violet
        public var fDecay: Float {
            let unit = Float(10 * Foundation.log10(2.0))
            switch self {
            case .white: return 0
            case .pink: return -unit
            case .brown: return -2 * unit
            case .blue: return unit
            case .violet: return 2 * unit
            }
        }
    }

    public let p: Float
    let snrRange: (Float, Float), decayRange: (Float, Float)
    public let nFft: Int
    public let signalPower: SignalPower

    public init(_ params: Parameters) throws {
        p = try params.probability()
        snrRange = try params.range("min_snr_db", "max_snr_db", within: StageBounds.decibels)
        if params.isSet("color") {
            for other in ["min_f_decay", "max_f_decay"] where params.isSet(other) {
                throw params.invalid(other, "cannot be given with color (the colour fixes f_decay)")
            }
            let d = try params.choice("color", as: Color.self).fDecay
            decayRange = (d, d)
        } else {
            // ±12 dB/octave is f^∓4 in power: steeper slopes overflow Float32 filters at high rates.
            decayRange = try params.range("min_f_decay", "max_f_decay", within: -12...12)
        }
        // The filter costs n_fft²/2 and convolves n_fft taps per sample.
        nFft = try params.int("n_fft", within: 4...4096)
        signalPower = try SignalPower.option(params)
    }

    /// Options left nil take the defaults in `parameters`; invalid values throw as in AUG.yaml.
    ///
    ///     let brown = try AddColorNoise(minSnrDb: 10, maxSnrDb: 10, color: .brown, p: 1)
    public init(minSnrDb: Float? = nil, maxSnrDb: Float? = nil, minFDecay: Float? = nil, maxFDecay: Float? = nil,
                color: Color? = nil, nFft: Int? = nil, p: Float? = nil, signalPower: SignalPower? = nil) throws {
        let v: [String: Value] = ["min_snr_db": .given(minSnrDb), "max_snr_db": .given(maxSnrDb), "min_f_decay": .given(minFDecay),
                                  "max_f_decay": .given(maxFDecay), "color": .given(color?.rawValue), "n_fft": .given(nFft), "p": .given(p)]
        try self.init(Self.parameters(v.merging(SignalPower.values(signalPower)) { a, _ in a }))
    }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params {
        let snr = rng.uniform(snrRange.0, snrRange.1)
        let decay = decayRange.0 == decayRange.1 ? decayRange.0 : rng.uniform(decayRange.0, decayRange.1)
        return Params(snrDb: snr, fDecay: decay, seed: rng.nextUInt32())
    }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        let rms = signalPower.rms(of: sample)
        guard rms > 0 else { return }
        let std = Float(rms / Foundation.pow(10.0, Double(params.snrDb) / 20))
        let noise = Self.noise(channels: sample.shape.channels, frames: sample.shape.width, fDecay: params.fDecay,
                               sampleRate: sample.sampleRate, nFft: nFft, seed: params.seed)
        sample.data.withUnsafeMutableBufferPointer { b in
            for i in 0..<b.count { b[i] += std * noise[i] }
        }
    }

    /// Noise `[channels · frames]` with the slope `fDecay` dB/octave and RMS 1 (white noise as
    /// drawn, N(0, 1)), as audiomentations' `generate_decaying_white_noise`.
    static func noise(channels: Int, frames n: Int, fDecay: Float, sampleRate: Int, nFft: Int, seed: UInt32) -> [Float] {
        var white = GaussianField.values(count: channels * n, seed: seed)
        guard fDecay != 0, n > 0 else { return white }
        let ir = filter(fDecay: fDecay, sampleRate: sampleRate, nFft: nFft, seed: seed)
        let taps = ir.count, lead = (taps - 1) / 2
        var out = [Float](repeating: 0, count: channels * n)
        white.withUnsafeMutableBufferPointer { w in
            out.withUnsafeMutableBufferPointer { o in
                // scipy 'same': full convolution y[k] = Σ_j h[j] x[k − j], kept from k = lead.
                for c in 0..<channels {
                    let x = w.baseAddress! + c * n, y = o.baseAddress! + c * n
                    for j in 0..<taps {
                        let h = ir[j], shift = j - lead   // y[i] += h[j] · x[i − shift]
                        let lo = Swift.max(0, shift), hi = Swift.min(n, n + shift)
                        if lo < hi { for i in lo..<hi { y[i] += h * x[i - shift] } }
                    }
                }
            }
        }
        let ms = out.withUnsafeBufferPointer { PixelLoops.rms($0) }
        guard ms > 0 else { return out }
        let scale = Float(1 / ms)
        for i in 0..<out.count { out[i] *= scale }
        return out
    }

    /// The shaping filter: `irfft(√(f^−β) · e^{iφ})` over `rfftfreq(n_fft, 1/sr)` with f[0] = 1 and
    /// uniform random phases φ; numpy's irfft length 2·(n_fft/2) and its dropping of the DC and
    /// Nyquist imaginary parts.
    static func filter(fDecay: Float, sampleRate: Int, nFft: Int, seed: UInt32) -> [Float] {
        let beta = -Double(fDecay) / (10 * Foundation.log10(2.0))
        let bins = nFft / 2 + 1, len = 2 * (bins - 1)
        // The phases come from a stream apart from the noise's (which GaussianField keys on the seed).
        var rng = RandomStream(seed: UInt64(seed)).split(1)
        var re = [Double](repeating: 0, count: bins), im = [Double](repeating: 0, count: bins)
        for k in 0..<bins {
            let f = k == 0 ? 1 : Double(k) * Double(sampleRate) / Double(nFft)
            let mag = (1 / Foundation.pow(f, beta)).squareRoot()
            let phi = Double(rng.uniform()) * 2 * Double.pi
            re[k] = mag * Foundation.cos(phi); im[k] = mag * Foundation.sin(phi)
        }
        var ir = [Float](repeating: 0, count: len)
        for t in 0..<len {
            var acc = re[0] + (t % 2 == 0 ? re[bins - 1] : -re[bins - 1])
            for k in 1..<(bins - 1) {
                let a = 2 * Double.pi * Double(k * t) / Double(len)
                acc += 2 * (re[k] * Foundation.cos(a) - im[k] * Foundation.sin(a))
            }
            ir[t] = Float(acc / Double(len))
        }
        return ir
    }

    /// The drawn parameters of one application (logged and replayed as JSON).
    public struct Params: Codable, Sendable, Equatable {
        public var snrDb: Float; public var fDecay: Float; public var seed: UInt32
        public init(snrDb: Float, fDecay: Float, seed: UInt32) { self.snrDb = snrDb; self.fDecay = fDecay; self.seed = seed }
    }
}
