import Foundation
import PerceptCore

/// Every layer type by name: pipeline files, the CLI and `Checkpoint.loadModel` build layers
/// through it (Swift code can call each layer's typed initialiser, `Conv2D(outChannels: 32, kernelSize: 5)`,
/// instead). Register your own layer type to use it in files and reload it from checkpoints.
///
///     LayerRegistry.shared.register(MyLayer.self)
///     let layer = try LayerRegistry.make("conv2d", ["out_channels": 32, "kernel_size": 5])
public enum LayerRegistry {
    public static let shared: Registry<any Layer> = {
        let r = Registry<any Layer>(kind: "layer")
        for t: any Layer.Type in [Conv2D.self, Dense.self, MaxPool2D.self, AvgPool2D.self, GlobalAvgPool.self, Flatten.self, Dropout.self,
                                  ReLU.self, LeakyReLU.self, ELU.self, Sigmoid.self, Tanh.self, Softmax.self, Maxout.self,
                                  LSTM.self, GRU.self, Conv1D.self, BatchNorm1D.self, BatchNorm2D.self, Residual.self, ToSequence.self] {
            r.register(t)
        }
        return r
    }()

    /// Builds a layer from its name and options; unknown names and options are clear errors.
    public static func make(_ name: String, _ values: [String: Value] = [:], naming: Parameters.Naming = .yaml,
                            path: String? = nil, origin: Origin = .code) throws -> any Layer {
        try shared.make(name, values, naming: naming, path: path, origin: origin)
    }
}

extension Registry where Product == any Layer {
    /// Registers a layer type, built through its `init(_ params:)`.
    public func register(_ type: any Layer.Type) {
        func add<L: Layer>(_ t: L.Type) { register(t) { try L($0) } }
        add(type)
    }
}

/// A layer's description: its registry name and options, as written in a pipeline file and
/// recorded in checkpoints.
///
///     LayerSpec("conv2d", ["out_channels": 32, "kernel_size": 5])
public struct LayerSpec: Codable, Sendable, Equatable {
    public var type: String
    public var values: [String: Value]
    public init(_ type: String, _ values: [String: Value] = [:]) { self.type = type; self.values = values }

    /// Same type and same values as written (`8` and `"8"` are the same option value).
    public static func == (a: LayerSpec, b: LayerSpec) -> Bool {
        a.type == b.type && a.values.mapValues(\.canonical) == b.values.mapValues(\.canonical)
    }

    /// Builds the layer.
    public func make() throws -> any Layer { try LayerRegistry.make(type, values) }
}

extension LayerSpec {
    /// A layer list as written in a file or built in code: each item is a name (`relu`) or a
    /// one-key map of name to options (`{conv2d: {out_channels: 8, kernel_size: 3}}`).
    /// `path` names the list in errors (`models.cnn.layers`), items as `path[i]`.
    ///
    ///     let specs = try LayerSpec.list(["flatten", ["dense": ["out_features": 10]]], path: "layers")
    public static func list(_ value: Value, path: String) throws -> [LayerSpec] {
        guard let items = value.items else {
            throw PerceptError.invalidArgument(field: path + value.origin.suffix, "expected a list of layers, got \(value)")
        }
        return try items.enumerated().map { try item($0.element, path: "\(path)[\($0.offset)]") }
    }

    /// One item of a layer list.
    public static func item(_ v: Value, path: String) throws -> LayerSpec {
        let (name, options) = try componentItem(v, path: path)
        return LayerSpec(name, options)
    }

    /// The layer list as a value (how `residual` records its body).
    public static func value(_ specs: [LayerSpec]) -> Value {
        Value(.list(specs.map { s in s.values.isEmpty ? Value(.string(s.type)) : Value(.map([.init(s.type, Value(.map(s.values.keys.sorted().map { .init($0, s.values[$0]!) })))])) }))
    }
}
