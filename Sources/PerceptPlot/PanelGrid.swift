import PerceptCore

/// One picture in a grid: an image [C, H, W] in [0, 1] (C = 1, 3 or 4), a caption under it and
/// optional smaller lines below the caption (the stages a variant went through).
///
///     let t = Tile(Tensor(shape: [1, 28, 28]), caption: "true 3 / predicted 5")
public struct Tile: Sendable {
    public var image: Tensor
    public var caption: String
    public var notes: [String]

    public init(_ image: Tensor, caption: String, notes: [String] = []) {
        self.image = image; self.caption = caption; self.notes = notes
    }
}

/// Labelled pictures in a grid: each tile captioned, small images enlarged with nearest neighbour
/// by a whole factor until they are at least `minTileHeight` pixels high (the caption then says
/// "×k"), tiles top-aligned; each column as wide as its widest tile, each row as high as its tallest.
///
///     let sheet = try PanelGrid.render([Tile(img, caption: "original"), Tile(v, caption: "variant 1")], columns: 4)
///     try ImageFile.write(sheet, to: "sheet.png")
public enum PanelGrid {
    /// Default least height of a tile on screen, in pixels: a 28-pixel digit is shown ×4, an 8 × 8 one ×14.
    public static let minTileHeight = 112
    static let pad = 10

    /// The whole factor that makes an image of height `h` at least `minHeight` pixels high.
    ///
    ///     PanelGrid.scale(forHeight: 28)   // 4
    public static func scale(forHeight h: Int, minHeight: Int = minTileHeight) -> Int {
        h <= 0 ? 1 : Swift.max(1, (minHeight + h - 1) / h)
    }

    /// Tiles in rows of `columns` (default: ⌈√n⌉) under an optional title, as [3, H, W] in [0, 1].
    /// Notes are wrapped to the cell's width.
    public static func render(_ tiles: [Tile], columns: Int? = nil, title: String? = nil, minTileHeight: Int = minTileHeight,
                              font: Font? = nil) throws -> Tensor {
        guard !tiles.isEmpty else { throw PerceptError.invalidArgument(field: "tiles", "a grid needs at least one tile") }
        for (i, t) in tiles.enumerated() { try check(t.image, "tiles[\(i)]") }
        let font = try font ?? Font.standard()
        let cols = Swift.max(1, Swift.min(tiles.count, columns ?? Int(Double(tiles.count).squareRoot().rounded(.up))))
        let rows = (tiles.count + cols - 1) / cols
        let scales = tiles.map { scale(forHeight: $0.image.shape[1], minHeight: minTileHeight) }
        let captions = zip(tiles, scales).map { $1 > 1 ? "\($0.caption)  (×\($1))" : $0.caption }
        let sizes = zip(tiles, scales).map { (w: $0.image.shape[2] * $1, h: $0.image.shape[1] * $1) }
        let line = try font.lineHeight(size: TextSize.caption)
        // Each column as wide as its widest tile or caption (notes get at least 200 px), each row as high as its tallest tile.
        var colW = [Int](repeating: 0, count: cols), rowImageH = [Int](repeating: 0, count: rows)
        for (i, t) in tiles.enumerated() {
            let need = Swift.max(sizes[i].w, try font.width(of: captions[i], size: TextSize.caption), t.notes.isEmpty ? 0 : 200)
            colW[i % cols] = Swift.max(colW[i % cols], need)
            rowImageH[i / cols] = Swift.max(rowImageH[i / cols], sizes[i].h)
        }
        let wrapped = try tiles.enumerated().map { i, t in
            try t.notes.flatMap { try Canvas.wrap($0, width: colW[i % cols], font: font, size: TextSize.caption) }
        }
        var rowH = rowImageH.map { $0 + 6 + line }
        for (i, w) in wrapped.enumerated() { rowH[i / cols] = Swift.max(rowH[i / cols], rowImageH[i / cols] + 6 + line * (1 + w.count)) }
        let titleH = title == nil ? 0 : try font.lineHeight(size: TextSize.title) + pad
        let titleW = try title.map { try font.width(of: $0, size: TextSize.title) + 2 * pad } ?? 0
        var c = Canvas(width: Swift.max(titleW, pad + colW.reduce(0, +) + cols * pad), height: pad + titleH + rowH.reduce(0, +) + rows * pad)
        if let title { try c.text(title, at: pad, pad, font: font, size: TextSize.title) }
        let xs = colW.indices.map { j in pad + colW[..<j].reduce(0, +) + j * pad }
        let ys = rowH.indices.map { r in pad + titleH + rowH[..<r].reduce(0, +) + r * pad }
        for (i, t) in tiles.enumerated() {
            let cellW = colW[i % cols], x = xs[i % cols], y = ys[i / cols]
            let (w, h) = sizes[i]
            try c.draw(image: t.image, x: x + (cellW - w) / 2, y: y, scale: scales[i])
            c.outline(x: x + (cellW - w) / 2, y: y, width: w, height: h, color: .gridLine)
            try c.text(captions[i], at: x + cellW / 2, y + h + 6, font: font, size: TextSize.caption, anchor: .topCenter)
            for (k, note) in wrapped[i].enumerated() {
                try c.text(note, at: x, y + h + 6 + line * (k + 1), font: font, size: TextSize.caption, color: .frame)
            }
        }
        return c.tensor
    }

