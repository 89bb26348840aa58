import Foundation
import PerceptCore
import PerceptIO
import PerceptNN

/// Seeds that Samples/ has no file for, written by Percept's own writers so they are valid:
/// a 50 ms FLAC and OGG/Vorbis clip, a small .npz and a two-layer model checkpoint. The WAV,
/// PNG, IDX, .npy and YAML seeds are copies of (or cut from) files in Samples/ and Pipelines/.
enum Seeds {
    static func write(to dir: String) throws {
        let wave = Tensor(unchecked: [1, 800], data: (0..<800).map { Float(sin(Double($0) * 0.2)) * 0.5 })
        for (name, format) in [("flac", AudioFormat.flac16), ("ogg", .oggVorbis)] {
            try FileManager.default.createDirectory(atPath: "\(dir)/\(name)", withIntermediateDirectories: true)
            try AudioFile.write(wave, sampleRate: 16000, to: "\(dir)/\(name)/clip.\(name)", format: format)
        }
        try FileManager.default.createDirectory(atPath: "\(dir)/npz", withIntermediateDirectories: true)
        try Npz.save([("a", Tensor(unchecked: [2, 3], data: [1, 2, 3, 4, 5, 6])),
                      ("b", Tensor(unchecked: [4], data: [0.5, -1, 2, 8]))], to: "\(dir)/npz/pair.npz")
        try FileManager.default.createDirectory(atPath: "\(dir)/safetensors", withIntermediateDirectories: true)
        let model = try Sequential([LayerSpec("flatten"), LayerSpec("dense", ["out_features": "2"])], inputShape: [1, 2, 2], seed: 1)
        try Checkpoint.save(model, to: "\(dir)/safetensors/model.safetensors")
    }
}
