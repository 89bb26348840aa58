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
        XCTAssertTrue(text.contains("n_mfcc  --n-mfcc"), text)
    }
}