    /// A table of images: `rowLabels` on the left, `columnLabels` on top, every cell enlarged by the
    /// same whole factor (so rows stay comparable), as [3, H, W].
    ///
    ///     let sheet = try PanelGrid.table([[digit, gx, gy]], rowLabels: ["0000 (3)"], columnLabels: ["input", "gx", "gy"])
    public static func table(_ cells: [[Tensor]], rowLabels: [String], columnLabels: [String], title: String? = nil,
                             minTileHeight: Int = minTileHeight, font: Font? = nil) throws -> Tensor {
        guard !cells.isEmpty, cells.allSatisfy({ !$0.isEmpty }) else {
            throw PerceptError.invalidArgument(field: "cells", "a table needs at least one image in every row")
        }
        for (i, row) in cells.enumerated() { for (j, t) in row.enumerated() { try check(t, "cells[\(i)][\(j)]") } }
        let font = try font ?? Font.standard()
        let all = cells.flatMap { $0 }
        let k = scale(forHeight: all.map { $0.shape[1] }.max() ?? 1, minHeight: minTileHeight)
        let ncols = cells.map(\.count).max() ?? 1
        let cellH = (all.map { $0.shape[1] }.max() ?? 1) * k
        var colW = [Int](repeating: 0, count: ncols)
        for row in cells { for (j, t) in row.enumerated() { colW[j] = Swift.max(colW[j], t.shape[2] * k) } }
        for (j, label) in columnLabels.prefix(ncols).enumerated() { colW[j] = Swift.max(colW[j], try font.width(of: label, size: TextSize.caption)) }
        let labelW = try rowLabels.map { try font.width(of: $0, size: TextSize.caption) }.max() ?? 0
        let line = try font.lineHeight(size: TextSize.caption)
        let titleH = title == nil ? 0 : try font.lineHeight(size: TextSize.title) + pad
        let x0 = pad + labelW + pad, y0 = pad + titleH + line + 6
        let titleW = try title.map { try font.width(of: $0, size: TextSize.title) + 2 * pad } ?? 0
        var c = Canvas(width: Swift.max(titleW, x0 + colW.reduce(0, +) + pad * ncols), height: y0 + cells.count * (cellH + pad))
        if let title { try c.text(title, at: pad, pad, font: font, size: TextSize.title) }
        var xs = [Int](), x = x0
        for w in colW { xs.append(x); x += w + pad }
        for (j, label) in columnLabels.prefix(ncols).enumerated() {
            try c.text(label, at: xs[j] + colW[j] / 2, pad + titleH, font: font, size: TextSize.caption, anchor: .topCenter)
        }
        for (i, row) in cells.enumerated() {
            let y = y0 + i * (cellH + pad)
            if i < rowLabels.count { try c.text(rowLabels[i], at: x0 - pad, y + cellH / 2, font: font, size: TextSize.caption, anchor: .middleRight) }
            for (j, t) in row.enumerated() {
                try c.draw(image: t, x: xs[j] + (colW[j] - t.shape[2] * k) / 2, y: y, scale: k)
            }
        }
        return c.tensor
    }

    /// An image is [C, H, W] with C = 1, 3 or 4 and a pixel at least.
    static func check(_ t: Tensor, _ field: String) throws {
        guard t.rank == 3, [1, 3, 4].contains(t.shape[0]), t.shape[1] > 0, t.shape[2] > 0 else {
            throw PerceptError.invalidArgument(field: field, "expected an image [C, H, W] with C = 1, 3 or 4, got \(t.shape)")
        }
    }
}
