import PerceptCore

/// Weight initialisation schemes (PyTorch's `torch.nn.init` formulas), drawn from a seeded
/// `RandomStream` so a model built twice with the same seed is identical. Biases start at zero.
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
    /// PyTorch's layer default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    case torchDefault = "torch_default"

    static let spec = ParameterSpec("init", .choice, default: "kaiming_uniform", choices: allCases.map(\.rawValue),
                                    doc: "weight initialisation (biases start at zero)")

    /// The scheme named by a layer's `init` option (its spec default when not given).
    static func option(_ params: Parameters) throws -> Initializer {
        let name = try params.string("init")
        guard let i = Initializer(rawValue: name) else { throw params.invalid("init", "'\(name)' is not one of \(allCases.map(\.rawValue).joined(separator: ", "))") }
        return i
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
