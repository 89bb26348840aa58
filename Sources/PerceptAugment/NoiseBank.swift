import Foundation
import PerceptAudio
import PerceptCore
import PerceptIO

/// The audio files of a folder, loaded once as mono, with resampled copies cached per rate.
final class NoiseBank: @unchecked Sendable {
    static let extensions: Set<String> = ["wav", "flac", "ogg", "mp3", "aif", "aiff"]

    let names: [String]
    let sources: [(samples: [Float], rate: Int)]
    private let lock = NSLock()
    private var cache: [String: [Float]] = [:]

    /// Loads every audio file under `folder` (sorted by relative path, so indices are stable).
    init(folder: String, field: String) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            throw PerceptError.invalidArgument(field: field, "'\(folder)' is not a directory")
        }
        let found = try DirectoryTree.files(under: folder, extensions: NoiseBank.extensions)
        guard !found.isEmpty else {
            let exts = NoiseBank.extensions.sorted().map { "." + $0 }.joined(separator: ", ")
            throw PerceptError.invalidArgument(field: field, "no audio files (\(exts)) in '\(folder)'")
        }
        names = found
        sources = try found.map { rel in
            let a = try AudioFile.read((folder as NSString).appendingPathComponent(rel))
            return (a.mono(), a.sampleRate)
        }
    }

    /// File `index` at `rate` Hz (resampled once, then cached).
    func samples(_ index: Int, rate: Int) throws -> [Float] {
        let src = sources[index]
        if src.rate == rate { return src.samples }
        let key = "\(index)@\(rate)"
        lock.lock()
        if let hit = cache[key] { lock.unlock(); return hit }
        lock.unlock()
        let y = try Resampler.resample(src.samples, from: src.rate, to: rate)
        lock.lock(); cache[key] = y; lock.unlock()
        return y
    }
}
