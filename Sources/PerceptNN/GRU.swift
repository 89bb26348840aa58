import PerceptCore

/// Gated recurrent unit over a sequence `[T, input_size]` (PyTorch `nn.GRU`, `batch_first`).
///
/// Per frame: r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
/// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}.
/// Gate order in `weight_ih_l0` `[3H, I]`, `weight_hh_l0` `[3H, H]` and the biases is PyTorch's
/// (r, z, n), so weights copy to and from `nn.GRU` unchanged. Biases start at 0. Options and
/// outputs as for `lstm`.
///
///     let gru = try LayerRegistry.make("gru", ["hidden_size": "64", "return_sequences": "true"])
public final class GRU: Layer, MaskConsumer {
    public static let typeName = "gru"
    public static let summary = "GRU over [frames, features] (PyTorch nn.GRU, gates r, z, n)"
    public static let parameters: [ParameterSpec] = RecurrentOptions.specs
    public let values: [String: String]
    public var mask: SequenceMask?
    let engine: RecurrentEngine

    public init(_ params: Parameters) throws {
        values = params.values
        engine = try RecurrentEngine(kind: .gru, owner: Self.typeName, params)
    }

    public var hiddenSize: Int { engine.hidden }
    public var maskFrames: Int { engine.frames }
    public var weights: [Param] { engine.params }

    public func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] {
        try engine.build(inputShape: inputShape, rng: &rng)
    }

    public func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float> {
        engine.forward(x, batch: batch, lengths: mask?.lengths(onAxisOf: engine.frames, batch: batch))
    }

    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        engine.backward(dy, batch: batch, inputGradient: inputGradient)
    }
}
