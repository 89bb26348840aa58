import CFreeType
import Foundation
import PerceptCore

/// A TrueType font rendered by FreeType into anti-aliased coverage masks: the text of every picture.
///
/// The face is found at run time: `PERCEPT_FONT` when set, else DejaVu Sans from Debian's
/// fonts-dejavu-core. No fontconfig: one known path keeps pictures identical across machines.
/// A FreeType face is not thread safe and `percept extract` draws pictures from several threads,
/// so every use of the face holds `lock`; glyphs are cached per pixel size, so each is rendered once.
///
///     let font = try Font.standard()
///     let label = try font.render("time (s)", size: 14)
public final class Font: @unchecked Sendable {
    /// Where Debian's fonts-dejavu-core puts DejaVu Sans.
    public static let debianPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    /// The environment variable that names another .ttf / .otf file.
    public static let environmentVariable = "PERCEPT_FONT"

    public let path: String
    private var library: FT_Library?
    private var face: FT_Face?
    private let lock = NSLock()
    private var glyphs: [GlyphKey: Glyph] = [:]
    private var metrics: [Int: (ascent: Int, descent: Int)] = [:]

    /// Loads the font file at `path`; a missing or unreadable file is a `PerceptError.runtime`
    /// naming the path and the Debian package that provides the default font.
    ///
    ///     let font = try Font(path: "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    public init(path: String) throws {
        self.path = path
        guard FileManager.default.isReadableFile(atPath: path) else { throw Font.missing(path) }
        var lib: FT_Library?
        guard FT_Init_FreeType(&lib) == 0, let lib else { throw PerceptError.runtime("FreeType could not start (FT_Init_FreeType failed)") }
        var f: FT_Face?
        guard FT_New_Face(lib, path, 0, &f) == 0, let f else {
            FT_Done_FreeType(lib)
            throw PerceptError.runtime("font \(path): FreeType cannot read it (set \(Font.environmentVariable) to a .ttf file, or install the Debian package fonts-dejavu-core)")
        }
        library = lib
        face = f
    }

    deinit {
        if let face { FT_Done_Face(face) }
        if let library { FT_Done_FreeType(library) }
    }

    static func missing(_ path: String) -> PerceptError {
        if path != debianPath, ProcessInfo.processInfo.environment[environmentVariable] == path {
            return .runtime("no font for picture labels at \(path) (named by \(environmentVariable)): point it at a .ttf file, or unset it to use \(debianPath) from the Debian package fonts-dejavu-core")
        }
        return .runtime("no font for picture labels at \(path): install the Debian package fonts-dejavu-core (make deps), or set \(environmentVariable) to a .ttf file")
    }

    private static let sharedLock = NSLock()
    nonisolated(unsafe) private static var shared: Font?

    /// The process-wide font: `$PERCEPT_FONT` or DejaVu Sans, loaded once.
    ///
    ///     let font = try Font.standard()
    public static func standard() throws -> Font {
        sharedLock.lock(); defer { sharedLock.unlock() }
        if let shared { return shared }
        let env = ProcessInfo.processInfo.environment[environmentVariable] ?? ""
        let font = try Font(path: env.isEmpty ? debianPath : env)
        shared = font
        return font
    }

    /// The rendered text: a coverage mask (0 = paper, 1 = ink), `baseline` rows below its top.
    public struct Bitmap: Sendable {
        public let width: Int, height: Int
        /// Row-major coverage in [0, 1].
        public let alpha: [Float]
        public let baseline: Int

        /// The same text turned 90° counter-clockwise (read bottom to top, for y-axis labels).
        ///
        ///     let vertical = label.rotatedLeft()
        public func rotatedLeft() -> Bitmap {
            var out = [Float](repeating: 0, count: alpha.count)
            // Pixel (y, x) moves to (width − 1 − x, y) in a height-wide, width-high mask.
            for y in 0..<height { for x in 0..<width { out[(width - 1 - x) * height + y] = alpha[y * width + x] } }
            return Bitmap(width: height, height: width, alpha: out, baseline: 0)
        }
    }

    /// The line height (ascent + descent, pixels) of `size`-pixel text.
    ///
    ///     let h = try font.lineHeight(size: 14)
    public func lineHeight(size: Int) throws -> Int {
        lock.lock(); defer { lock.unlock() }
        let m = try lineMetrics(size)
        return m.ascent + m.descent
    }

    /// The advance width in pixels of `text` at `size` pixels.
    ///
    ///     let w = try font.width(of: "0.5", size: 14)
    public func width(of text: String, size: Int) throws -> Int {
        lock.lock(); defer { lock.unlock() }
        return try text.unicodeScalars.reduce(0) { $0 + (try glyph($1, size)).advance }
    }

    /// `text` on one line at `size` pixels (the em height), as a coverage mask as wide as its advance
    /// and as high as the font's line.
    ///
    ///     let b = try font.render("mel band", size: 14)
    public func render(_ text: String, size: Int) throws -> Bitmap {
        guard (4...400).contains(size) else { throw PerceptError.invalidArgument(field: "size", "font size \(size) must be between 4 and 400 pixels") }
        lock.lock(); defer { lock.unlock() }
        let m = try lineMetrics(size)
        let gs = try text.unicodeScalars.map { try glyph($0, size) }
        let width = Swift.max(1, gs.reduce(0) { $0 + $1.advance }), height = m.ascent + m.descent
        var alpha = [Float](repeating: 0, count: width * height)
        var pen = 0
        for g in gs {
            for y in 0..<g.rows {
                let ty = m.ascent - g.top + y
                guard ty >= 0, ty < height else { continue }
                for x in 0..<g.cols {
                    let tx = pen + g.left + x
                    guard tx >= 0, tx < width else { continue }
                    alpha[ty * width + tx] = Swift.max(alpha[ty * width + tx], g.coverage[y * g.cols + x])
                }
            }
            pen += g.advance
        }
        return Bitmap(width: width, height: height, alpha: alpha, baseline: m.ascent)
    }

    private struct GlyphKey: Hashable { let scalar: UInt32, size: Int }

    private struct Glyph {
        let cols: Int, rows: Int, left: Int, top: Int, advance: Int
        let coverage: [Float]
    }

    /// Caller holds `lock`.
    private func setSize(_ size: Int) throws {
        guard let face, FT_Set_Pixel_Sizes(face, 0, FT_UInt(size)) == 0 else {
            throw PerceptError.runtime("font \(path): cannot scale to \(size) pixels")
        }
    }

    /// Caller holds `lock`.
    private func lineMetrics(_ size: Int) throws -> (ascent: Int, descent: Int) {
        if let m = metrics[size] { return m }
        try setSize(size)
        guard let sm = face?.pointee.size?.pointee.metrics else { throw PerceptError.runtime("font \(path): no size metrics") }
        // 26.6 fixed point, rounded outwards.
        let m = (ascent: Int((sm.ascender + 63) >> 6), descent: Int((-sm.descender + 63) >> 6))
        metrics[size] = m
        return m
    }

    /// Caller holds `lock`.
    private func glyph(_ scalar: Unicode.Scalar, _ size: Int) throws -> Glyph {
        let key = GlyphKey(scalar: scalar.value, size: size)
        if let g = glyphs[key] { return g }
        try setSize(size)
        guard let face, FT_Load_Char(face, FT_ULong(scalar.value), cfreetype_load_render) == 0, let slot = face.pointee.glyph else {
            throw PerceptError.runtime("font \(path): cannot render U+\(String(scalar.value, radix: 16, uppercase: true))")
        }
        let bm = slot.pointee.bitmap
        let rows = Int(bm.rows), cols = Int(bm.width), pitch = Int(bm.pitch)
        var coverage = [Float](repeating: 0, count: rows * cols)
        if let buf = bm.buffer, rows > 0, cols > 0 {
            for y in 0..<rows { for x in 0..<cols { coverage[y * cols + x] = Float(buf[y * pitch + x]) / 255 } }
        }
        let g = Glyph(cols: cols, rows: rows, left: Int(slot.pointee.bitmap_left), top: Int(slot.pointee.bitmap_top),
                      advance: Int((slot.pointee.advance.x + 32) >> 6), coverage: coverage)
        glyphs[key] = g
        return g
    }
}
