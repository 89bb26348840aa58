import Foundation
import PerceptCore
import PerceptIO
import PerceptNN
import PerceptPipeline

/// One fuzz target: a reader fed the fuzzer's bytes. A target passes when the reader returns or
/// throws; a trap, a sanitizer report, a leak, a timeout or an allocation beyond libFuzzer's
/// limit is a finding.
struct FuzzTarget: Sendable {
    let name: String
    /// What the target reads (for `--list`).
    let about: String
    let run: @Sendable ([UInt8]) throws -> Void

    /// Every target, in the order `make fuzz` runs them.
    static let all: [FuzzTarget] = [
        // libsndfile probes the container from the bytes; the three targets differ in their seeds.
        // Files this small are decoded from memory through libsndfile's virtual I/O (SndFileMemory).
        FuzzTarget(name: "wav", about: "AudioFile.read/info, WAV seeds") { try audio($0, "wav") },
        FuzzTarget(name: "flac", about: "AudioFile.read/info, FLAC seeds") { try audio($0, "flac") },
        FuzzTarget(name: "ogg", about: "AudioFile.read/info, OGG/Vorbis seeds") { try audio($0, "ogg") },
        FuzzTarget(name: "png", about: "ImageFile.read/info (libpng through CPNGRaw)") { bytes in
            let path = try ScratchFile.write(bytes, ext: "png")
            _ = try? ImageFile.info(path)
            _ = try ImageFile.read(path)
        },
        FuzzTarget(name: "idx", about: "IDX.info/read, plain and gzip") { bytes in
            let path = try ScratchFile.write(bytes, ext: "gz")
            _ = try? IDX.info(path)
            _ = try IDX.read(path)
        },
        FuzzTarget(name: "npy", about: "Npy.decode (from memory)") { bytes in
            _ = try Npy.decode(bytes, name: "fuzz.npy").floats()
        },
        FuzzTarget(name: "npz", about: "Npz.load") { bytes in
            _ = try Npz.load(try ScratchFile.write(bytes, ext: "npz"))
        },
        FuzzTarget(name: "safetensors", about: "SafeTensors.read, Checkpoint.loadModel") { bytes in
            let path = try ScratchFile.write(bytes, ext: "safetensors")
            _ = try SafeTensors.read(path)
            _ = try Checkpoint.loadModel(path)
        },
        FuzzTarget(name: "augment-yaml", about: "AugmentConfig.parse (YAML → augmentation chain)") { bytes in
            _ = try AugmentConfig.parse(yaml: String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml")
        },
        FuzzTarget(name: "pipeline-yaml", about: "YAMLValue.parse + PipelineSpec.parse (pipeline files)") { bytes in
            let root = try YAMLValue.parse(String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml")
            let d = Diagnostics()
            _ = PipelineSpec.parse(root, file: "fuzz.yaml", baseDirectory: ScratchFile.directory, diagnostics: d)
        },
    ]

    private static func audio(_ bytes: [UInt8], _ ext: String) throws {
        let path = try ScratchFile.write(bytes, ext: ext)
        _ = try? AudioFile.info(path)
        _ = try AudioFile.read(path)
    }
}

/// The readers take paths, so inputs go through one file per extension in a private directory
/// (on /dev/shm when there is one: a write costs a few microseconds there).
enum ScratchFile {
    static let directory: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        var template = Array("\(base)/percept-fuzz-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            fatalError("percept-fuzz: cannot create a scratch directory in \(base)")
        }
        return String(cString: made)
    }()

    static func write(_ bytes: [UInt8], ext: String) throws -> String {
        let path = "\(directory)/input.\(ext)"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw PerceptError.runtime("cannot write \(path)") }
        defer { close(fd) }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + done, bytes.count - done) }
            guard n > 0 else { throw PerceptError.runtime("cannot write \(path)") }
            done += n
        }
        return path
    }

    static func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
