import PerceptCore

/// Every layer type by name, in one place: pipeline files and the CLI build models through it.
///
///     let layer = try LayerRegistry.make("conv2d", ["out_channels": "32", "kernel_size": "5"])
public enum LayerRegistry {
    public static var all: [any Layer.Type] {
        [Conv2D.self, Dense.self, MaxPool2D.self, AvgPool2D.self, GlobalAvgPool.self, Flatten.self, Dropout.self,
         ReLU.self, LeakyReLU.self, ELU.self, Sigmoid.self, Tanh.self, Softmax.self, Maxout.self,
         LSTM.self, GRU.self, Conv1D.self, BatchNorm1D.self, BatchNorm2D.self, Residual.self, ToSequence.self]
    }

    /// Other accepted spellings (PyTorch class names, lower-cased).
    public static let aliases: [String: String] = [
        "linear": "dense", "conv2d": "conv2d", "maxpool": "maxpool2d", "max_pool2d": "maxpool2d",
        "avgpool": "avgpool2d", "avg_pool2d": "avgpool2d", "global_avgpool": "global_avg_pool",
        "leakyrelu": "leaky_relu",
    ]

    public static func type(named name: String) -> (any Layer.Type)? {
        let key = aliases[name.lowercased()] ?? name.lowercased()
        return all.first { $0.typeName == key }
    }

    /// Builds a layer from its name and options; unknown names and options are clear errors.
    public static func make(_ name: String, _ values: [String: String], naming: Parameters.Naming = .yaml) throws -> any Layer {
        guard let t = type(named: name) else {
            let hint = closestName(to: name, in: all.map { $0.typeName }).map { " (did you mean '\($0)'?)" } ?? ""
            throw PerceptError.invalidArgument(field: "layer", "unknown layer type '\(name)'\(hint)")
        }
        let params = try Parameters(owner: t.typeName, specs: t.parameters, values: values, naming: naming)
        return try t.init(params)
    }
}

/// A layer's description: its registry name and options, as written in a pipeline file and
/// recorded in checkpoints.
///
///     LayerSpec("conv2d", ["out_channels": "32", "kernel_size": "5"])
public struct LayerSpec: Codable, Sendable, Equatable {
    public var type: String
    public var values: [String: String]
    public init(_ type: String, _ values: [String: String] = [:]) { self.type = type; self.values = values }
}
