import Foundation
import PerceptCore

/// HoG's glyph picture drawn large: per cell, one line per orientation bin through the cell's
/// centre, perpendicular to the bin's mid-angle (along the edge, as scikit-image's `visualize=True`
/// draws it), as bright as the bin's value. Cells are `cellSize` pixels however small the image's
/// cells were, so an 8 × 8 digit's 4 × 4-pixel cells still show their orientations.
///
///     let glyphs = try OrientationGlyphs.render(hog.cellHistograms(gray), cellSize: 32)
public enum OrientationGlyphs {
    /// Histograms [cell rows, cell cols, orientations] → [1, rows · cellSize, cols · cellSize] in [0, 1],
    /// white lines on black. The 99th percentile of the bin values is full white, so a few strong
    /// edges do not leave the rest invisible.
    public static func render(_ histograms: Tensor, cellSize: Int) throws -> Tensor {
        guard histograms.rank == 3, histograms.shape.allSatisfy({ $0 > 0 }) else {
            throw PerceptError.invalidArgument(field: "histograms", "expected [cell rows, cell cols, orientations], got \(histograms.shape)")
        }
        guard cellSize >= 8 else { throw PerceptError.invalidArgument(field: "cellSize", "cell size \(cellSize) must be ≥ 8 pixels") }
        let nr = histograms.shape[0], nc = histograms.shape[1], n = histograms.shape[2]
        let sorted = histograms.storage.filter { $0 > 0 }.sorted()
        let top = sorted.isEmpty ? 1 : sorted[Swift.min(sorted.count - 1, sorted.count * 99 / 100)]
        var c = Canvas(width: nc * cellSize, height: nr * cellSize, background: .black)
        let radius = Double(cellSize) / 2 - 2
        // Lines about 1/24 of a cell thick, so big cells do not hold hairlines.
        let thick = Swift.max(1, cellSize / 24)
        for r in 0..<nr {
            for col in 0..<nc {
                let cy = (Double(r) + 0.5) * Double(cellSize) - 0.5, cx = (Double(col) + 0.5) * Double(cellSize) - 0.5
                for o in 0..<n {
                    let v = histograms.storage[(r * nc + col) * n + o] / top
                    guard v > 0 else { continue }
                    let mid = Double.pi * (Double(o) + 0.5) / Double(n)
                    // scikit-image's endpoints: (row − dc, col + dr) to (row + dc, col − dr).
                    let dr = radius * sin(mid), dc = radius * cos(mid)
                    let nx = dc / radius, ny = dr / radius   // unit normal to the line
                    for k in 0..<thick {
                        let off = Double(k) - Double(thick - 1) / 2
                        c.line(cx + dr + off * nx, cy - dc + off * ny, cx - dr + off * nx, cy + dc + off * ny, color: .white, alpha: Swift.min(1, v))
                    }
                }
            }
        }
        let planar = c.tensor
        return Tensor(unchecked: [1, c.height, c.width], data: Array(planar.storage[0..<(c.width * c.height)]))
    }
}
