import Foundation
import PerceptCore

/// The files of a folder tree, listed with readdir: its entry types save the stat (and
/// Foundation's path-to-URL work) that a per-file listing spends on every name.
///
///     let wavs = try DirectoryTree.files(under: "Samples/spoken", extensions: ["wav"])   // ["0/en+f1_200_80.wav", …]
public enum DirectoryTree {
    /// What a scan found: the files wanted, how many other (not hidden) files there are, and the
    /// symbolic links that lead nowhere, each with why (relative paths, sorted).
    public struct Listing: Sendable {
        public var files: [String] = []
        public var skipped = 0
        /// Links whose target is missing ("dangling symlink"), that loop ("symlink loop"), or
        /// that cannot be followed for another reason (the system's words).
        public var broken: [(path: String, reason: String)] = []
    }

    /// Relative paths (sorted) of the files under `root` whose extension, lower-cased, is one of
    /// `extensions` (every file when nil). Symbolic links to files count; links to folders are not followed, so a
    /// link cycle cannot loop. Hidden files and folders (names starting with ".") are skipped, as a
    /// shell glob skips them: macOS's `._NAME.wav` metadata files, `.git`, and the hidden temporary
    /// files of writes in progress are never inputs. A link that leads nowhere (dangling, or a
    /// loop of links) is an error naming it: it was meant to be an input.
    public static func files(under root: String, extensions: Set<String>?) throws -> [String] {
        let listing = try scan(under: root, extensions: extensions)
        if let b = listing.broken.first { throw PerceptError.badInput(file: root + "/" + b.path, b.reason) }
        return listing.files
    }

    /// The name of a `readdir` entry. Read through a pointer up to its NUL: the record is only as
    /// long as the name (`d_reclen`), so copying the whole 256-byte `d_name` array reads past the
    /// end of libc's buffer for the last entry (AddressSanitizer's heap-buffer-overflow).
    static func name(of entry: UnsafeMutablePointer<dirent>) -> String {
        withUnsafeMutablePointer(to: &entry.pointee.d_name) {
            $0.withMemoryRebound(to: CChar.self, capacity: 1) { String(cString: $0) }
        }
    }

    /// The files `files(under:extensions:)` lists, how many other (not hidden) files the tree
    /// holds, and the links that lead nowhere, so a folder run can say what it skipped and
    /// report each broken link (as `find -L` and `rsync -L` do). `extensions` nil lists every file.
    ///
    ///     let listing = try DirectoryTree.scan(under: "Samples", extensions: ["wav"])   // listing.broken: [("a.wav", "dangling symlink")]
    public static func scan(under root: String, extensions: Set<String>?) throws -> Listing {
        guard FileChecks.isDirectory(root) else { throw PerceptError.badInput(file: root, "not a folder") }
        var listing = Listing()
        var pending = [""]
        while let rel = pending.popLast() {
            let dirPath = rel.isEmpty ? root : root + "/" + rel
            guard let d = opendir(dirPath) else {
                throw PerceptError.badInput(file: dirPath, "cannot list folder (\(String(cString: strerror(errno))))")
            }
            defer { closedir(d) }
            while let entry = readdir(d) {
                let name = DirectoryTree.name(of: entry)
                if name.hasPrefix(".") { continue }
                let child = rel.isEmpty ? name : rel + "/" + name
                var type = entry.pointee.d_type
                if type == UInt8(DT_UNKNOWN) || type == UInt8(DT_LNK) {
                    // Filesystems without entry types, and links: ask (stat follows links).
                    var st = stat()
                    guard stat(root + "/" + child, &st) == 0 else {
                        let err = errno
                        var lst = stat()
                        let isLink = lstat(root + "/" + child, &lst) == 0 && (lst.st_mode & S_IFMT) == S_IFLNK
                        // A name that vanished between readdir and stat is no longer there: not an input.
                        if isLink || err != ENOENT { listing.broken.append((child, brokenReason(err, isLink: isLink))) }
                        continue
                    }
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
                    if wanted { listing.files.append(child) } else { listing.skipped += 1 }
                }
            }
        }
        listing.files.sort()
        listing.broken.sort { $0.path < $1.path }
        return listing
    }

    /// Why `stat` could not follow an entry: "dangling symlink" (ENOENT through a link),
    /// "symlink loop" (ELOOP), else the system's words.
    static func brokenReason(_ err: Int32, isLink: Bool) -> String {
        switch err {
        case ENOENT where isLink: return "dangling symlink (its target does not exist)"
        case ELOOP: return "symlink loop (the links lead back to themselves)"
        default: return "cannot read (\(String(cString: strerror(err))))"
        }
    }
}
