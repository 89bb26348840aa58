import PerceptCore
import PerceptNN

/// A model's `tensorboard:` section: what `percept run` logs beside the scalars (which are always
/// written): histograms of which layers' activations, how often, and how many test samples to
/// picture. `tensorboard: false` writes no event files at all.
///
///     models: {cnn: {tensorboard: {histograms: [dense_1], every: 1}, ...}}
public struct TensorBoardSpec: Sendable, Equatable {
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("histograms", .list, doc: "layers whose activations get a histogram each epoch, by name (conv2d_1, dense_1); default: the first dense layer after flatten"),
        ParameterSpec("every", .int, default: 1, doc: "histograms and images every N epochs (and after the last)"),
        ParameterSpec("samples", .int, default: 16, doc: "test samples pictured with their true and predicted class"),
        ParameterSpec("step_scalars", .bool, default: true, doc: "log loss, accuracy and learning rate after every optimizer step, not only per epoch"),
    ]

    public var enabled = true
    /// Layer names as written; nil means the default.
    public var histograms: [String]? = nil
    public var every = 1
    public var samples = 16
    public var stepScalars = true
    public var path = ""
    public var origin = Origin.code

    public init() {}

    static func parse(_ value: Value?, path: String, diagnostics d: Diagnostics) -> TensorBoardSpec {
        var s = TensorBoardSpec()
        s.path = path
        guard let value else { return s }
        s.origin = value.origin
        if case .bool(let on) = value.content { s.enabled = on; return s }
        guard let p = PipelineSpec.mapping(value, specs: parameters, owner: "tensorboard", path: path,
                                           expected: "histograms, every, samples or step_scalars (or true / false)", diagnostics: d) else { return s }
        if p.value("histograms") != nil {
            s.histograms = p.list("histograms").compactMap { v in
                guard let name = v.scalarText else { d.record(p.invalid("histograms", "expected layer names such as dense_1, got \(v)")); return nil }
                return name
            }
        }
        s.every = d.check { try p.int("every", atLeast: 1) } ?? 1
        s.samples = d.check { try p.int("samples", atLeast: 0) } ?? 16
        if s.samples > 256 { d.record(p.invalid("samples", "at most 256 samples are pictured, got \(s.samples)")) }
        s.stepScalars = d.check { try p.bool("step_scalars") } ?? true
        return s
    }

    /// Indices of the layers whose activations are logged: the named ones (an unknown name is an
    /// error listing the model's layer names), or the first dense layer after a flatten, or none.
    func activationLayers(_ model: Sequential) throws -> [Int] {
        let names = LayerNames.of(model)
        guard let wanted = histograms else {
            guard let flatten = model.layers.firstIndex(where: { type(of: $0).name == "flatten" }),
                  let dense = model.layers[flatten...].firstIndex(where: { type(of: $0).name == "dense" }) else { return [] }
            return [dense]
        }
        return try wanted.map { w in
            guard let i = names.firstIndex(of: w) else {
                throw PerceptError.invalidArgument(field: "\(path).histograms" + origin.suffix,
                                                   "no layer named '\(w)'\(didYouMean(w, in: names)); this model's layers are \(names.joined(separator: ", "))")
            }
            return i
        }
    }
}

/// Keras-style layer names: the layer's type and its 1-based count among layers of that type
/// (`conv2d_1`, `relu_1`, `conv2d_2`, `dense_1`). TensorBoard tags and `tensorboard.histograms` use them.
///
///     LayerNames.of(model)   // ["conv2d_1", "relu_1", "maxpool2d_1", ...]
public enum LayerNames {
    public static func of(_ model: Sequential) -> [String] { of(types: model.layers.map { type(of: $0).name }) }

    public static func of(types: [String]) -> [String] {
        var seen: [String: Int] = [:]
        return types.map { t in
            seen[t, default: 0] += 1
            return "\(t)_\(seen[t]!)"
        }
    }
}
