import Foundation
import PerceptCore

/// A time × rows picture with axes: spectrograms, mel spectrograms, MFCCs. Row 0 is drawn at the
/// bottom (low frequencies low), the x axis is in seconds, the y axis in the rows' own unit, and
/// dB pictures get a colour bar.
///
/// Size rules, so every bin can be seen: each row is at least 4 pixels high (and the plot at least
/// `minPlotHeight`), the plot at least 600 pixels wide (see `plotSize`).
///
///     var h = Heatmap(values: db, rows: 64, cols: 101, title: "log-mel spectrogram")
///     h.secondsPerColumn = 160.0 / 16000; h.yLabel = "mel band"; h.colorbarLabel = "dB"
///     let picture = try h.render().tensor
public struct Heatmap: Sendable {
    /// rows × cols, row-major; row 0 is the lowest frequency / first coefficient.
    public var values: [Float]
    public var rows: Int, cols: Int
    public var title: String
    /// A second, smaller line under the title (how the values were scaled).
    public var note: String?
    public var colormap: Colormap = .magma
    /// The values at the two ends of the colour map (default: min and max).
    public var range: ClosedRange<Float>?
    /// Seconds between columns (hop length / sample rate); x ticks are in seconds.
    public var secondsPerColumn: Double = 1
    public var xLabel = "time (s)"
    public var yLabel = "row"
    /// The y value of row r is r · yScale (Hz per bin for a spectrogram, 1 for band or coefficient indices).
    public var yScale: Double = 1
    /// Label of a colour bar; nil draws none (values without a unit, such as normalised MFCCs).
    public var colorbarLabel: String?

    public static let minPlotWidth = 600, minRowHeight = 4, minPlotHeight = 200
    /// Beyond this many columns the plot samples columns (nearest) instead of growing.
    public static let maxPlotWidth = 2400

    public init(values: [Float], rows: Int, cols: Int, title: String) {
        self.values = values; self.rows = rows; self.cols = cols; self.title = title
    }

    /// Plot area in pixels: ≥ 4 px per row and ≥ `minPlotHeight`; ≥ 600 px wide, and for tall plots
    /// (a 1025-bin spectrogram) as wide as high up to 1600 px, so the picture is not a sliver;
    /// narrow inputs are widened by a whole factor.
    public var plotSize: (width: Int, height: Int) {
        let rowPx = Swift.max(Heatmap.minRowHeight, (Heatmap.minPlotHeight + rows - 1) / Swift.max(1, rows))
        let height = rows * rowPx
        let target = Swift.max(Heatmap.minPlotWidth, Swift.min(1600, height))
        let width = cols >= target ? Swift.min(cols, Heatmap.maxPlotWidth) : cols * ((target + cols - 1) / Swift.max(1, cols))
        return (width, height)
    }

    /// Each row mapped to [0, 1] over its own min…max (a constant row becomes 0.5), so MFCC 0,
    /// whose range is ten times the others', does not flatten them to one colour.
    ///
    ///     let shown = Heatmap.perRowNormalised(mfcc.storage, rows: 13, cols: 101)
    public static func perRowNormalised(_ values: [Float], rows: Int, cols: Int) -> [Float] {
        var out = values
        for r in 0..<rows {
            let row = values[(r * cols)..<((r + 1) * cols)]
            let lo = row.min() ?? 0, hi = row.max() ?? 0
            for c in 0..<cols { out[r * cols + c] = hi > lo ? (values[r * cols + c] - lo) / (hi - lo) : 0.5 }
        }
        return out
    }

