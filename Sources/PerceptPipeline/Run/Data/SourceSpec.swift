import PerceptCore

/// Where one part of a data set (train, validation or test) comes from.
///
///     let s = SourceSpec.manifest(csv: "data/manifest.csv", pathColumn: "file", labelColumn: "digit", splitColumn: nil)
public enum SourceSpec: Sendable, Equatable {
    /// MNIST-style IDX files: images [N, rows, cols] and labels [N] (plain or gzip'ed).
    case idx(images: String, labels: String)
    /// One sub-folder per class (class = folder name) of PNG images or audio files; hidden files
    /// are skipped, other files skipped and counted.
    case folder(String)
    /// A CSV with a header row: one file per row (relative to the CSV's folder) and its label;
    /// `splitColumn` (values train / validation / test) assigns rows to splits explicitly.
    case manifest(csv: String, pathColumn: String, labelColumn: String, splitColumn: String?)

    /// The files and folders it names.
    public var paths: [String] {
        switch self {
        case let .idx(images, labels): return [images, labels]
        case let .folder(f): return [f]
        case let .manifest(csv, _, _, _): return [csv]
        }
    }

    /// As written in a pipeline file (paths as resolved).
    public var value: Value {
        switch self {
        case let .idx(images, labels): return ["idx": ["images": .of(images), "labels": .of(labels)]]
        case let .folder(f): return ["folder": .of(f)]
        case let .manifest(csv, p, l, s):
            var m: [Value.Entry] = [.init("file", .of(csv)), .init("path_column", .of(p)), .init("label_column", .of(l))]
            if let s { m.append(.init("split_column", .of(s))) }
            return ["manifest": Value(.map(m))]
        }
    }

    var isManifest: Bool { if case .manifest = self { return true }; return false }

    static let kinds = ["idx", "folder", "manifest"]

    /// Parses `{idx: {images: F, labels: F}}`, `{folder: DIR}`, `{manifest: FILE}` or
    /// `{manifest: {file: F, path_column: C, label_column: C, split_column: C}}`; errors go to
    /// `diagnostics`, naming `field` and the line. `origins` receives each path's field name.
    static func parse(_ v: Value, field: String, base: String, diagnostics d: Diagnostics,
                      origins: inout [String: String]) -> SourceSpec? {
        guard let entries = v.entries, entries.count == 1, let entry = entries.first else {
            d.record(.invalidArgument(field: field + v.origin.suffix,
                                      "expected one of {idx: {images: FILE, labels: FILE}}, {folder: DIR} or {manifest: FILE}, got \(v)"))
            return nil
        }
        let inner = entry.value, at = "\(field).\(entry.key)"
        func path(_ p: Value, _ name: String) -> String? {
            guard let text = p.scalarText, !text.isEmpty, p.items == nil else {
                d.record(.invalidArgument(field: name + p.origin.suffix, "expected a path, got \(p)")); return nil
            }
            let resolved = DataSpec.resolve(text, against: base)
            origins[resolved] = name + p.origin.suffix
            return resolved
        }
        func keys(_ m: [Value.Entry], allowed: [String]) {
            for e in m where !allowed.contains(e.key) {
                d.record(.invalidArgument(field: "\(at).\(e.key)" + e.keyOrigin.suffix, "unknown key\(didYouMean(e.key, in: allowed))"))
            }
        }
        switch entry.key {
        case "idx":
            guard let m = inner.entries else {
                d.record(.invalidArgument(field: at + inner.origin.suffix, "expected {images: FILE, labels: FILE}, got \(inner)")); return nil
            }
            keys(m, allowed: ["images", "labels"])
            var parts: [String?] = []
            for key in ["images", "labels"] {
                guard let p = inner[key] else { d.record(.invalidArgument(field: at + inner.origin.suffix, "'\(key)' is required")); parts.append(nil); continue }
                parts.append(path(p, "\(at).\(key)"))
            }
            guard let images = parts[0], let labels = parts[1] else { return nil }
            return .idx(images: images, labels: labels)
        case "folder":
            return path(inner, at).map(SourceSpec.folder)
        case "manifest":
            if inner.entries == nil { return path(inner, at).map { .manifest(csv: $0, pathColumn: "path", labelColumn: "label", splitColumn: nil) } }
            let m = inner.entries!
            keys(m, allowed: ["file", "path_column", "label_column", "split_column"])
            guard let f = inner["file"] else { d.record(.invalidArgument(field: at + inner.origin.suffix, "'file' is required")); return nil }
            func column(_ key: String, _ fallback: String?) -> String?? {
                guard let c = inner[key] else { return .some(fallback) }
                guard let t = c.scalarText, !t.isEmpty else {
                    d.record(.invalidArgument(field: "\(at).\(key)" + c.origin.suffix, "expected a column name, got \(c)")); return nil
                }
                origins["\(at).\(key)"] = "\(at).\(key)" + c.origin.suffix
                return .some(t)
            }
            let csv = path(f, "\(at).file")
            guard let csv, let p = column("path_column", "path"), let l = column("label_column", "label"), let s = column("split_column", nil) else { return nil }
            return .manifest(csv: csv, pathColumn: p!, labelColumn: l!, splitColumn: s)
        default:
            d.record(.invalidArgument(field: at + entry.keyOrigin.suffix, "unknown source\(didYouMean(entry.key, in: kinds)); use idx, folder or manifest"))
            return nil
        }
    }
}
