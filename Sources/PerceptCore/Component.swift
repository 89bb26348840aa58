/// A named part of Percept — a feature or transform stage, an augmentation, a layer, a loss, an
/// optimizer, a learning-rate schedule, a metric — that files and the CLI build by name.
///
/// Each component is one small type in one file: its name, a one-line summary and its parameter
/// specs, registered in its kind's `Registry`. Library users call its typed initialiser instead.
///
///     struct Swish: Component { static let name = "swish"; static let summary = "x·σ(x)"; static let parameters: [ParameterSpec] = [] }
public protocol Component {
    /// snake_case registry name (`conv2d`, `horizontal_flip`).
    static var name: String { get }
    /// One line for `percept list` and the docs.
    static var summary: String { get }
    /// Every option, reference-library names in snake_case; defaults live here only.
    static var parameters: [ParameterSpec] { get }
    /// Other accepted names (PyTorch class names lower-cased, say).
    static var aliases: [String] { get }
}

extension Component {
    public static var aliases: [String] { [] }

    /// Checks `values` against this component's specs.
    ///
    ///     let p = try Gain.parameters(["min_gain_db": -6])
    public static func parameters(_ values: [String: Value]) throws -> Parameters {
        try Parameters(owner: name, specs: parameters, values: values)
    }
}
