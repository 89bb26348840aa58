import Foundation
import PerceptCore
import PerceptIO

/// The split a manifest's `split_column` or a seeded split puts an item in.
enum DataPart: Int, CaseIterable, Sendable {
    case train, validation, test
    var name: String { ["train", "validation", "test"][rawValue] }
}

/// An IDX images file held as its bytes (one byte per pixel), read once per data set.
final class IDXImages: Sendable {
    let rows: Int, cols: Int, count: Int
    let bytes: [UInt8]
    init(path: String) throws {
        let (shape, bytes) = try IDX.read(path)
        guard shape.count == 3 else { throw PerceptError.badInput(file: path, "not an IDX images file (\(shape.count) dimensions, expected 3)") }
        count = shape[0]; rows = shape[1]; cols = shape[2]; self.bytes = bytes
    }
}

/// The labelled entries of one source, before classes are numbered and splits made.
struct SourceListing {
    struct Entry {
        var location: DataItem.Location
        var className: String
        var group: String?
        /// From a manifest's split column.
        var part: DataPart?
    }
    var entries: [Entry] = []
    /// Files in folder sources, in or beside the class folders, that are not of the data's kind (skipped).
    var skipped = 0

    /// Lists `source` (`role`: train, validation or test); errors go to `d`, every one of them.
    static func list(_ source: SourceSpec, role: String, spec: DataSpec, idx: inout [String: IDXImages], d: Diagnostics) -> SourceListing? {
        let before = d.errors.count
        var out = SourceListing()
        let exts = (spec.kind == .image ? InputKind.image : InputKind.audio).extensions
        let what = spec.kind == .image ? "PNG images" : "audio files (\(exts.sorted().joined(separator: ", ")))"
        switch source {
        case let .idx(imagesPath, labelsPath):
            guard spec.kind == .image else {
                d.record(.invalidArgument(field: spec.field("\(role).idx"), "IDX files hold images, but the data's kind is audio")); return nil
            }
            let labels = d.check { try IDX.readLabels(labelsPath) }
            if idx[imagesPath] == nil, let images = d.check({ try IDXImages(path: imagesPath) }) { idx[imagesPath] = images }
            guard let labels, let images = idx[imagesPath] else { return nil }
            guard labels.count == images.count else {
                d.record(.badInput(file: labelsPath, "\(labels.count) labels for \(images.count) images in \(imagesPath)")); return nil
            }
            out.entries = labels.enumerated().map { Entry(location: .idx(images: imagesPath, index: $0.offset), className: String($0.element)) }
        case let .folder(root):
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter { !$0.hasPrefix(".") }
            let classes = names.filter { var dir: ObjCBool = false; return FileManager.default.fileExists(atPath: root + "/" + $0, isDirectory: &dir) && dir.boolValue }.sorted()
            guard !classes.isEmpty else {
                d.record(.badInput(file: root, "no class sub-folders (expected one folder of \(what) per class)")); return nil
            }
            guard let files = d.check({ try DirectoryTree.files(under: root, extensions: nil) }) else { return nil }
            var counts: [String: Int] = [:]
            for rel in files {
                guard let slash = rel.firstIndex(of: "/") else { out.skipped += 1; continue }
                let dot = rel.lastIndex(of: ".")
                guard let dot, dot > slash, exts.contains(rel[rel.index(after: dot)...].lowercased()) else { out.skipped += 1; continue }
                let cls = String(rel[..<slash])
                counts[cls, default: 0] += 1
                out.entries.append(Entry(location: .file(root + "/" + rel), className: cls))
            }
            for cls in classes where counts[cls] == nil {
                d.record(.badInput(file: root + "/" + cls, "empty class folder (no \(what))"))
            }
        case let .manifest(csvPath, pathColumn, labelColumn, splitColumn):
            guard let csv = d.check({ try CSV.read(csvPath) }) else { return nil }
            let at = spec.origins[csvPath] ?? "\(spec.path).\(role).manifest"
            func column(_ name: String, _ key: String) -> Int? {
                if let i = csv.header.firstIndex(of: name) { return i }
                let field = spec.origins["\(role).manifest.\(key)"] ?? (key == "group_by" ? spec.field("group_by") : at)
                d.record(.invalidArgument(field: field, "no column '\(name)' in \(csvPath)\(didYouMean(name, in: csv.header)); its columns: \(csv.header.joined(separator: ", "))"))
                return nil
            }
            let p = column(pathColumn, "path_column"), l = column(labelColumn, "label_column")
            let s = splitColumn.map { column($0, "split_column") }
            let g = spec.groupBy.flatMap { role == "train" ? column($0, "group_by") : csv.header.firstIndex(of: $0) }
            guard let p, let l, s.map({ $0 != nil }) ?? true, spec.groupBy == nil || role != "train" || g != nil else { return nil }
            let folder = csvPath.contains("/") ? String(csvPath[..<csvPath.lastIndex(of: "/")!]) : "."
            var missing: [PerceptError] = []
            for (row, line) in zip(csv.rows, csv.lines) {
                let place = "\(csvPath):\(line)"
                let file = row[p].trimmingCharacters(in: .whitespaces), label = row[l].trimmingCharacters(in: .whitespaces)
                guard !file.isEmpty else { d.record(.badInput(file: place, "empty '\(pathColumn)'")); continue }
                guard !label.isEmpty else { d.record(.badInput(file: place, "empty '\(labelColumn)' for \(file)")); continue }
                let path = DataSpec.resolve(file, against: folder)
                if let dot = file.lastIndex(of: "."), exts.contains(file[file.index(after: dot)...].lowercased()) {} else {
                    d.record(.badInput(file: place, "\(file) is not one of the data's \(what)")); continue
                }
                var part: DataPart?
                if let s, let si = s {
                    let v = row[si].trimmingCharacters(in: .whitespaces).lowercased()
                    part = DataPart.allCases.first { $0.name == v }
                    if part == nil {
                        d.record(.badInput(file: place, "'\(row[si])' in column '\(splitColumn!)' is not train, validation or test\(didYouMean(v, in: DataPart.allCases.map(\.name)))"))
                        continue
                    }
                }
                var group: String?
                if let g {
                    group = row[g].trimmingCharacters(in: .whitespaces)
                    if group!.isEmpty, role == "train" { d.record(.badInput(file: place, "empty '\(spec.groupBy!)' (group_by) for \(file)")); continue }
                }
                var st = stat()
                if stat(path, &st) != 0 {
                    missing.append(.badInput(file: place, "\(file): no such file (looked for \(path))")); continue
                }
                out.entries.append(Entry(location: .file(path), className: label, group: group, part: part))
            }
            // Every missing file is named, up to a screenful; then how many more.
            let shown = 40
            for e in missing.prefix(shown) { d.record(e) }
            if missing.count > shown { d.record(.badInput(file: csvPath, "\(missing.count - shown) more rows name missing files")) }
        }
        return d.errors.count == before ? out : nil
    }
}
