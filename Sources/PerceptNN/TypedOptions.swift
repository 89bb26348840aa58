import PerceptCore

/// PyTorch's int-or-tuple option (`kernel_size`, `stride`, `dilation`) in the typed API:
/// write `5` for both sides or `[3, 5]` for (height, width), as in a pipeline file.
///
///     let conv = try Conv2D(outChannels: 8, kernelSize: [3, 5], stride: 2)
public struct IntPair: Sendable, Equatable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    /// The option as written: one number or a two-number list.
    public let value: Value

    /// One size for both sides.
    public init(_ k: Int) { value = .of(k) }
    /// (height, width).
    public init(_ h: Int, _ w: Int) { value = .of(h, w) }
    public init(integerLiteral k: Int) { self.init(k) }
    /// `[k]` or `[h, w]`; other lengths are kept, so the layer reports them like a file's would be.
    public init(arrayLiteral items: Int...) { value = Value(.list(items.map(Value.of))) }
}

/// A convolution's `padding` in the typed API: `.valid`, `.same`, a size `2` or `[1, 2]` (height, width).
///
///     let conv = try Conv2D(outChannels: 8, kernelSize: 3, padding: .same)
public struct ConvPadding: Sendable, Equatable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    public let value: Value

    /// No padding.
    public static let valid = ConvPadding(value: "valid")
    /// Output as large as the input (stride 1).
    public static let same = ConvPadding(value: "same")

    private init(value: Value) { self.value = value }
    public init(_ p: Int) { value = .of(p) }
    public init(_ h: Int, _ w: Int) { value = .of(h, w) }
    public init(integerLiteral p: Int) { self.init(p) }
    public init(arrayLiteral items: Int...) { value = Value(.list(items.map(Value.of))) }
}

extension IntPair: OptionValue { public var optionValue: Value { value } }
extension ConvPadding: OptionValue { public var optionValue: Value { value } }
extension Initializer: OptionValue {}
