import PerceptCore
@testable import PerceptPipeline
import XCTest

/// The `compare:` section: defaults, every key checked with its YAML line, perturbations as stage lists.
final class CompareSpecTests: XCTestCase {
    private func parse(_ compare: String) -> (PipelineSpec?, [String]) {
        PipelineSpecTests.parse(PipelineSpecTests.minimal + "\n" + compare)
    }

    func testAFileWithoutTheSectionGetsTheDefaults() throws {
        let (spec, errors) = parse("")
        XCTAssertEqual(errors, [])
        let c = try XCTUnwrap(spec).compare
        XCTAssertEqual(c.learningCurve, [5, 20, 100])
        XCTAssertNil(c.robustness, "nil: the data kind's defaults")
        XCTAssertEqual(c.knnK, 20)
        XCTAssertEqual(c.probeStrengths, [1e-4, 1e-3, 1e-2, 1e-1, 1])
        XCTAssertEqual(c.projectionSamples, 1000)
        XCTAssertTrue(c.tsne)
    }

    func testEveryKeyIsRead() throws {
        let (spec, errors) = parse("""
            compare:
              learning_curve: [50, 10, 10]
              curve_min_steps: 40
              knn_k: 5
              probe_strengths: [0.01, 1]
              projection_samples: 200
              tsne: false
              robustness:
                blur: [{gaussian_blur: {sigma_limit: 1, p: 1}}]
            """)
        XCTAssertEqual(errors, [])
        let c = try XCTUnwrap(spec).compare
        XCTAssertEqual(c.learningCurve, [10, 50], "sorted, duplicates dropped")
        XCTAssertEqual(c.curveMinSteps, 40)
        XCTAssertEqual(c.knnK, 5)
        XCTAssertEqual(c.probeStrengths, [0.01, 1])
        XCTAssertEqual(c.projectionSamples, 200)
        XCTAssertFalse(c.tsne)
        XCTAssertEqual(c.robustness?.map(\.name), ["blur"])
        XCTAssertEqual(c.robustness?.first?.chain.steps.map(\.name), ["gaussian_blur"])
    }

    func testRobustnessFalseMeansNoPerturbations() throws {
        let (spec, errors) = parse("compare: {robustness: false}")
        XCTAssertEqual(errors, [])
        XCTAssertEqual(try XCTUnwrap(spec).compare.robustness?.count, 0)
    }

    func testBadValuesNameTheKeyAndLine() {
        let (_, errors) = parse("""
            compare:
              learning_curve: [0, five]
              knn_k: 0
              projection_samples: 100000
              robustness:
                blur: [{gaussian_blurr: {p: 1}}]
              tnse: true
            """)
        let text = errors.joined(separator: "\n")
        XCTAssertTrue(text.contains("compare.tnse") && text.contains("did you mean 'tsne'"), text)
        XCTAssertTrue(text.contains("compare.learning_curve") && text.contains("got 0"), text)
        XCTAssertTrue(text.contains("got five"), text)
        XCTAssertTrue(text.contains("compare.knn_k"), text)
        XCTAssertTrue(text.contains("compare.projection_samples") && text.contains("at most 5000"), text)
        XCTAssertTrue(text.contains("compare.robustness.blur") && text.contains("gaussian_blur"), text)
        XCTAssertTrue(text.contains("line "), "errors carry the YAML line: \(text)")
    }

    func testEachKindHasDefaultPerturbationsThatKeepTheShape() throws {
        XCTAssertEqual(CompareSpec.defaultPerturbations(for: .image).map(\.name), ["noise σ 0.1", "rotation ±15°", "brightness +0.2"])
        XCTAssertEqual(CompareSpec.defaultPerturbations(for: .audio).map(\.name), ["noise 10 dB SNR", "gain −12 dB"])
        XCTAssertEqual(CompareSpec.defaultPerturbations(for: .vector).count, 0)
        let image = SampleShape(kind: .image, dims: [1, 28, 28])
        for p in CompareSpec.defaultPerturbations(for: .image) {
            XCTAssertEqual(try p.chain.outputShape(for: image, 0..<p.chain.steps.count, randomStages: true), image, p.name)
        }
    }
}
