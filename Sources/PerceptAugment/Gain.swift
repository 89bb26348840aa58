import Foundation
import PerceptCore

/// Multiplies the audio by 10^(g/20) with g drawn in dB (audiomentations `Gain`).
///
///     let gain = try Gain(minGainDb: -6, maxGainDb: 6, p: 0.5)
///     gain: {min_gain_db: -6, max_gain_db: 6, p: 0.5}     # the same stage in AUG.yaml
public struct Gain: AugmentationStage {
    public static let name = "gain", kind = SampleKind.audio, summary = "random gain in dB"
    public static let parameters = [
        ParameterSpec("min_gain_db", .float, default: -12, doc: "lowest gain in dB"),
        ParameterSpec("max_gain_db", .float, default: 12, doc: "highest gain in dB"),
        ParameterSpec("p", .float, default: 0.5, doc: "probability of changing the gain"),
    ]
    public let p: Float
    let range: (Float, Float)

    public init(_ params: Parameters) throws {
        p = try params.probability()
        range = try params.range("min_gain_db", "max_gain_db", within: StageBounds.decibels)
    }

    /// Options left nil take the defaults in `parameters`; invalid values throw as in AUG.yaml.
    ///
    ///     let gain = try Gain(minGainDb: -6, maxGainDb: 6, p: 1)
    public init(minGainDb: Float? = nil, maxGainDb: Float? = nil, p: Float? = nil) throws {
        try self.init(Self.parameters(["min_gain_db": .given(minGainDb), "max_gain_db": .given(maxGainDb), "p": .given(p)]))
    }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params { Params(gainDb: rng.uniform(range.0, range.1)) }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        let a = Float(Foundation.pow(10.0, Double(params.gainDb) / 20))
        sample.data = PixelLoops.rewritten(sample.data) { src, dst, n in PixelLoops.scaleShift(src, dst, n, a, 0, clip: false) }
    }

    /// The drawn parameters of one application (logged and replayed as JSON).
    public struct Params: Codable, Sendable, Equatable { public var gainDb: Float; public init(gainDb: Float) { self.gainDb = gainDb } }
}
