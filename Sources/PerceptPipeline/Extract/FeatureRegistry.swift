import PerceptCore

/// Every feature `percept extract` knows, by name: the one place features are registered.
public enum FeatureRegistry {
    public static let all: [any FeatureExtractor.Type] = [
        // @features (one line per feature type)
        SpectrogramFeature.self, MelSpectrogramFeature.self, MFCCFeature.self,
        SobelFeature.self, HOGFeature.self, PyramidFeature.self,
    ]

    /// Looks a feature up by name; unknown names get the closest valid one suggested.
    public static func feature(named name: String) throws -> any FeatureExtractor.Type {
        if let f = all.first(where: { $0.name == name }) { return f }
        let hint = closestName(to: name, in: all.map { $0.name }).map { " (did you mean '\($0)'?)" } ?? ""
        let known = all.map { $0.name }.joined(separator: ", ")
        throw PerceptError.invalidArgument(field: "FEATURE", "unknown feature '\(name)'\(hint); known: \(known)")
    }
}