    /// Draws the figure.
    ///
    ///     let canvas = try heatmap.render()
    public func render(font: Font? = nil) throws -> Canvas {
        guard rows > 0, cols > 0, values.count == rows * cols else {
            throw PerceptError.invalidArgument(field: "values", "has \(values.count) values, expected \(rows) × \(cols)")
        }
        let font = try font ?? Font.standard()
        let line = try font.lineHeight(size: TextSize.label)
        let finite = values.filter(\.isFinite)
        let lo = range?.lowerBound ?? finite.min() ?? 0, hi = range?.upperBound ?? finite.max() ?? 1
        let (pw, ph) = plotSize

        // y ticks at row centres, about one per 40 px, at most 12.
        let yTicks = Ticks(from: 0, to: Double(rows - 1) * yScale, maxCount: Swift.min(12, Swift.max(2, ph / 40)))
        let yLabels = yTicks.values.map { yTicks.label($0) }
        let yLabelWidth = try yLabels.map { try font.width(of: $0, size: TextSize.label) }.max() ?? 0
        // x ticks in seconds, spaced so labels never touch.
        let duration = Double(cols - 1) * secondsPerColumn
        let widest = try font.width(of: String(format: "%.2f", duration), size: TextSize.label) + 24
        let xTicks = Ticks(from: 0, to: duration, maxCount: Swift.max(2, pw / Swift.max(40, widest)))

        let left = 10 + line + 6 + yLabelWidth + 8
        let top = 10 + (try font.lineHeight(size: TextSize.title)) + (note == nil ? 0 : line + 2) + 10
        var barTicks: Ticks?
        var right = 16
        if colorbarLabel != nil {
            let t = Ticks(from: Double(lo), to: Double(hi), maxCount: Swift.min(10, Swift.max(2, ph / 40)))
            let w = try t.values.map { try font.width(of: t.label($0), size: TextSize.label) }.max() ?? 0
            let labelW = try font.width(of: colorbarLabel ?? "", size: TextSize.label)
            barTicks = t
            right = 20 + 16 + 4 + Swift.max(w, labelW) + 12
        }
        let bottom = 6 + line + 6 + line + 10
        var c = Canvas(width: left + pw + right, height: top + ph + bottom)

        try c.text(title, at: left + pw / 2, 10, font: font, size: TextSize.title, anchor: .topCenter)
        if let note { try c.text(note, at: left + pw / 2, 10 + (try font.lineHeight(size: TextSize.title)) + 2, font: font, color: .frame, anchor: .topCenter) }
        c.draw(plane: values, rows: rows, cols: cols, x: left, y: top, width: pw, height: ph, colormap: colormap, lo: lo, hi: hi, flipped: true)
        c.outline(x: left, y: top, width: pw, height: ph, color: .frame)

        let rowPx = Double(ph) / Double(rows)
        for (v, label) in zip(yTicks.values, yLabels) {
            let y = top + ph - Int(((v / yScale) + 0.5) * rowPx)
            c.fill(x: left - 5, y: y, width: 4, height: 1, color: .frame)
            try c.text(label, at: left - 8, y, font: font, anchor: .middleRight)
        }
        try c.text(yLabel, at: 10, top + ph / 2, font: font, anchor: TextAnchor(.left, .middle), vertical: true)

        let colPx = Double(pw) / Double(cols)
        for v in xTicks.values {
            let x = left + Int((v / secondsPerColumn + 0.5) * colPx)
            c.fill(x: x, y: top + ph + 1, width: 1, height: 4, color: .frame)
            try c.text(xTicks.label(v), at: x, top + ph + 6, font: font, anchor: .topCenter)
        }
        try c.text(xLabel, at: left + pw / 2, top + ph + 6 + line + 6, font: font, anchor: .topCenter)

        if let barTicks, let colorbarLabel {
            let bx = left + pw + 20
            let ramp = (0..<ph).map { lo + (hi - lo) * Float($0) / Float(Swift.max(1, ph - 1)) }
            c.draw(plane: ramp, rows: ph, cols: 1, x: bx, y: top, width: 16, height: ph, colormap: colormap, lo: lo, hi: hi, flipped: true)
            c.outline(x: bx, y: top, width: 16, height: ph, color: .frame)
            for v in barTicks.values {
                let y = top + ph - 1 - Int((v - Double(lo)) / Double(Swift.max(1e-12, hi - lo)) * Double(ph - 1))
                c.fill(x: bx + 17, y: y, width: 4, height: 1, color: .frame)
                try c.text(barTicks.label(v), at: bx + 24, y, font: font, anchor: .middleLeft)
            }
            try c.text(colorbarLabel, at: bx, top - 4, font: font, anchor: TextAnchor(.left, .bottom))
        }
        return c
    }
}

extension Canvas {
    /// Canvases top to bottom on white, left-aligned, `gap` pixels apart (one figure per block of
    /// a stacked feature: MFCC, Δ, ΔΔ).
    ///
    ///     let figure = try Canvas.stacked([mfcc, delta, delta2])
    public static func stacked(_ parts: [Canvas], gap: Int = 0) throws -> Canvas {
        var out = Canvas(width: parts.map(\.width).max() ?? 1, height: parts.map(\.height).reduce(0, +) + gap * Swift.max(0, parts.count - 1))
        var y = 0
        for p in parts {
            try out.draw(image: p.tensor, x: 0, y: y)
            y += p.height + gap
        }
        return out
    }
}
