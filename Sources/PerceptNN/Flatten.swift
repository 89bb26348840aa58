import PerceptCore

/// Reshapes each sample to one dimension in C order (`[C, H, W]` → `[C·H·W]`, as PyTorch `nn.Flatten`).
/// Costs nothing: the batch memory is already in that order.
///
///     let flat = Flatten()
public final class Flatten: Layer {
    public static let name = "flatten", summary = "reshape each sample to one dimension"
    public static let parameters: [ParameterSpec] = []
    public let values: [String: Value]

    public init(_ params: Parameters) throws { values = params.values }

    /// No options: the same as the registry builds from an empty option list.
    public init() { values = [:] }

    public func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] { [Tensor.count(of: inputShape)] }

    public func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float> { x }

    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        inputGradient ? dy : nil
    }
}
