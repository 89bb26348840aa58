import Foundation
import PerceptAugment
import PerceptCore
import PerceptIO
import XCTest

/// Every stage's drawn parameters survive JSON and replay to the same output.
final class StageDrawTests: XCTestCase {
    func testEveryStageRoundTripsThroughJSONAndReplays() throws {
        let dir = NSTemporaryDirectory() + "percept-draws-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AudioFile.write(Tensor(unchecked: [1, 4000], data: tone(97, sr: 16000, n: 4000)), sampleRate: 16000, to: dir + "/n.wav", format: .wavFloat)
        let extra: [String: [String: Value]] = [
            "random_resized_crop": ["height": "6", "width": "7"], "frequency_masking": ["freq_mask_param": "4"],
            "time_masking": ["time_mask_param": "4"], "add_background_noise": ["sounds_path": .of(dir)],
            "random_crop": ["padding": "2"], "affine": ["scale": "0.9,1.1", "rotate": "10", "shear": "5", "translate_percent": "0.1"],
            "color_jitter": ["brightness": "0.3", "contrast": "0.3", "saturation": "0.3"],
        ]
        let inputs: [SampleKind: Sample] = [
            .image: try Sample(image: testImage(3, 12, 14)),
            .audio: try Sample(audio: Tensor(unchecked: [2, 3000], data: tone(440, sr: 16000, n: 6000)), sampleRate: 16000),
            .spectrogram: try Sample(spectrogram: testImage(1, 20, 30)),
        ]
        for t in StageRegistry.shared.entries.compactMap({ $0.info.type as? any AugmentationStage.Type }) {
            var values = extra[t.name] ?? [:]
            values["p"] = "1"
            let step = try StageRegistry.make(t.name, values)
            guard case let .sample(stage) = step else { return XCTFail(t.name) }
            let chain = AugmentationChain([step])
            let input = try XCTUnwrap(inputs[type(of: stage).kind])
            let draws = try chain.draw(for: input.shape, seed: 3, epoch: 1, index: 4)
            XCTAssertTrue(draws[0].applied, t.name)
            let decoded = try JSONDecoder().decode([StageDraw].self, from: JSONEncoder().encode(draws))
            XCTAssertEqual(decoded, draws, t.name)
            let direct = try chain.apply(to: input, seed: 3, epoch: 1, index: 4)
            XCTAssertEqual(try chain.replay(decoded, on: input).data, direct.data, t.name)
            XCTAssertEqual(direct.data.shape, try chain.outputShape(for: input.shape).dims, t.name)
        }
    }
}
