import PerceptCore

/// Perceptually uniform colour maps (matplotlib's tables, in ColormapTables.swift) and gray:
/// magnitudes read as lightness, so a spectrogram's quiet parts do not look like its loud ones.
/// `twilight` is cyclic, for angles: −π and π get the same colour.
///
///     let c = Colormap.viridis.color(0.5)   // (0.128, 0.567, 0.551)
public enum Colormap: String, Sendable, CaseIterable {
    case viridis, magma, twilight, gray

    /// Number of entries in the table.
    public var entries: Int {
        switch self {
        case .viridis: return Colormap.viridisTable.count / 3
        case .magma: return Colormap.magmaTable.count / 3
        case .twilight: return Colormap.twilightTable.count / 3
        case .gray: return 256
        }
    }

    /// Entry `i` of the table (clamped to 0 ..< entries).
    ///
    ///     let first = Colormap.magma.entry(0)
    public func entry(_ i: Int) -> RGB {
        let k = Swift.min(entries - 1, Swift.max(0, i))
        switch self {
        case .viridis: return Colormap.rgb(Colormap.viridisTable, k)
        case .magma: return Colormap.rgb(Colormap.magmaTable, k)
        case .twilight: return Colormap.rgb(Colormap.twilightTable, k)
        case .gray: return RGB(gray: Float(k) / 255)
        }
    }

    /// The colour of `t` in [0, 1] (clamped), as matplotlib picks it: the entry ⌊t · entries⌋.
    ///
    ///     let mid = Colormap.viridis.color(0.5)
    public func color(_ t: Float) -> RGB {
        let u = t.isFinite ? Swift.min(1, Swift.max(0, t)) : 0
        return entry(Int(u * Float(entries)))
    }

    private static func rgb(_ table: [Float], _ k: Int) -> RGB { RGB(table[3 * k], table[3 * k + 1], table[3 * k + 2]) }

    /// A rows × cols plane through this map as an RGB image [3, rows, cols], `lo` at the map's
    /// start and `hi` at its end (row 0 on top).
    ///
    ///     let tile = Colormap.twilight.image(angles, rows: h, cols: w, lo: -.pi, hi: .pi)
    public func image(_ values: [Float], rows: Int, cols: Int, lo: Float, hi: Float) -> Tensor {
        var c = Canvas(width: cols, height: rows)
        c.draw(plane: values, rows: rows, cols: cols, x: 0, y: 0, width: cols, height: rows, colormap: self, lo: lo, hi: hi)
        return c.tensor
    }
}
