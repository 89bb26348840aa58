import Foundation
import PerceptCore

/// A 2-D scatter plot as inline SVG for the reports: one small translucent dot per sample,
/// coloured by class (tab10, then tab20's light shades), a legend of class names to the right
/// of the plot, axis titles such as "PC 1 (23.4 %)". Fonts, greys and ticks are `SVGChart`'s.
///
///     let svg = ScatterChart.svg(points: xy, labels: y, classNames: ["cat", "dog"], xLabel: pca.axisLabel(0), yLabel: pca.axisLabel(1))
public enum ScatterChart {
    /// Categorical colours: matplotlib's tab10, then the ten lighter tab20 shades; past 20 classes they repeat.
    public static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
                                 "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5"]

    /// The colour of class `label` (grey for a negative label).
    ///
    ///     ScatterChart.colour(3)   // "#d62728"
    public static func colour(_ label: Int) -> String { label < 0 ? "#999999" : palette[label % palette.count] }

    /// The chart: `points[i]` drawn in the colour of `labels[i]`, named by `classNames[labels[i]]` in the
    /// legend (labels past the names are shown by number). Non-finite points are left out. Points are
    /// drawn in a fixed interleaved order, so no class always lies on top of the others. The legend sits
    /// right of the plot, or below it (the SVG then taller than `height`) when it would take over 40 % of the width.
    ///
    ///     ScatterChart.svg(points: [(0, 1), (2, 3)], labels: [0, 1], classNames: ["a", "b"], title: "t-SNE")
    public static func svg(points: [(x: Float, y: Float)], labels: [Int], classNames: [String], title: String = "",
                           xLabel: String = "", yLabel: String = "", width: Int = 560, height: Int = 420) -> String {
        let count = Swift.min(points.count, labels.count)
        let shown = (0..<count).filter { points[$0].x.isFinite && points[$0].y.isFinite }
        let classes = Array(Set(shown.map { labels[$0] })).sorted()
        func name(_ c: Int) -> String { c >= 0 && c < classNames.count ? classNames[c] : String(c) }

        // Legend: one row per class, in columns to the right of the plot; when those would take more
        // than 40 % of the width (many classes, long names), in rows below it, the chart growing taller.
        let rowH = 17.0, top = title.isEmpty ? 14.0 : 34.0, bottom = 46.0, left = 62.0
        let columnW = Double(Swift.min(28, classes.map { name($0).count }.max() ?? 1)) * 7.2 + 26
        let ph = Double(height) - top - bottom
        var perColumn = Swift.max(1, Int(ph / rowH))
        var columns = classes.isEmpty ? 0 : (classes.count + perColumn - 1) / perColumn
        let below = Double(columns) * columnW > 0.4 * Double(width)
        var totalHeight = height
        if below {
            columns = Swift.max(1, Int((Double(width) - left) / columnW))
            perColumn = (classes.count + columns - 1) / columns
            totalHeight = height + Int((Double(perColumn) * rowH + 8).rounded(.up))
        }
        let right = below ? 16 : 12 + Double(columns) * columnW
        let pw = Double(width) - left - right
        let legendX = below ? left : left + pw + 14, legendY = below ? Double(height) + 6 : top + 10

        var out = SVGChart.open(width, totalHeight)
        if !title.isEmpty { out += SVGChart.text(left + pw / 2, 20, title, anchor: "middle", weight: "600", size: 14) }
        out += "<rect x=\"\(SVGChart.f(left))\" y=\"\(SVGChart.f(top))\" width=\"\(SVGChart.f(pw))\" height=\"\(SVGChart.f(ph))\" fill=\"none\" stroke=\"\(SVGChart.gray)\"/>"
        if !xLabel.isEmpty { out += SVGChart.text(left + pw / 2, Double(height) - 8, xLabel, anchor: "middle") }
        if !yLabel.isEmpty {
            out += "<text transform=\"translate(16 \(SVGChart.f(top + ph / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\" fill=\"#222\">\(SVGChart.escape(yLabel))</text>"
        }
        guard !shown.isEmpty, pw > 20, ph > 20 else {
            return out + SVGChart.text(left + Swift.max(pw, 0) / 2, top + ph / 2, "no data", anchor: "middle") + "</svg>"
        }

        // Data range with a 5 % margin; ticks only where they fall inside it.
        func range(_ v: [Double]) -> (Double, Double) {
            let lo = v.min()!, hi = v.max()!, pad = hi > lo ? (hi - lo) * 0.05 : Swift.max(abs(lo) * 0.05, 1)
            return (lo - pad, hi + pad)
        }
        let (x0, x1) = range(shown.map { Double(points[$0].x) }), (y0, y1) = range(shown.map { Double(points[$0].y) })
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * pw }
        func py(_ y: Double) -> Double { top + ph - (y - y0) / (y1 - y0) * ph }
        let xt = SVGChart.ticks(x0, x1, count: 6, integer: false).filter { $0 >= x0 && $0 <= x1 }
        let yt = SVGChart.ticks(y0, y1, count: 5, integer: false).filter { $0 >= y0 && $0 <= y1 }
        let xStep = xt.count > 1 ? xt[1] - xt[0] : 1, yStep = yt.count > 1 ? yt[1] - yt[0] : 1
        for t in xt {
            out += SVGChart.line(px(t), top + ph, px(t), top + ph + 4, colour: SVGChart.gray)
            out += SVGChart.text(px(t), top + ph + 18, SVGChart.label(t, step: xStep), anchor: "middle")
        }
        for t in yt {
            out += SVGChart.line(left - 4, py(t), left, py(t), colour: SVGChart.gray)
            out += SVGChart.text(left - 6, py(t) + 4, SVGChart.label(t, step: yStep), anchor: "end")
        }

        // Smaller, fainter dots as the count grows, so dense clusters still show their shape.
        let n = shown.count
        let r = n > 3000 ? 1.6 : n > 1000 ? 2.0 : n > 300 ? 2.6 : 3.2
        let opacity = n > 1000 ? 0.55 : 0.7
        out += "<g fill-opacity=\"\(opacity)\">"
        // Interleaved order: stride through the points by a step coprime to their count.
        var step = Swift.max(1, Int(Double(n) * 0.618))
        while gcd(step, n) != 1 { step += 1 }
        for k in 0..<n {
            let i = shown[(k * step) % n]
            out += "<circle cx=\"\(SVGChart.f(px(Double(points[i].x))))\" cy=\"\(SVGChart.f(py(Double(points[i].y))))\" r=\"\(SVGChart.f(r))\" fill=\"\(colour(labels[i]))\"/>"
        }
        out += "</g>"

        for (k, c) in classes.enumerated() {
            let lx = legendX + Double(k / perColumn) * columnW, ly = legendY + Double(k % perColumn) * rowH
            out += "<circle cx=\"\(SVGChart.f(lx + 5))\" cy=\"\(SVGChart.f(ly))\" r=\"5\" fill=\"\(colour(c))\"/>"
            var text = name(c)
            if text.count > 28 { text = String(text.prefix(27)) + "…" }
            out += SVGChart.text(lx + 15, ly + 4, text)
        }
        return out + "</svg>"
    }

    /// The same chart for the first two columns of an [N, ≥ 2] tensor (a PCA or t-SNE result).
    ///
    ///     ScatterChart.svg(result.embedding, labels: y, classNames: names, title: "t-SNE")
    public static func svg(_ embedding: Tensor, labels: [Int], classNames: [String], title: String = "",
                           xLabel: String = "", yLabel: String = "", width: Int = 560, height: Int = 420) -> String {
        let cols = embedding.rank == 2 ? embedding.shape[1] : 0
        let points: [(x: Float, y: Float)] = cols >= 2
            ? (0..<embedding.shape[0]).map { (x: embedding.storage[$0 * cols], y: embedding.storage[$0 * cols + 1]) } : []
        return svg(points: points, labels: labels, classNames: classNames, title: title, xLabel: xLabel, yLabel: yLabel,
                   width: width, height: height)
    }

    static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}
