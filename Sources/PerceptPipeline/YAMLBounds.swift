// libyaml, which Yams builds as its CYaml module; its events are what Yams composes from.
import CYaml
import PerceptCore

/// Bounds on a YAML document, checked on libyaml's event stream before Yams composes it.
///
/// Composing is where an alias bomb costs: Yams shares an aliased node rather than copying it,
/// but it hashes every mapping key to find duplicates, and a key that aliases a nested list
/// hashes the whole expansion (10⁸ nodes for ten anchors ten wide eight deep); converting to
/// `Value`s then copies every alias. The events are read once, in time linear in the text, and
/// the expanded size of each anchor is known when its node ends, so a bomb is refused at the
/// alias that crosses the bound, with its line, before anything is composed.
///
///     try YAMLBounds.check(text, file: "aug.yaml")   // throws "aug.yaml: line 9: the document grows past 1000000 nodes …"
public enum YAMLBounds {
    /// Nodes (scalars, lists, mappings) after every alias is expanded: a pipeline or augmentation
    /// file has hundreds; a million is far beyond any real one and still parses in about 2 s (900,000 expanded nodes, release build).
    public static let maxNodes = 1_000_000
    /// Nesting of lists and mappings: the composer and the converter recurse once per level.
    public static let maxDepth = 256

    /// Throws `badInput` naming the line where the document first exceeds a bound, or where a
    /// key is a list, a mapping, or an alias to one (keys are names: plain scalars). Syntax
    /// errors are left to the composer, which reports them with more context.
    static func check(_ text: String, file: String) throws {
        var bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return }
        let problem: String? = bytes.withUnsafeMutableBufferPointer { buf -> String? in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else { return nil }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buf.baseAddress, buf.count)
            var walk = Walk()
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { return nil }
                if let message = walk.take(event) { return "line \(event.start_mark.line + 1): \(message)" }
            }
        }
        if let problem { throw PerceptError.badInput(file: file, problem) }
    }

    /// The state of one pass over the events: open collections and the expanded size of each anchor.
    private struct Walk {
        struct Open { var anchor: String?; var isMapping: Bool; var nextIsKey: Bool; var totalAtStart: Int }
        var open: [Open] = []
        /// Expanded node count of each anchor (the latest definition: anchors may be redefined),
        /// and whether it names a list or mapping.
        var anchors: [String: (size: Int, isCollection: Bool)] = [:]
        var total = 0

        /// The problem this event makes, if any.
        mutating func take(_ e: yaml_event_t) -> String? {
            let startsNode = [YAML_SCALAR_EVENT, YAML_ALIAS_EVENT, YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT].contains(e.type)
            var isKey = false
            if startsNode, let last = open.indices.last, open[last].isMapping {
                isKey = open[last].nextIsKey
                open[last].nextIsKey.toggle()
            }
            switch e.type {
            case YAML_SCALAR_EVENT:
                if let a = Walk.name(e.data.scalar.anchor) { anchors[a] = (1, false) }
                return add(1)
            case YAML_ALIAS_EVENT:
                // An undefined alias is the composer's error to report.
                guard let a = Walk.name(e.data.alias.anchor), let target = anchors[a] else { return nil }
                if isKey && target.isCollection {
                    return "keys must be plain words, not an alias to a list or mapping (*\(a.prefix(40)))"
                }
                return add(target.size)
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let isMapping = e.type == YAML_MAPPING_START_EVENT
                if isKey { return "keys must be plain words, not a \(isMapping ? "mapping" : "list")" }
                guard open.count < YAMLBounds.maxDepth else {
                    return "lists and mappings nest more than \(YAMLBounds.maxDepth) deep"
                }
                let anchor = Walk.name(isMapping ? e.data.mapping_start.anchor : e.data.sequence_start.anchor)
                open.append(Open(anchor: anchor, isMapping: isMapping, nextIsKey: true, totalAtStart: total))
                return add(1)
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                if let o = open.popLast(), let a = o.anchor { anchors[a] = (total - o.totalAtStart, true) }
                return nil
            default:
                return nil
            }
        }

        /// Counts `n` more nodes; both stay at most `maxNodes`, so the sum cannot overflow.
        private mutating func add(_ n: Int) -> String? {
            total += n
            guard total > YAMLBounds.maxNodes else { return nil }
            return "the document grows past \(YAMLBounds.maxNodes) nodes once its aliases are expanded (an alias bomb?); a pipeline or augmentation file needs far fewer"
        }

        /// libyaml admits only letters, digits, '-' and '_' in anchor names, so one is safe to echo.
        static func name(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            p.map { String(cString: UnsafePointer($0)) }
        }
    }
}
