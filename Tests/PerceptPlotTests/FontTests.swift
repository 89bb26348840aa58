import Foundation
import PerceptCore
import PerceptPlot
import XCTest

final class FontTests: XCTestCase {
    func testRenderedTextHasInkInsideItsMeasuredBox() throws {
        let font = try Font.standard()
        let b = try font.render("time (s) 0.5", size: 14)
        XCTAssertEqual(b.width, try font.width(of: "time (s) 0.5", size: 14))
        XCTAssertEqual(b.height, try font.lineHeight(size: 14))
        XCTAssertGreaterThan(b.alpha.filter { $0 > 0.5 }.count, 50)
        XCTAssertTrue(b.alpha.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    func testWiderTextMeasuresWider() throws {
        let font = try Font.standard()
        XCTAssertGreaterThan(try font.width(of: "frequency (Hz)", size: 13), try font.width(of: "Hz", size: 13))
        XCTAssertGreaterThan(try font.width(of: "Hz", size: 26), try font.width(of: "Hz", size: 13))
    }

    func testRotatedTextSwapsWidthAndHeightAndKeepsItsInk() throws {
        let b = try Font.standard().render("mel band", size: 13)
        let r = b.rotatedLeft()
        XCTAssertEqual(r.width, b.height)
        XCTAssertEqual(r.height, b.width)
        XCTAssertEqual(r.alpha.reduce(0, +), b.alpha.reduce(0, +), accuracy: 1e-3)
    }

    func testCanvasTextDrawsInkInTheBoxItReports() throws {
        var c = Canvas(width: 200, height: 40)
        let box = try c.text("label", at: 100, 20, font: Font.standard(), anchor: .center)
        var inside = 0, outside = 0
        for y in 0..<40 {
            for x in 0..<200 where c[x, y].r < 0.5 {
                let within = x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height
                if within { inside += 1 } else { outside += 1 }
            }
        }
        XCTAssertGreaterThan(inside, 20)
        XCTAssertEqual(outside, 0)
    }

    /// Pictures are drawn from several threads; the shared face is used under a lock.
    func testRenderingFromManyThreadsGivesTheSameBitmaps() throws {
        let font = try Font.standard()
        let words = ["time (s)", "frequency (Hz)", "mel band", "coefficient", "variant 12", "dB"]
        let expected = try words.map { try font.render($0, size: 13).alpha }
        let results = Results(count: 64)
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            let k = i % words.count
            results.set(i, (try? font.render(words[k], size: 13).alpha) == expected[k])
        }
        XCTAssertTrue(results.all, "every thread got the bitmap a single thread gets")
    }

    func testAMissingFontFileNamesThePathAndTheDebianPackage() {
        XCTAssertThrowsError(try Font(path: "/nonexistent/Font.ttf")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("/nonexistent/Font.ttf"), text)
            XCTAssertTrue(text.contains("fonts-dejavu-core"), text)
        }
    }

    func testWrapKeepsEveryLineWithinTheWidth() throws {
        let font = try Font.standard()
        let lines = try Canvas.wrap("random_crop left=2 top=0, rotate angle=-7.3, gauss_noise std=0.032", width: 150, font: font)
        XCTAssertGreaterThan(lines.count, 1)
        for line in lines where line.contains(" ") { XCTAssertLessThanOrEqual(try font.width(of: line, size: TextSize.caption), 150, line) }
        XCTAssertEqual(lines.joined(separator: " "), "random_crop left=2 top=0, rotate angle=-7.3, gauss_noise std=0.032")
    }
}

/// Per-iteration outcomes written from concurrent threads.
private final class Results: @unchecked Sendable {
    private var values: [Bool]
    private let lock = NSLock()
    init(count: Int) { values = [Bool](repeating: false, count: count) }
    func set(_ i: Int, _ v: Bool) { lock.lock(); values[i] = v; lock.unlock() }
    var all: Bool { lock.lock(); defer { lock.unlock() }; return values.allSatisfy { $0 } }
}
