import PerceptCore
import PerceptPipeline
import XCTest

/// `--set KEY=VALUE` on a pipeline file (Hydra-like dotted paths and list indices).
final class OverridesTests: XCTestCase {
    var root: Value = nil

    override func setUpWithError() throws {
        root = try YAMLValue.parse("""
        models:
          cnn:
            layers: [relu, {conv2d: {out_channels: 8, kernel_size: 3}}]
            train: {epochs: 3}
        """, file: "p.yaml")
    }

    func testAnExistingKeyIsReplacedByATypedValueThatNamesTheFlag() throws {
        let v = try Overrides.apply("models.cnn.train.epochs=30", to: root)
        XCTAssertEqual(v["models"]?["cnn"]?["train"]?["epochs"]?.content, .int(30))
        XCTAssertEqual(v["models"]?["cnn"]?["train"]?["epochs"]?.origin, .flag("--set"))
        XCTAssertEqual(v["models"]?["cnn"]?["train"]?["epochs"]?.origin.suffix, " (--set)")
    }

    func testListIndicesReachIntoLayerLists() throws {
        let v = try Overrides.apply("models.cnn.layers[1].conv2d.kernel_size=[3, 5]", to: root)
        XCTAssertEqual(v["models"]?["cnn"]?["layers"]?.items?[1]["conv2d"]?["kernel_size"], [3, 5])
    }

    func testAMissingKeyIsAnErrorWithTheClosestUnlessAdded() throws {
        XCTAssertThrowsError(try Overrides.apply("models.cnn.train.epoch=3", to: root)) {
            XCTAssertEqual("\($0)", "--set models.cnn.train.epoch: 'models.cnn.train' has no key 'epoch' (did you mean 'epochs'?)")
        }
        let v = try Overrides.apply("+models.cnn.train.l2=0.01", to: root)
        XCTAssertEqual(v["models"]?["cnn"]?["train"]?["l2"], 0.01)
    }

    func testBadIndicesAndSyntaxAreErrors() {
        XCTAssertThrowsError(try Overrides.apply("models.cnn.layers[5].relu=1", to: root)) {
            XCTAssertEqual("\($0)", "--set models.cnn.layers[5].relu: 'models.cnn.layers' has 2 items; [5] does not exist")
        }
        XCTAssertThrowsError(try Overrides.apply("models.cnn.train.epochs", to: root)) {
            XCTAssertTrue("\($0)".contains("must be KEY=VALUE"))
        }
        XCTAssertThrowsError(try Overrides.apply("models..x=1", to: root))
    }
}
