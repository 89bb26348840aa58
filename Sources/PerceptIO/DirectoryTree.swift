import Foundation
import PerceptCore

/// The files of a folder tree, listed with readdir: its entry types save the stat (and
/// Foundation's path-to-URL work) that a per-file listing spends on every name.
///
///     let wavs = try DirectoryTree.files(under: "Samples/spoken", extensions: ["wav"])   // ["0/en+f1_200_80.wav", …]
public enum DirectoryTree {
    /// Relative paths (sorted) of the files under `root` whose extension, lower-cased, is one of
    /// `extensions` (every file when nil). Symbolic links to files count; links to folders are not followed, so a
    /// link cycle cannot loop. Hidden files and folders (names starting with ".") are skipped, as a
    /// shell glob skips them: macOS's `._NAME.wav` metadata files, `.git`, and the hidden temporary
    /// files of writes in progress are never inputs.
    public static func files(under root: String, extensions: Set<String>?) throws -> [String] {
        try scan(under: root, extensions: extensions).files
    }

    /// The files `files(under:extensions:)` lists, and how many other (not hidden) files the tree
    /// holds, so a folder run can say what it skipped. `extensions` nil lists every file.
    ///
    ///     let (wavs, skipped) = try DirectoryTree.scan(under: "Samples", extensions: ["wav"])
    public static func scan(under root: String, extensions: Set<String>?) throws -> (files: [String], skipped: Int) {
        guard FileChecks.isDirectory(root) else { throw PerceptError.badInput(file: root, "not a folder") }
        var found = [String]()
        var skipped = 0
        var pending = [""]
        while let rel = pending.popLast() {
            let dirPath = rel.isEmpty ? root : root + "/" + rel
            guard let d = opendir(dirPath) else {
                throw PerceptError.badInput(file: dirPath, "cannot list folder (\(String(cString: strerror(errno))))")
            }
            defer { closedir(d) }
            while let entry = readdir(d) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name.hasPrefix(".") { continue }
                let child = rel.isEmpty ? name : rel + "/" + name
                var type = entry.pointee.d_type
                if type == UInt8(DT_UNKNOWN) || type == UInt8(DT_LNK) {
                    // Filesystems without entry types, and links: ask (stat follows links).
                    var st = stat()
                    guard stat(root + "/" + child, &st) == 0 else { continue }
                    let isLink = type == UInt8(DT_LNK)
                    switch st.st_mode & S_IFMT {
                    case S_IFREG: type = UInt8(DT_REG)
                    case S_IFDIR: type = isLink ? UInt8(DT_LNK) : UInt8(DT_DIR)
                    default: type = UInt8(DT_UNKNOWN)
                    }
                }
                if type == UInt8(DT_DIR) {
                    pending.append(child)
                } else if type == UInt8(DT_REG) {
                    let wanted = extensions.map { exts in
                        name.lastIndex(of: ".").map { exts.contains(name[name.index(after: $0)...].lowercased()) } ?? false
                    } ?? true
                    if wanted { found.append(child) } else { skipped += 1 }
                }
            }
        }
        return (found.sorted(), skipped)
    }
}
