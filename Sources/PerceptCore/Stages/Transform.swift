/// A deterministic stage over samples: a feature (spectrogram, MFCC, HOG), a resize or a
/// length fix. Built from named options like every component, it reports its output shape
/// from its input shape before anything runs, so a chain of stages fails early and clearly.
///
///     let mel = try TransformRegistry.shared.make("melspectrogram", ["n_mels": 64])
///     let out = try mel.apply(try Sample(audio: y, sampleRate: 16000))
public protocol Transform: Component, Sendable {
    /// The kinds of sample the stage takes.
    static var accepts: [SampleKind] { get }
    /// Validates every option (errors name the field as it was written).
    init(_ params: Parameters) throws
    /// The output shape for an input shape; throws when the stage cannot take it (wrong kind,
    /// too short for one frame).
    func outputShape(for shape: SampleShape) throws -> SampleShape
    /// The stage's output for one sample.
    func apply(_ sample: Sample) throws -> Sample
}

extension Transform {
    /// Rejects a sample of a kind the stage does not take:
    /// `melspectrogram: works on audio, but the input is an image`.
    public func checkKind(_ shape: SampleShape) throws {
        guard Self.accepts.contains(shape.kind) else { throw SampleKind.mismatch(stage: Self.name, accepts: Self.accepts, got: shape.kind) }
    }
}
