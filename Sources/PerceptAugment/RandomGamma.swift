import Foundation
import PerceptCore

/// x ← x^γ with γ = U(gamma_limit) / 100 (albumentations `RandomGamma`).
///
///     let gamma = try RandomGamma(gammaLimit: (80, 120))
///     random_gamma: {gamma_limit: [80, 120]}     # the same stage in AUG.yaml
public struct RandomGamma: AugmentationStage {
    public static let name = "random_gamma", kind = SampleKind.image, summary = "random gamma curve"
    public static let parameters = [
        ParameterSpec("gamma_limit", .floatPair, default: [80, 120], doc: "gamma range in percent"),
        ParameterSpec("p", .float, default: 0.5, doc: "probability of changing"),
    ]
    public let p: Float
    let limit: (Float, Float)

    public init(_ params: Parameters) throws {
        p = try params.probability()
        limit = try params.floatPair("gamma_limit")
        guard limit.0 > 0 else { throw params.invalid("gamma_limit", "must be > 0, got \(fmt(limit.0))") }
        // Percent: γ up to 100 (x^100 is black but for white); the bound keeps draws finite.
        guard limit.1 <= 10_000 else { throw params.invalid("gamma_limit", "\(fmt(limit.1)) is outside (0, 10000]") }
    }

    /// Options left nil take the defaults in `parameters`; invalid values throw as in AUG.yaml.
    ///
    ///     let gamma = try RandomGamma(gammaLimit: (70, 150), p: 1)
    public init(gammaLimit: (Float, Float)? = nil, p: Float? = nil) throws {
        try self.init(Self.parameters(["gamma_limit": .given(gammaLimit), "p": .given(p)]))
    }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params { Params(gamma: rng.uniform(limit.0, limit.1) / 100) }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        let g = params.gamma
        sample.data.withUnsafeMutableBufferPointer { b in
            for i in b.indices { b[i] = b[i] > 0 ? Foundation.pow(b[i], g) : 0 }
        }
    }

    /// The drawn parameters of one application (logged and replayed as JSON).
    public struct Params: Codable, Sendable, Equatable { public var gamma: Float; public init(gamma: Float) { self.gamma = gamma } }
}
