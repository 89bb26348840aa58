import PerceptCore
import PerceptPipeline
import XCTest

/// `Catalog`: every registry's components by name, for `percept list` and docs/reference.md.
final class CatalogTests: XCTestCase {
    func testEveryRegistryIsListedWithItsComponents() {
        XCTAssertEqual(Catalog.registries.map(\.0), Catalog.Kind.allCases)
        for (kind, registry) in Catalog.registries {
            let listed = Catalog.entries.filter { $0.kind == kind }.map(\.name)
            XCTAssertFalse(listed.isEmpty, "\(kind) has components")
            XCTAssertEqual(listed, registry.listed.map(\.name), "\(kind)")
        }
        let names = Set(Catalog.entries.map { "\($0.kind.rawValue):\($0.name)" })
        for expected in ["feature:mfcc", "stage:horizontal_flip", "layer:conv2d", "loss:cross_entropy", "optimizer:adam"] {
            XCTAssertTrue(names.contains(expected), expected)
        }
    }

    func testLookupFindsNamesAndAliasesIgnoringCaseAndDashes() throws {
        XCTAssertEqual(try Catalog.lookup("Conv2D").map(\.name), ["conv2d"])
        XCTAssertEqual(try Catalog.lookup("linear").map(\.name), ["dense"], "alias of dense")
        XCTAssertEqual(try Catalog.lookup("horizontal-flip").map(\.kind), [.stage])
    }

    func testAnUnknownNameSuggestsTheClosest() {
        XCTAssertThrowsError(try Catalog.lookup("melspectogram")) { error in
            let e = error as? PerceptError
            XCTAssertEqual(e?.field, "melspectogram")
            XCTAssertTrue(e?.message.contains("did you mean 'melspectrogram'") ?? false, "\(String(describing: e))")
        }
    }

    func testListingAndDescriptionShowEveryEntryAndItsOptions() throws {
        let listing = Catalog.listing()
        for e in Catalog.entries { XCTAssertTrue(listing.contains("  " + e.name + " "), e.name) }
        XCTAssertFalse(Catalog.listing(kind: .loss).contains("conv2d"))
        let mfcc = try XCTUnwrap(try Catalog.lookup("mfcc").first)
        let text = Catalog.describe(mfcc)
        XCTAssertTrue(text.hasPrefix("mfcc (feature): "), text)
        XCTAssertTrue(text.range(of: #"\n  n_mfcc +--n-mfcc +int +20 +number of coefficients\n"#, options: .regularExpression) != nil, text)
        let conv = Catalog.describe(try XCTUnwrap(try Catalog.lookup("conv2d").first))
        XCTAssertFalse(conv.contains("--"), "layers are YAML-only: \(conv)")
    }

    func testARequirementIsShownAsTheUserWritesIt() throws {
        let feature = try XCTUnwrap(try Catalog.lookup("melspectrogram").first { $0.kind == .feature })
        let transform = try XCTUnwrap(try Catalog.lookup("melspectrogram").first { $0.kind == .transform })
        XCTAssertTrue(Catalog.describe(feature).contains("(only with --db)"))
        XCTAssertTrue(Catalog.describe(transform).contains("(only with db)"))
        XCTAssertTrue(Catalog.markdown.contains("| `top_db` | `--top-db` | float | `80` | floor at max - top_db ('none' for no floor) (only with `--db`) |"))
        XCTAssertTrue(Catalog.markdown.contains("| `gamma` | float | `0.1` | decay factor (only with `kind step or exponential`) |"))
    }
}
