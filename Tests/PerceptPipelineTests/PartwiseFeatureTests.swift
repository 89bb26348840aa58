import Foundation
import PerceptCore
import PerceptIO
import PerceptPipeline
import XCTest

/// The audio features on long files: computed in parts (`extractPartwise`) where that applies,
/// with the same bits as the whole read; declined (nil) where it does not.
final class PartwiseFeatureTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "percept-partwise-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    private func longFile(_ name: String, format: AudioFormat, frames: Int = 300_000) throws -> String {
        var rng = RandomStream(seed: 21)
        let y = (0..<frames).map { i in 0.4 * sinf(Float(i) * 0.003) + Float(rng.uniform(-0.1, 0.1)) }
        let path = dir + "/" + name
        try AudioFile.write(Tensor(unchecked: [1, frames], data: y), sampleRate: 16000, to: path, format: format)
        return path
    }

    private func bytes(_ o: FeatureOutput?) -> [UInt8]? {
        guard case let .array(t)? = o else { return nil }
        return t.shape.withUnsafeBytes { Array($0) } + t.storage.withUnsafeBytes { Array($0) }
    }

    func testLongWavInPartsEqualsTheWholeReadForEveryAudioFeature() throws {
        let wav = try longFile("long.wav", format: .wav16)
        let features: [any PartwiseFeature] = [
            try MelSpectrogramFeature(FeatureOptions.parse(["--n-fft", "512", "--hop-length", "160", "--n-mels", "64", "--db"], for: MelSpectrogramFeature.self)),
            try SpectrogramFeature(FeatureOptions.parse(["--n-fft", "1024", "--power", "1"], for: SpectrogramFeature.self)),
            try MFCCFeature(FeatureOptions.parse(["--n-mfcc", "13", "--deltas", "2"], for: MFCCFeature.self)),
            try MelSpectrogramFeature(FeatureOptions.parse(["--sr", "16000"], for: MelSpectrogramFeature.self)),
        ]
        for f in features {
            let parts = try XCTUnwrap(bytes(try f.extractPartwise(path: wav)), "\(type(of: f)) declined a long WAV")
            XCTAssertTrue(parts == bytes(try f.extract(f.load(path: wav), path: wav)), "\(type(of: f))")
        }
    }

    func testShortCompressedOrResampledFilesAreLeftToTheWholeRead() throws {
        let mel = try MelSpectrogramFeature(FeatureOptions.parse([], for: MelSpectrogramFeature.self))
        XCTAssertNil(try mel.extractPartwise(path: try longFile("short.wav", format: .wav16, frames: 16_000)), "short")
        XCTAssertNil(try mel.extractPartwise(path: try longFile("long.flac", format: .flac16)), "compressed")
        let resampled = try MelSpectrogramFeature(FeatureOptions.parse(["--sr", "8000"], for: MelSpectrogramFeature.self))
        XCTAssertNil(try resampled.extractPartwise(path: try longFile("long.wav", format: .wav16)), "resampled")
    }
}
