import Foundation
import PerceptCore

/// Adds white Gaussian noise at a signal-to-noise ratio drawn uniformly in dB
/// (audiomentations `AddGaussianSNR`): noise RMS = signal RMS / 10^(snr/20), the signal RMS
/// taken over all channels (over the active part only with `signal_power: active`, see
/// `SignalPower`). Silent input stays silent.
///
///     let noise = try AddGaussianSNR(minSnrDb: 5, maxSnrDb: 40)
///     add_gaussian_snr: {min_snr_db: 5, max_snr_db: 40}     # the same stage in AUG.yaml
public struct AddGaussianSNR: AugmentationStage {
    public static let name = "add_gaussian_snr", kind = SampleKind.audio, summary = "white noise at a random SNR (dB)"
    public static let parameters = [
        ParameterSpec("min_snr_db", .float, default: 5, doc: "lowest SNR in dB"),
        ParameterSpec("max_snr_db", .float, default: 40, doc: "highest SNR in dB"),
        ParameterSpec("p", .float, default: 0.5, doc: "probability of adding noise"),
    ] + SignalPower.specs
    public let p: Float
    let range: (Float, Float)
    public let signalPower: SignalPower

    public init(_ params: Parameters) throws {
        p = try params.probability()
        range = try params.range("min_snr_db", "max_snr_db", within: StageBounds.decibels)
        signalPower = try SignalPower.option(params)
    }

    /// Options left nil take the defaults in `parameters`; invalid values throw as in AUG.yaml.
    ///
    ///     let noise = try AddGaussianSNR(minSnrDb: 10, maxSnrDb: 30, p: 1)
    public init(minSnrDb: Float? = nil, maxSnrDb: Float? = nil, p: Float? = nil, signalPower: SignalPower? = nil) throws {
        let v: [String: Value] = ["min_snr_db": .given(minSnrDb), "max_snr_db": .given(maxSnrDb), "p": .given(p)]
        try self.init(Self.parameters(v.merging(SignalPower.values(signalPower)) { a, _ in a }))
    }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params {
        let snr = rng.uniform(range.0, range.1)
        return Params(snrDb: snr, seed: rng.nextUInt32())
    }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        let rms = signalPower.rms(of: sample)
        guard rms > 0 else { return }
        let std = Float(rms / Foundation.pow(10.0, Double(params.snrDb) / 20))
        sample.data = PixelLoops.rewritten(sample.data) { src, dst, n in
            GaussianField.add(src, into: dst, count: n, seed: params.seed, std: std)
        }
    }

    /// The drawn parameters of one application (logged and replayed as JSON).
    public struct Params: Codable, Sendable, Equatable { public var snrDb: Float; public var seed: UInt32; public init(snrDb: Float, seed: UInt32) { self.snrDb = snrDb; self.seed = seed } }
}
