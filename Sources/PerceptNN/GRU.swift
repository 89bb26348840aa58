import PerceptCore

/// Gated recurrent unit over a sequence `[T, input_size]` (PyTorch `nn.GRU`, `batch_first`).
///
/// Per frame: r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
/// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}.
/// Gate order in `weight_ih_l0` `[3H, I]`, `weight_hh_l0` `[3H, H]` and the biases is PyTorch's
/// (r, z, n), so weights copy to and from `nn.GRU` unchanged. Biases start at 0. Options and
/// outputs as for `lstm`.
///
///     let gru = try GRU(hiddenSize: 64, returnSequences: true)
public final class GRU: RecurrentLayer, Layer {
    public static let name = "gru", summary = "GRU over [frames, features] (PyTorch nn.GRU, gates r, z, n)"
    public static let parameters: [ParameterSpec] = RecurrentOptions.specs

    public required init(_ params: Parameters) throws { try super.init(params, kind: .gru, owner: Self.name) }

    /// The typed form (PyTorch `nn.GRU` names); nil means the spec default.
    ///
    ///     let gru = try GRU(hiddenSize: 64, numLayers: 2, bidirectional: true)
    public convenience init(hiddenSize: Int, inputSize: Int? = nil, numLayers: Int? = nil, bidirectional: Bool? = nil,
                            returnSequences: Bool? = nil, bias: Bool? = nil, dropout: Float? = nil,
                            initializer: Initializer? = nil) throws {
        try self.init(Self.parameters(RecurrentOptions.given(hiddenSize, inputSize, numLayers, bidirectional, returnSequences, bias, dropout, initializer)))
    }
}
