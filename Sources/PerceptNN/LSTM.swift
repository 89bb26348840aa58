import PerceptCore

/// Long short-term memory over a sequence `[T, input_size]` (PyTorch `nn.LSTM`, `batch_first`).
///
/// Per frame, with σ the logistic function:
/// i = σ(W_ii x + b_ii + W_hi h + b_hi), f = σ(W_if x + b_if + W_hf h + b_hf),
/// g = tanh(W_ig x + b_ig + W_hg h + b_hg), o = σ(W_io x + b_io + W_ho h + b_ho),
/// c_t = f ⊙ c_{t-1} + i ⊙ g, h_t = o ⊙ tanh(c_t).
///
/// Gate order in `weight_ih_l0` `[4H, I]`, `weight_hh_l0` `[4H, H]` and the biases is PyTorch's:
/// rows `0..<H` input gate i, `H..<2H` forget gate f, `2H..<3H` cell candidate g, `3H..<4H`
/// output gate o, so weights copy to and from `nn.LSTM` unchanged (names too:
/// `weight_ih_l1_reverse`…). The forget-gate part of `bias_ih` starts at 1, the other biases at 0
/// (with `init: torch_default` every bias is drawn as PyTorch draws it).
/// Output: the last state `[H·directions]` (forward state at the last valid frame, reverse state at
/// frame 0, like `h_n`), or every frame `[T, H·directions]` with `return_sequences`.
///
///     let lstm = try LSTM(hiddenSize: 128, bidirectional: true)
public final class LSTM: RecurrentLayer, Layer {
    public static let name = "lstm", summary = "LSTM over [frames, features] (PyTorch nn.LSTM, gates i, f, g, o)"
    public static let parameters: [ParameterSpec] = RecurrentOptions.specs

    public required init(_ params: Parameters) throws { try super.init(params, kind: .lstm, owner: Self.name) }

    /// The typed form (PyTorch `nn.LSTM` names); nil means the spec default.
    ///
    ///     let lstm = try LSTM(hiddenSize: 64, numLayers: 2, bidirectional: true)
    public convenience init(hiddenSize: Int, inputSize: Int? = nil, numLayers: Int? = nil, bidirectional: Bool? = nil,
                            returnSequences: Bool? = nil, bias: Bool? = nil, dropout: Float? = nil,
                            initializer: Initializer? = nil) throws {
        try self.init(Self.parameters(RecurrentOptions.given(hiddenSize, inputSize, numLayers, bidirectional, returnSequences, bias, dropout, initializer)))
    }
}
