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

        /// Whether a command takes this kind's options as flags: only `percept extract FEATURE`
        /// does; every other kind is written in YAML (AUG.yaml chains, pipeline files).
        public var takesFlags: Bool { self == .feature }

        /// How one of this kind is used, for `percept list NAME`.
        func usage(_ name: String) -> String {
            switch self {
            case .feature: return "  percept extract \(name) INPUT -o OUTPUT [--option VALUE]..."
            case .stage, .transform: return "  YAML only: an item of an AUG.yaml stage list or a pipeline's feature chain, `- \(name): {option: value}`"
            case .layer: return "  YAML only: an item of a model's `layers:` list, `- \(name): {option: value}`"
            case .loss: return "  YAML only: a model's `train: {loss: \(name)}`"
            case .optimizer: return "  YAML only: a model's `train: {optimizer: {\(name): {option: value}}}`"
            case .schedule: return "  YAML only: a model's learning-rate schedule, in its `train:` section"
            }
        }

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

    /// One line per entry, grouped by kind, names in one column.
    public static func listing(kind: Kind? = nil) -> String {
        let all = entries
        let width = all.filter { kind == nil || $0.kind == kind }.map(\.name.count).max() ?? 0
        var lines = [String]()
        for k in Kind.allCases where kind == nil || kind == k {
            lines.append(k.title)
            for e in all where e.kind == k { lines.append("  " + e.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + e.summary) }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    /// A parameter table for people, columns aligned: the YAML name, the CLI flag where a command
    /// takes one (features only: everything else is written in YAML), type, default and meaning.
    public static func describe(_ e: Entry) -> String {
        let head = "\(e.name) (\(e.kind.rawValue)): \(e.summary)"
        let usage = e.kind.usage(e.name)
        guard !e.parameters.isEmpty else { return [head, usage, "  (no options)"].joined(separator: "\n") }
        var rows = [e.kind.takesFlags ? ["option", "flag", "type", "default", "meaning"] : ["option", "type", "default", "meaning"]]
        for p in e.parameters {
            // A choice's values go with its meaning: as a type they would widen the column for every row.
            let type = p.kind == .choice ? "choice" : p.typeText
            let doc = meaning(p, flags: e.kind.takesFlags, choices: p.kind == .choice)
            let cells = [p.name, type, p.defaultText ?? "—", doc]
            rows.append(e.kind.takesFlags ? [cells[0], p.cliFlag] + cells[1...] : cells)
        }
        return ([head, usage] + table(rows)).joined(separator: "\n")
    }

    /// A parameter's meaning with its requirement (`only with db`), spelled as the user writes it
    /// (`--db` where the kind takes flags), in backticks for Markdown.
    /// With `choices`, the choice's values follow (`: one of slaney, none`).
    static func meaning(_ p: ParameterSpec, flags: Bool, markdown: Bool = false, choices: Bool = false) -> String {
        var text = p.doc
        if choices { text += ": one of " + p.choices.joined(separator: ", ") }
        guard let r = p.requires else { return text }
        return text + " (only with " + (markdown ? "`\(r.text(flags: flags))`" : r.text(flags: flags)) + ")"
    }

    /// Rows as lines indented by two spaces, every column but the last padded to its widest cell.
    static func table(_ rows: [[String]]) -> [String] {
        guard let columns = rows.first?.count else { return [] }
        let widths = (0..<columns).map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            "  " + row.enumerated().map { c, cell in
                c == columns - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }

    /// docs/reference.md.
    public static var markdown: String {
        var out = ["# Reference: everything by name", "",
                   "Generated from the parameter specs in the code by `percept list --markdown` (a test keeps this file",
                   "in step). Names are the reference libraries' in snake_case as written in YAML, in Swift camelCase",
                   "(`nFft`). Only features are also options of a command (`percept extract FEATURE`), as kebab-case",
                   "flags (`n_fft` → `--n-fft`); everything else is written in YAML. An option that has no effect",
                   "without another (`top_db` without `db`) is an error when given alone.", ""]
        for k in Kind.allCases {
            out.append("## \(k.title)")
            out.append("")
            for e in entries where e.kind == k {
                out.append("### `\(e.name)`")
                out.append("")
                out.append(e.summary.prefix(1).uppercased() + e.summary.dropFirst() + ".")
                out.append("")
                if e.parameters.isEmpty { out.append("No options."); out.append(""); continue }
                let flags = e.kind.takesFlags
                out.append(flags ? "| option | flag | type | default | meaning |" : "| option | type | default | meaning |")
                out.append(flags ? "|---|---|---|---|---|" : "|---|---|---|---|")
                for p in e.parameters {
                    let shownChoices = p.choices.map { "`\($0)`" }.joined(separator: ", ")
                    let type = p.kind == .choice ? shownChoices : p.choices.isEmpty ? p.typeText : "list of " + shownChoices
                    let doc = meaning(p, flags: flags, markdown: true).replacingOccurrences(of: "|", with: "\\|")
                    let flag = flags ? " `\(p.cliFlag)` |" : ""
                    out.append("| `\(p.name)` |\(flag) \(type) | \(p.defaultText.map { "`\($0)`" } ?? "—") | \(doc) |")
                }
                out.append("")
            }
        }
        return out.joined(separator: "\n")
    }
}
