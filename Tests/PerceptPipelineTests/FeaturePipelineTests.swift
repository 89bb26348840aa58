import Foundation
import PerceptAugment
import PerceptCore
import PerceptIO
import PerceptPipeline
import XCTest

/// `FeaturePipeline`: a data set's items through a chain, the deterministic prefix cached on
/// disk, random stages on training samples only.
final class FeaturePipelineTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "percept-features-\(UUID().uuidString)"
        for c in ["a", "b"] { try FileManager.default.createDirectory(atPath: "\(dir)/clips/\(c)", withIntermediateDirectories: true) }
        for i in 0..<6 {
            let data = (0..<1200).map { Float(sin(Double($0 * (i + 1)) * 0.03)) * 0.5 }
            try AudioFile.write(Tensor(unchecked: [1, 1200], data: data), sampleRate: 8000, to: "\(dir)/clips/\(i % 2 == 0 ? "a" : "b")/\(i).wav")
        }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    let chainYAML = """
        - fix_length: {size: 1000}
        - add_gaussian_snr: {min_snr_db: 5, max_snr_db: 10, p: 1}
        - melspectrogram: {n_fft: 256, hop_length: 128, n_mels: 16, db: true}
        """

    private func pipeline(_ yaml: String? = nil, augment: Bool = true, cache: Bool = true) throws -> FeaturePipeline {
        let spec = try DataSpec(name: "clips", kind: .audio, train: .folder("\(dir)/clips"))
        let ds = try Dataset.load(spec, seed: 1)
        let items = try YAMLValue.parse(yaml ?? chainYAML, file: "f.yaml")
        let chain = AugmentationChain(try StageRegistry.steps(items, path: "features.f"))
        return try FeaturePipeline(dataset: ds, chain: chain, items: items, seed: 5, augment: augment,
                                   cacheDirectory: cache ? "\(dir)/cache" : nil, first: try ds.sample(ds.train[0]).shape)
    }

    func testTheModelInputShapeComesFromTheWholeChain() throws {
        let f = try pipeline()
        XCTAssertEqual(f.prefixEnd, 1)
        XCTAssertEqual(f.inputShape.kind, .spectrogram)
        XCTAssertEqual(f.inputShape.dims, [1, 16, 8])
    }

    func testRunningTheChainInPartsEqualsApplyingItWhole() throws {
        let f = try pipeline(cache: false)
        let item = f.dataset.train[2]
        let whole = try f.chain.apply(to: try f.dataset.sample(item), seed: 5, epoch: 3, index: 2)
        XCTAssertEqual(try f.sample(item, index: 2, epoch: 3), whole)
    }

    func testEvaluationSkipsRandomStagesAndEachEpochDrawsAfresh() throws {
        let f = try pipeline(cache: false)
        let item = f.dataset.train[0]
        let clean = try f.sample(item, index: 0, epoch: nil)
        let expected = try f.chain.apply(0..<f.chain.steps.count, to: try f.dataset.sample(item), randomStages: false, seed: 0, epoch: 0, index: 0)
        XCTAssertEqual(clean, expected)
        let e0 = try f.sample(item, index: 0, epoch: 0), e1 = try f.sample(item, index: 0, epoch: 1)
        XCTAssertNotEqual(e0, clean)
        XCTAssertNotEqual(e0, e1)
        XCTAssertEqual(try f.sample(item, index: 0, epoch: 1), e1, "the same epoch and index draw the same")
        let plain = try pipeline(augment: false, cache: false)
        XCTAssertEqual(try plain.sample(item, index: 0, epoch: 4), clean, "augment: false trains on clean features")
    }

    func testThePrefixIsCachedAndOnlyAChangedOptionRecomputes() throws {
        let all = { (f: FeaturePipeline) in f.dataset.train + f.dataset.validation + f.dataset.test }
        let first = try pipeline()
        let n = all(first).count
        XCTAssertEqual(n, 6)
        XCTAssertEqual(try first.warm(all(first)).computed, n)
        let second = try pipeline()
        let counts = try second.warm(all(second))
        XCTAssertEqual(counts.hits, n)
        XCTAssertEqual(counts.computed, 0)
        XCTAssertEqual(try second.sample(all(second)[3], index: 3, epoch: 2), try first.sample(all(first)[3], index: 3, epoch: 2),
                       "features from the cache equal freshly computed ones")
        // A stage after the prefix does not key the cache; a prefix option does.
        let laterChange = try pipeline(chainYAML.replacingOccurrences(of: "n_mels: 16", with: "n_mels: 8"))
        XCTAssertEqual(try laterChange.warm(all(laterChange)).hits, n)
        let prefixChange = try pipeline(chainYAML.replacingOccurrences(of: "size: 1000", with: "size: 900"))
        XCTAssertEqual(try prefixChange.warm(all(prefixChange)).computed, n)
    }

    func testAChainWhoseRandomStagesChangeTheShapeIsRejected() throws {
        for c in ["x", "y"] {
            try FileManager.default.createDirectory(atPath: "\(dir)/img/\(c)", withIntermediateDirectories: true)
            try ImageFile.write(Tensor(shape: [1, 8, 8], repeating: 0.5), to: "\(dir)/img/\(c)/0.png")
        }
        let ds = try Dataset.load(try DataSpec(name: "img", kind: .image, train: .folder("\(dir)/img")), seed: 1)
        let items = try YAMLValue.parse("[random_crop: {height: 4, width: 4}]", file: "f.yaml")
        let chain = AugmentationChain(try StageRegistry.steps(items, path: "features.f"))
        let first = try ds.sample(ds.train[0]).shape
        XCTAssertThrowsError(try FeaturePipeline(dataset: ds, chain: chain, items: items, seed: 1, augment: true, cacheDirectory: nil, first: first)) {
            XCTAssertTrue("\($0)".contains("random stages change the shape from [1, 8, 8] to [1, 4, 4]"), "\($0)")
        }
        XCTAssertNoThrow(try FeaturePipeline(dataset: ds, chain: chain, items: items, seed: 1, augment: false, cacheDirectory: nil, first: first),
                         "without augmentation the random stage never runs")
    }
}
