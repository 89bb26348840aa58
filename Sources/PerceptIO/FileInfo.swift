import Foundation
import PerceptCore

/// What `percept info` reports about one file, detected from its content (not its name).
public enum FileInfo: Sendable, Equatable {
    case audio(AudioInfo)
    case image(ImageInfo)
    case idx(IDX.Info)
    case npy(shape: [Int], dtype: String)
    case npz([(name: String, shape: [Int], dtype: String)])

    public static func == (a: FileInfo, b: FileInfo) -> Bool { a.description == b.description }

    /// Inspects a file; unknown or corrupt content throws `badInput` naming the file.
    ///
    ///     print(try FileInfo.inspect("Samples/images/camera.png"))
    public static func inspect(_ path: String) throws -> FileInfo {
        try FileChecks.requireReadableFile(path)
        let h = FileChecks.head(path, 16)
        func starts(_ s: [UInt8]) -> Bool { h.count >= s.count && Array(h[0..<s.count]) == s }
        if starts([0x89, 0x50, 0x4E, 0x47]) {
            let info = try ImageFile.info(path)
            _ = try ImageFile.read(path)   // decode once, so corrupt, truncated or absurd files are reported here
            return .image(info)
        }
        if starts(Npy.magic) {
            let a = try Npy.load(path)
            return .npy(shape: a.shape, dtype: a.dtype.name)
        }
        if starts([0x50, 0x4B, 0x03, 0x04]) || starts([0x50, 0x4B, 0x05, 0x06]) {
            return .npz(try Npz.load(path).map { ($0.0, $0.1.shape, $0.1.dtype.name) })
        }
        // gzip holds IDX here (MNIST ships as .gz); IDX.info says so if the content is something else.
        if starts([0, 0, 0x08]) || starts([0x1F, 0x8B]) {
            let info = try IDX.info(path)
            // Validate the payload length too, so a truncated file is reported here.
            _ = try IDX.read(path)
            return .idx(info)
        }
        let audioMagic: [[UInt8]] = [Array("RIFF".utf8), Array("RIFX".utf8), Array("fLaC".utf8), Array("OggS".utf8),
                                     Array("FORM".utf8), Array("RF64".utf8), Array(".snd".utf8), Array("caff".utf8)]
        if audioMagic.contains(where: starts) || ["wav", "flac", "ogg", "aiff", "aif", "caf", "au", "w64"].contains(ext(path)) {
            let info = try AudioFile.info(path)
            // Decode everything in blocks (bounded memory), so corrupt data is reported here too.
            let reader = try AudioReader(path)
            while try reader.readMono(frames: 1 << 16) != nil {}
            return .audio(info)
        }
        throw PerceptError.badInput(file: path, "unsupported format (not WAV/FLAC/OGG audio, PNG, IDX, .npy or .npz)")
    }

    private static func ext(_ path: String) -> String { URL(fileURLWithPath: path).pathExtension.lowercased() }

    /// One human-readable line (without the file name).
    public var description: String {
        switch self {
        case let .audio(a):
            return String(format: "audio  %@ / %@, %d Hz, %d channel%@, %d frames, %.3f s",
                          a.container, a.codec, a.sampleRate, a.channels, a.channels == 1 ? "" : "s", a.frames, a.duration)
        case let .image(i):
            return "image  PNG \(i.width)x\(i.height), \(i.channels) channel\(i.channels == 1 ? "" : "s") (\(i.colorType)), \(i.bitDepth)-bit"
        case let .idx(i):
            return i.isLabels ? "idx    labels, \(i.shape[0]) items" :
                "idx    images, \(i.shape[0]) items of \(i.shape.dropFirst().map(String.init).joined(separator: "x")) (shape \(i.shape))"
        case let .npy(shape, dtype):
            return "npy    \(dtype) \(shape)"
        case let .npz(members):
            return "npz    \(members.count) array\(members.count == 1 ? "" : "s"): " +
                members.map { "\($0.name) \($0.dtype) \($0.shape)" }.joined(separator: "; ")
        }
    }
}
