import PerceptAugment
import PerceptCore
import PerceptNN

/// Everything Percept knows by name — features, augmentation stages, transforms, layers, losses,
/// optimizers, schedules — with each one's parameter specs, read from the registries. One source drives `percept list`,
/// `percept list NAME` and docs/reference.md, so the docs cannot drift from the code.
///
///     for e in Catalog.entries where e.kind == .layer { print(e.name) }
public enum Catalog {
    public enum Kind: String, CaseIterable, Sendable {
        case feature, stage, transform, layer, loss, optimizer, schedule

        /// A kind by its name, singular or plural as in the headings (`layer`, `layers`, `losses`).
        ///
        ///     Catalog.Kind(named: "losses")   // .loss
        public init?(named name: String) {
            let key = Registry<Any>.normalized(name)
            guard let k = Kind.allCases.first(where: { key == $0.rawValue || key == $0.plural }) else { return nil }
            self = k
        }

        /// `layers`, `losses`.
        public var plural: String { self == .loss ? "losses" : rawValue + "s" }

        var title: String {
            switch self {
            case .feature: return "Features (`percept extract FEATURE`)"
            case .stage: return "Augmentation stages (AUG.yaml, `percept augment`)"
            case .transform: return "Transforms (deterministic stages over samples; AUG.yaml chains)"
            case .layer: return "Layers"
            case .loss: return "Losses"
            case .optimizer: return "Optimizers"
            case .schedule: return "Learning-rate schedule"
            }
        }
    }

    public struct Entry: Sendable {
        public let kind: Kind
        public let name: String
        public let summary: String
        public let parameters: [ParameterSpec]
        public let aliases: [String]
    }

    /// Each kind's registry, in listing order.
    public static var registries: [(Kind, any RegistryListing)] {
        [(.feature, FeatureRegistry.shared), (.stage, StageRegistry.shared), (.transform, TransformRegistry.shared), (.layer, LayerRegistry.shared),
         (.loss, LossRegistry.shared), (.optimizer, OptimizerRegistry.shared), (.schedule, ScheduleRegistry.shared)]
    }

    /// Every registered component, user-registered ones included.
    public static var entries: [Entry] {
        registries.flatMap { kind, r in
            r.listed.map { i in Entry(kind: kind, name: i.name, summary: i.detail.map { "\(i.summary) (\($0))" } ?? i.summary,
                                      parameters: i.parameters, aliases: i.aliases) }
        }
    }

    /// Entries with this name or alias (a name may be both, e.g. a layer and a stage); unknown
    /// names get the closest one suggested.
    public static func lookup(_ name: String) throws -> [Entry] {
        let key = Registry<Any>.normalized(name)
        let found = entries.filter { Registry<Any>.normalized($0.name) == key || $0.aliases.map(Registry<Any>.normalized).contains(key) }
        if !found.isEmpty { return found }
        throw PerceptError.invalidArgument(field: name, "no feature, stage, transform, layer, loss, optimizer or schedule has this name\(didYouMean(name, in: entries.map(\.name)))")
    }

    /// One line per entry, grouped by kind.
    public static func listing(kind: Kind? = nil) -> String {
        var lines = [String]()
        for k in Kind.allCases where kind == nil || kind == k {
            lines.append(k.title)
            for e in entries where e.kind == k { lines.append("  " + e.name.padding(toLength: 28, withPad: " ", startingAt: 0) + " " + e.summary) }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    /// A parameter table for people: spelling in YAML, on the CLI and in Swift, type, default, meaning.
    public static func describe(_ e: Entry) -> String {
        var lines = ["\(e.name) (\(e.kind.rawValue)): \(e.summary)"]
        if e.parameters.isEmpty { lines.append("  (no options)") }
        for p in e.parameters {
            lines.append("  \(p.name)  \(p.cliFlag)  \(p.typeText)  default \(p.defaultText ?? "—")  \(p.doc)")
        }
        return lines.joined(separator: "\n")
    }

    /// docs/reference.md.
    public static var markdown: String {
        var out = ["# Reference: everything by name", "",
                   "Generated from the parameter specs in the code by `percept list --markdown` (a test keeps this file",
                   "in step). Names are the reference libraries' in snake_case as written in YAML; on the command line",
                   "they are kebab-case (`n_fft` → `--n-fft`), in Swift camelCase (`nFft`).", ""]
        for k in Kind.allCases {
            out.append("## \(k.title)")
            out.append("")
            for e in entries where e.kind == k {
                out.append("### `\(e.name)`")
                out.append("")
                out.append(e.summary.prefix(1).uppercased() + e.summary.dropFirst() + ".")
                out.append("")
                if e.parameters.isEmpty { out.append("No options."); out.append(""); continue }
                out.append("| option | type | default | meaning |")
                out.append("|---|---|---|---|")
                for p in e.parameters {
                    let type = p.kind == .choice ? p.choices.map { "`\($0)`" }.joined(separator: ", ") : p.typeText
                    let doc = p.doc.replacingOccurrences(of: "|", with: "\\|")
                    out.append("| `\(p.name)` | \(type) | \(p.defaultText.map { "`\($0)`" } ?? "—") | \(doc) |")
                }
                out.append("")
            }
        }
        return out.joined(separator: "\n")
    }
}
