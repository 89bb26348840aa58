import Foundation
import PerceptCore

/// The drawn parameters of one stage on one sample: what to log, and what `replay` applies.
/// Encodes as `{"stage": "gain", "applied": true, "params": {"gain_db": -3.2}}`.
///
///     let json = try JSONEncoder().encode(chain.draw(for: sample.shape, seed: 1, epoch: 0, index: 7))
public struct StageDraw: Sendable, Codable, Equatable, CustomStringConvertible {
    public let stage: String
    public let applied: Bool
    /// The stage's `Params` value; nil when the stage did not run.
    public let params: (any Codable & Sendable)?

    public init(stage: String, applied: Bool, params: (any Codable & Sendable)?) {
        self.stage = stage; self.applied = applied; self.params = params
    }

    enum CodingKeys: String, CodingKey { case stage, applied, params }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(stage, forKey: .stage)
        try c.encode(applied, forKey: .applied)
        if let params { try params.encode(to: c.superEncoder(forKey: .params)) }
    }

    /// Decodes the parameters with the type of the stage the record names (looked up in `StageRegistry`).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        stage = try c.decode(String.self, forKey: .stage)
        applied = try c.decode(Bool.self, forKey: .applied)
        guard applied, c.contains(.params) else { params = nil; return }
        let sub = try c.superDecoder(forKey: .params)
        let type = StageRegistry.shared.entry(named: stage)?.info.type
        if let t = type as? any AugmentationStage.Type {
            params = try StageDraw.decode(t, sub)
        } else if let t = type as? any BatchAugmentationStage.Type {
            params = try StageDraw.decodeBatch(t, sub)
        } else {
            throw PerceptError.invalidArgument(field: stage, "unknown augmentation stage in the replayed record")
        }
    }

    private static func decode<S: AugmentationStage>(_ t: S.Type, _ d: Decoder) throws -> any Codable & Sendable {
        try S.Params(from: d)
    }

    private static func decodeBatch<S: BatchAugmentationStage>(_ t: S.Type, _ d: Decoder) throws -> any Codable & Sendable {
        try S.Params(from: d)
    }

    /// JSON text with sorted keys (stable, so equal draws give equal text).
    public var json: String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return (try? e.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    public var description: String { json }

    public static func == (a: StageDraw, b: StageDraw) -> Bool { a.json == b.json }
}
