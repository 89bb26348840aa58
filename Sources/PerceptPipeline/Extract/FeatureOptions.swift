import PerceptCore

/// Turns the command-line words after `percept extract FEATURE INPUT` into parameter values:
/// `--n-fft 512` and `--n-fft=512` give `n_fft = "512"`; a bare boolean flag (`--db`) gives "true".
public enum FeatureOptions {
    /// Parses `words` against `feature`'s parameter specs; unknown flags suggest the closest one.
    ///
    ///     let p = try FeatureOptions.parse(["--n-mfcc", "13"], for: MFCCFeature.self)
    public static func parse(_ words: [String], for feature: any FeatureExtractor.Type) throws -> Parameters {
        let specs = feature.parameters
        var values = [String: Value]()
        var i = 0
        while i < words.count {
            let word = words[i]
            guard word.hasPrefix("--"), word.count > 2 else {
                throw PerceptError.invalidArgument(field: word, "unexpected argument for '\(feature.name)' (options look like --n-fft 512)")
            }
            var flag = String(word.dropFirst(2))
            var inline: String?
            if let eq = flag.firstIndex(of: "=") {
                inline = String(flag[flag.index(after: eq)...])
                flag = String(flag[..<eq])
            }
            let name = flag.replacingOccurrences(of: "-", with: "_")
            guard let spec = specs.first(where: { $0.name == name }) else {
                throw PerceptError.invalidArgument(field: "--" + flag, "unknown option for '\(feature.name)'\(didYouMean("--" + flag, in: specs.map(\.cliFlag)))")
            }
            if values[name] != nil {
                throw PerceptError.invalidArgument(field: spec.cliFlag, "given twice")
            }
            let origin = Origin.flag(spec.cliFlag)
            if let inline {
                values[name] = Value(.string(inline), origin: origin)
                i += 1
            } else if spec.kind == .bool, i + 1 >= words.count || words[i + 1].hasPrefix("--") {
                values[name] = Value(.bool(true), origin: origin)
                i += 1
            } else {
                guard i + 1 < words.count else { throw PerceptError.invalidArgument(field: spec.cliFlag, "needs a value") }
                values[name] = Value(.string(words[i + 1]), origin: origin)
                i += 2
            }
        }
        return try Parameters(owner: feature.name, specs: specs, values: values, naming: .cli)
    }

    /// The help text listing every feature and its options with defaults.
    public static var helpText: String {
        var lines = ["FEATURES"]
        for f in FeatureRegistry.shared.entries.map(\.info) {
            lines.append("  \(f.name) (\(f.detail ?? "")): \(f.summary)")
            for p in f.parameters {
                var line = "      \(p.cliFlag)"
                if !p.choices.isEmpty { line += " {\(p.choices.joined(separator: ","))}" }
                line += "  \(Catalog.meaning(p, flags: true))"
                if let d = p.defaultText { line += " (default \(d))" }
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n")
    }
}
