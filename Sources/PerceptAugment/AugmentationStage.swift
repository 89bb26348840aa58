import PerceptCore

/// One per-sample augmentation: it draws all its random parameters in one step (`draw`), so
/// they can be logged as JSON and replayed, then applies them in another (`apply`).
///
/// A stage is built in Swift by its typed initialiser (the reference library's option names in
/// camelCase, nil for the spec default) or from named options (`init(_:)`, the names in
/// snake_case, as AUG.yaml and `StageRegistry` give them); both check the same specs. It runs
/// with probability `p`; the chain decides whether it runs.
///
///     let flip = try HorizontalFlip(p: 1)
///     var rng = RandomStream(seed: 1); let params = flip.draw(rng: &rng, shape: sample.shape)
///     try flip.apply(params, to: &sample)
public protocol AugmentationStage: Sendable, Component {
    /// The drawn random parameters of one application (Codable, so they can be logged and replayed).
    associatedtype Params: Codable & Sendable & Equatable
    /// The kind of sample the stage accepts.
    static var kind: SampleKind { get }
    /// Probability that the stage runs on a sample.
    var p: Float { get }
    /// Validates every option (errors name `stage.field`).
    init(_ params: Parameters) throws
    /// The output shape for an input shape; throws when the stage cannot handle it
    /// (a crop larger than the image). Called before anything runs, so errors come early.
    func outputShape(for shape: SampleShape) throws -> SampleShape
    /// The output shape once the parameters are known (a time stretch's length); defaults to
    /// `outputShape(for:)`.
    func outputShape(for shape: SampleShape, params: Params) -> SampleShape
    /// Draws every random parameter of one application.
    func draw(rng: inout RandomStream, shape: SampleShape) -> Params
    /// Applies drawn parameters (deterministic: no randomness beyond `params`).
    func apply(_ params: Params, to sample: inout Sample) throws
    /// What happens when the `p` gate says no: nothing, except for stages whose output shape
    /// must not depend on the gate (a resized crop still resizes).
    func skip(_ sample: inout Sample) throws
}

extension AugmentationStage {
    /// Most stages keep the shape of the kind of sample they take.
    public func outputShape(for shape: SampleShape) throws -> SampleShape { try checkKind(shape); return shape }
    public func skip(_ sample: inout Sample) throws {}
    public func outputShape(for shape: SampleShape, params: Params) -> SampleShape { (try? outputShape(for: shape)) ?? shape }

    /// Draw (with the `p` gate) from a stage's own stream, as a loggable record, and the
    /// shape the stage will output.
    func drawRecord(_ stream: RandomStream, shape: SampleShape) throws -> (StageDraw, SampleShape) {
        var r = stream
        let fixed = try outputShape(for: shape)
        guard r.uniform() < p else { return (StageDraw(stage: Self.name, applied: false, params: nil), fixed) }
        let params = draw(rng: &r, shape: shape)
        return (StageDraw(stage: Self.name, applied: true, params: params), outputShape(for: shape, params: params))
    }

    /// Applies a record drawn by this stage type.
    func applyRecord(_ record: StageDraw, to sample: inout Sample) throws {
        guard record.stage == Self.name else {
            throw PerceptError.invalidArgument(field: Self.name, "the replayed record is for stage '\(record.stage)'")
        }
        guard record.applied else { try skip(&sample); return }
        guard let params = record.params as? Params else {
            throw PerceptError.invalidArgument(field: Self.name, "the replayed record has no parameters")
        }
        try apply(params, to: &sample)
    }

    /// Draw and apply without building a record (the training fast path).
    func run(_ stream: RandomStream, on sample: inout Sample) throws {
        var r = stream
        guard r.uniform() < p else { try skip(&sample); return }
        let params = draw(rng: &r, shape: sample.shape)
        try apply(params, to: &sample)
    }

    /// Rejects samples of another kind.
    func checkKind(_ shape: SampleShape) throws {
        // The same sentence transforms give, vectors included.
        guard shape.kind == Self.kind else { throw SampleKind.mismatch(stage: Self.name, accepts: [Self.kind], got: shape.kind) }
    }
}

/// The drawn parameters of a stage that draws nothing besides its `p` gate (flips, polarity inversion).
public struct NoParams: Codable, Sendable, Equatable { public init() {} }

extension AugmentationStage where Params == NoParams {
    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params { NoParams() }

    /// For stages whose only option is `p`: nil takes the default in `parameters`.
    ///
    ///     let flip = try HorizontalFlip(p: 1)
    public init(p: Float? = nil) throws { try self.init(Self.parameters(["p": .given(p)])) }
}
