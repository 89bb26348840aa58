import PerceptCore

/// Every feature `percept extract` knows, by name.
///
///     let mfcc = try FeatureRegistry.make("mfcc", ["n_mfcc": 13])
public enum FeatureRegistry {
    public static let shared: Registry<any FeatureExtractor> = {
        let r = Registry<any FeatureExtractor>(kind: "feature")
        for t: any FeatureExtractor.Type in [SpectrogramFeature.self, MelSpectrogramFeature.self, MFCCFeature.self,
                                             SobelFeature.self, HOGFeature.self, PyramidFeature.self] { r.register(t) }
        return r
    }()

    public static func make(_ name: String, _ values: [String: Value] = [:], naming: Parameters.Naming = .yaml) throws -> any FeatureExtractor {
        try shared.make(name, values, naming: naming)
    }

    /// The feature type registered under a name; unknown names get the closest one suggested.
    public static func feature(named name: String) throws -> any FeatureExtractor.Type {
        let e = try shared.lookup(name, field: "FEATURE")
        guard let t = e.info.type as? any FeatureExtractor.Type else { throw PerceptError.invalidArgument(field: "FEATURE", "'\(name)' is not a feature") }
        return t
    }
}

extension Registry where Product == any FeatureExtractor {
    /// Registers a feature type (listed with the kind of file it reads).
    public func register(_ type: any FeatureExtractor.Type) {
        func add<F: FeatureExtractor>(_ t: F.Type) { register(t, detail: F.inputKind.rawValue) { try F($0) } }
        add(type)
    }
}
