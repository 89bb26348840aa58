import PerceptCore

/// Weight initialisation schemes (PyTorch's `torch.nn.init` formulas), drawn from a seeded
/// `RandomStream` so a model built twice with the same seed is identical. Biases start at zero,
/// except with `torch_default`, which draws them as PyTorch's layers do.
///
///     Initializer.kaimingUniform.fill(w, fanIn: 25, fanOut: 800, rng: &rng)
public enum Initializer: String, CaseIterable, Sendable {
    /// U(-a, a), a = sqrt(6 / (fan_in + fan_out)).
    case xavierUniform = "xavier_uniform"
    /// N(0, 2 / (fan_in + fan_out)).
    case xavierNormal = "xavier_normal"
    /// U(-b, b), b = sqrt(6 / fan_in) (He, gain sqrt(2) for ReLU).
    case kaimingUniform = "kaiming_uniform"
    /// N(0, 2 / fan_in).
    case kaimingNormal = "kaiming_normal"
    /// PyTorch's layer default, weights and biases: `nn.Linear` / `nn.Conv1d` / `nn.Conv2d` draw
    /// the weight with kaiming_uniform_(a=√5), which is U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the
    /// bias from the same U(±1/sqrt(fan_in)); `nn.LSTM` / `nn.GRU` draw every weight and bias from
    /// U(±1/sqrt(hidden_size)).
    case torchDefault = "torch_default"

    static let spec = ParameterSpec("init", .choice, default: "kaiming_uniform", choices: allCases.map(\.rawValue),
                                    doc: "weight initialisation (biases start at zero, except torch_default: weights and biases U(±1/sqrt(fan_in)) exactly as PyTorch)")

    /// The scheme named by a layer's `init` option (its spec default when not given).
    static func option(_ params: Parameters) throws -> Initializer {
        let name = try params.string("init")
        guard let i = Initializer(rawValue: name) else { throw params.invalid("init", "'\(name)' is not one of \(allCases.map(\.rawValue).joined(separator: ", "))") }
        return i
    }

    /// Draws a bias after its weight: U(±1/sqrt(fan_in)) for `torch_default` (PyTorch's
    /// `reset_parameters`, fan_in of the weight); the other schemes leave it at zero and draw nothing,
    /// so their weights (and every later layer's) are what they always were.
    ///
    ///     Initializer.torchDefault.fillBias(b, fanIn: 25, rng: &rng)
    public func fillBias(_ p: Param, fanIn: Int, rng: inout RandomStream) {
        guard self == .torchDefault else { return }
        let bound = 1 / Float(Swift.max(fanIn, 1)).squareRoot(), b = p.value.ptr
        for i in 0..<p.count { b[i] = rng.uniform(-bound, bound) }
    }

    public func fill(_ p: Param, fanIn: Int, fanOut: Int, rng: inout RandomStream) {
        let fi = Float(Swift.max(fanIn, 1)), fo = Float(Swift.max(fanOut, 1))
        let w = p.value.ptr
        switch self {
        case .xavierUniform, .kaimingUniform, .torchDefault:
            let bound: Float
            switch self {
            case .xavierUniform: bound = (6 / (fi + fo)).squareRoot()
            case .kaimingUniform: bound = (6 / fi).squareRoot()
            default: bound = 1 / fi.squareRoot()
            }
            for i in 0..<p.count { w[i] = rng.uniform(-bound, bound) }
        case .xavierNormal, .kaimingNormal:
            let std = self == .xavierNormal ? (2 / (fi + fo)).squareRoot() : (2 / fi).squareRoot()
            for i in 0..<p.count { w[i] = rng.normal(mean: 0, std: std) }
        }
    }
}
