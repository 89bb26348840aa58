import Foundation

/// Small, dependency-free SVG charts for the run report: line charts with axes and a legend,
/// a labelled heatmap (the confusion matrix), and stacked histograms over epochs. Text is SVG
/// text, so it stays sharp at any zoom; every chart is an inline `<svg>` element.
///
///     let svg = SVGChart.lines([.init(name: "train", colour: SVGChart.blue, points: [(1, 0.5), (2, 0.3)])], xLabel: "epoch", yLabel: "loss")
public enum SVGChart {
    public static let blue = "#1f77b4", orange = "#ff7f0e", green = "#2ca02c", red = "#d62728", gray = "#666"

    public struct Series {
        public let name: String
        public let colour: String
        public let points: [(x: Double, y: Double)]
        public var dashed = false
        public init(name: String, colour: String, points: [(x: Double, y: Double)], dashed: Bool = false) {
            self.name = name; self.colour = colour; self.points = points; self.dashed = dashed
        }
    }

    /// A line chart with markers (few points) or plain lines (many), axes with "nice" ticks, axis
    /// titles and a legend. `yRange` fixes the y axis (accuracy: 0…1).
    public static func lines(_ series: [Series], xLabel: String, yLabel: String, title: String = "",
                             width: Int = 460, height: Int = 300, yRange: ClosedRange<Double>? = nil,
                             xTickLabels: [(x: Double, label: String)]? = nil) -> String {
        let (left, right, top, bottom) = (62.0, 16.0, title.isEmpty ? 16.0 : 34.0, 46.0)
        let pw = Double(width) - left - right, ph = Double(height) - top - bottom
        let all = series.flatMap(\.points).filter { $0.y.isFinite && $0.x.isFinite }
        var out = open(width, height)
        if !title.isEmpty { out += text(Double(width) / 2, 20, title, anchor: "middle", weight: "600", size: 14) }
        guard let xMin = all.map(\.x).min(), let xMax = all.map(\.x).max() else {
            return out + text(Double(width) / 2, Double(height) / 2, "no data", anchor: "middle") + "</svg>"
        }
        // Given tick labels (a log axis, named points) replace the "nice" numbers.
        let xTicks = xTickLabels.map { $0.map(\.x).sorted() }.flatMap { $0.count >= 2 ? $0 : nil }
            ?? ticks(xMin, xMax == xMin ? xMin + 1 : xMax, count: 6, integer: all.allSatisfy { $0.x == $0.x.rounded() })
        let yLo = yRange?.lowerBound ?? all.map(\.y).min()!, yHi = yRange?.upperBound ?? all.map(\.y).max()!
        let yTicks = ticks(yLo, yHi == yLo ? yLo + 1 : yHi, count: 5, integer: false)
        let x0 = xTicks.first!, x1 = xTicks.last!, y0 = yRange?.lowerBound ?? yTicks.first!, y1 = yRange?.upperBound ?? yTicks.last!
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * pw }
        func py(_ y: Double) -> Double { top + ph - (y - y0) / (y1 - y0) * ph }
        for t in yTicks where t >= y0 - 1e-12 && t <= y1 + 1e-12 {
            out += line(left, py(t), left + pw, py(t), colour: "#e6e6e6")
            out += text(left - 6, py(t) + 4, label(t, step: yTicks.count > 1 ? yTicks[1] - yTicks[0] : 1), anchor: "end")
        }
        for t in xTicks {
            out += line(px(t), top + ph, px(t), top + ph + 4, colour: gray)
            let given = xTickLabels?.first { $0.x == t }?.label
            out += text(px(t), top + ph + 18, given ?? label(t, step: xTicks.count > 1 ? xTicks[1] - xTicks[0] : 1), anchor: "middle")
        }
        out += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(pw))\" height=\"\(f(ph))\" fill=\"none\" stroke=\"\(gray)\"/>"
        out += text(left + pw / 2, Double(height) - 8, xLabel, anchor: "middle")
        out += "<text transform=\"translate(16 \(f(top + ph / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\" fill=\"#222\">\(escape(yLabel))</text>"
        for s in series {
            let pts = s.points.filter { $0.y.isFinite && $0.x.isFinite }
            guard !pts.isEmpty else { continue }
            let path = pts.map { "\(f(px($0.x))),\(f(py(Swift.min(Swift.max($0.y, y0), y1))))" }.joined(separator: " ")
            out += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(s.colour)\" stroke-width=\"2\"\(s.dashed ? " stroke-dasharray=\"5 4\"" : "")/>"
            if pts.count <= 40 {
                for p in pts { out += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(Swift.min(Swift.max(p.y, y0), y1))))\" r=\"3\" fill=\"\(s.colour)\"/>" }
            }
        }
        // Legend inside the plot, in whichever right-hand corner the curves cross least.
        let shown = series.filter { !$0.points.isEmpty }
        let boxH = Double(shown.count) * 18 + 4
        // Wide enough for the longest name (DejaVu Sans at 12 px: about 7 px a character).
        let boxW = Swift.max(120.0, 36 + 7 * Double(shown.map(\.name.count).max() ?? 0))
        func crossings(_ y0Box: Double) -> Int {
            var n = 0
            for s in shown {
                let pts = s.points.filter { $0.y.isFinite && $0.x.isFinite }.map { (px($0.x), py(Swift.min(Swift.max($0.y, y0), y1))) }
                for (a, b) in zip(pts, pts.dropFirst()) {
                    for k in 0...20 {
                        let t = Double(k) / 20, x = a.0 + (b.0 - a.0) * t, y = a.1 + (b.1 - a.1) * t
                        if x >= left + pw - boxW - 6, y >= y0Box - 14, y <= y0Box - 14 + boxH { n += 1 }
                    }
                }
                if pts.count == 1, pts[0].0 >= left + pw - boxW - 6, pts[0].1 >= y0Box - 14, pts[0].1 <= y0Box - 14 + boxH { n += 1 }
            }
            return n
        }
        let topY = top + 16, bottomY = top + ph - boxH + 10
        var ly = crossings(bottomY) < crossings(topY) ? bottomY : topY
        for s in shown {
            let lx = left + pw - boxW + 2
            out += "<rect x=\"\(f(lx - 6))\" y=\"\(f(ly - 12))\" width=\"\(f(boxW))\" height=\"18\" fill=\"white\" fill-opacity=\"0.85\"/>"
            out += line(lx, ly - 4, lx + 22, ly - 4, colour: s.colour, width: 2, dashed: s.dashed)
            out += text(lx + 28, ly, s.name)
            ly += 18
        }
        return out + "</svg>"
    }

    /// A confusion matrix: rows are true classes, columns predicted ones; cells coloured by the
    /// share of their row (so small classes read as well as large ones) and labelled with counts.
    /// `side` is the matrix's width in pixels before labels (cells stay 20–48 px).
    public static func confusion(_ m: [[Int]], classes: [String], side: Double = 440) -> String {
        let k = m.count
        let cell = Swift.max(20.0, Swift.min(48.0, side / Double(Swift.max(k, 1))))
        let labelW = Swift.max(40.0, Double(classes.map(\.count).max() ?? 1) * 7.5 + 14)
        let left = labelW + 22, top = 30.0, below = Double(classes.map(\.count).max() ?? 1) * 7.5 + 14
        let width = left + cell * Double(k) + 12, height = top + cell * Double(k) + below
        var out = open(Int(width.rounded(.up)), Int(height.rounded(.up)))
        out += text(left + cell * Double(k) / 2, 18, "predicted class", anchor: "middle", weight: "600")
        out += "<text transform=\"translate(14 \(f(top + cell * Double(k) / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\" font-weight=\"600\" fill=\"#222\">true class</text>"
        for i in 0..<k {
            let total = Swift.max(m[i].reduce(0, +), 1)
            out += text(left - 6, top + cell * (Double(i) + 0.5) + 4, classes[i], anchor: "end")
            for j in 0..<k {
                let share = Double(m[i][j]) / Double(total)
                let x = left + cell * Double(j), y = top + cell * Double(i)
                let fill = i == j ? blend(share, from: (255, 255, 255), to: (31, 119, 180)) : blend(share, from: (255, 255, 255), to: (214, 39, 40))
                out += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(cell))\" height=\"\(f(cell))\" fill=\"\(fill)\" stroke=\"#ddd\"><title>true \(escape(classes[i])), predicted \(escape(classes[j])): \(m[i][j])</title></rect>"
                if m[i][j] > 0 {
                    out += text(x + cell / 2, y + cell / 2 + 4, String(m[i][j]), anchor: "middle", size: cell < 30 ? 10 : 12,
                                colour: share > 0.55 ? "white" : "#222")
                }
            }
        }
        for j in 0..<k {
            let x = left + cell * (Double(j) + 0.5), y = top + cell * Double(k) + 8
            out += "<text transform=\"translate(\(f(x + 4)) \(f(y))) rotate(-90)\" text-anchor=\"end\" font-size=\"12\" fill=\"#222\">\(escape(classes[j]))</text>"
        }
        return out + "</svg>"
    }

    /// Histograms of one quantity over epochs, drawn as TensorBoard's "offset" view: one filled
    /// curve per epoch, later epochs lower and darker, on a shared value axis. The axis ends at
    /// 3 × the median of the ranges, so one wild early epoch does not flatten all the others
    /// (its curve is cut at the edge).
    public static func ridges(_ hists: [(label: String, lo: Double, hi: Double, counts: [Int])], xLabel: String,
                              width: Int = 460, height: Int = 300) -> String {
        let (left, right, top, bottom) = (62.0, 16.0, 16.0, 46.0)
        let pw = Double(width) - left - right, ph = Double(height) - top - bottom
        var out = open(width, height)
        let his = hists.map(\.hi).sorted()
        let median = his.isEmpty ? 0 : his[his.count / 2]
        guard let lo = hists.map(\.lo).min(), let widest = his.last, case let hi = median > 0 ? Swift.min(widest, 3 * median) : widest, hi > lo else {
            return out + text(Double(width) / 2, Double(height) / 2, "no data", anchor: "middle") + "</svg>"
        }
        let xt = ticks(lo, hi, count: 6, integer: false)
        let x0 = Swift.min(xt.first!, lo), x1 = Swift.max(xt.last!, hi)
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * pw }
        let n = hists.count, offset = n > 1 ? ph * 0.55 / Double(n - 1) : 0, ridge = ph - offset * Double(n - 1)
        for t in xt {
            out += line(px(t), top + ph, px(t), top + ph + 4, colour: gray)
            out += text(px(t), top + ph + 18, label(t, step: xt.count > 1 ? xt[1] - xt[0] : 1), anchor: "middle")
        }
        out += line(left, top + ph, left + pw, top + ph, colour: gray)
        out += text(left + pw / 2, Double(height) - 8, xLabel, anchor: "middle")
        for (k, h) in hists.enumerated() {
            let base = top + ridge + offset * Double(k)
            // Density per unit of value, so bins of different widths compare; the tallest ridge fills `ridge`.
            let width = (h.hi - h.lo) / Double(Swift.max(h.counts.count, 1))
            let peak = hists.map { g in Double(g.counts.max() ?? 0) / Swift.max((g.hi - g.lo) / Double(Swift.max(g.counts.count, 1)), 1e-12) }.max() ?? 1
            var pts = ["\(f(px(h.lo))),\(f(base))"]
            for (b, c) in h.counts.enumerated() {
                let x = h.lo + (Double(b) + 0.5) * width
                guard x <= x1 else { break }
                let density = width > 0 ? Double(c) / width : 0
                let y = base - density / Swift.max(peak, 1e-12) * ridge * 0.95
                pts.append("\(f(px(x))),\(f(y))")
            }
            pts.append("\(f(px(Swift.min(h.hi, x1)))),\(f(base))")
            let shade = n > 1 ? Double(k) / Double(n - 1) : 1
            let colour = blend(0.35 + 0.65 * shade, from: (255, 200, 150), to: (200, 80, 0))
            out += "<polygon points=\"\(pts.joined(separator: " "))\" fill=\"\(colour)\" fill-opacity=\"0.55\" stroke=\"\(colour)\" stroke-width=\"1.2\"><title>\(escape(h.label))</title></polygon>"
            if k == 0 || k == n - 1 || n <= 6 { out += text(left - 6, base, h.label, anchor: "end", size: 11) }
        }
        return out + "</svg>"
    }

    // MARK: pieces

    static func open(_ w: Int, _ h: Int) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">"
    }

    static func text(_ x: Double, _ y: Double, _ s: String, anchor: String = "start", weight: String = "normal", size: Int = 12, colour: String = "#222") -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor)\" font-size=\"\(size)\" font-weight=\"\(weight)\" fill=\"\(colour)\">\(escape(s))</text>"
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, colour: String, width: Double = 1, dashed: Bool = false) -> String {
        "<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"\(colour)\" stroke-width=\"\(f(width))\"\(dashed ? " stroke-dasharray=\"5 4\"" : "")/>"
    }

    /// Round tick values covering lo…hi: the finest step of 1, 2 or 5 × 10^k that leaves at most
    /// `count` intervals (whole numbers for integer axes).
    static func ticks(_ lo: Double, _ hi: Double, count: Int, integer: Bool) -> [Double] {
        let raw = (hi - lo) / Double(Swift.max(count - 1, 1))
        let mag = pow(10, floor(log10(Swift.max(raw, 1e-12))))
        var step = [1.0, 2, 5, 10].map { $0 * mag }.first { (hi - lo) / $0 <= Double(count) } ?? 10 * mag
        if integer { step = Swift.max(1, step.rounded(.up)) }
        let first = floor(lo / step) * step, last = ceil(hi / step) * step
        // Whole multiples of the step, rounded so 3 × 0.2 prints and compares as 0.6.
        let scale = pow(10, Swift.max(0, ceil(-log10(step)) + 3))
        let n = Int(((last - first) / step).rounded())
        return (0...n).map { ((first + Double($0) * step) * scale).rounded() / scale }
    }

    /// A tick label with as many decimals as the step needs.
    static func label(_ v: Double, step: Double) -> String {
        let decimals = step >= 1 ? 0 : Swift.min(6, Int(ceil(-log10(step) - 1e-9)))
        if abs(v) >= 1e5 || (abs(v) < 1e-4 && v != 0) { return String(format: "%.1e", v) }
        return String(format: "%.\(decimals)f", v)
    }

    static func blend(_ t: Double, from a: (Int, Int, Int), to b: (Int, Int, Int)) -> String {
        let c = Swift.min(1, Swift.max(0, t))
        func mix(_ x: Int, _ y: Int) -> Int { Int((Double(x) + (Double(y) - Double(x)) * c).rounded()) }
        return String(format: "#%02x%02x%02x", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    /// Text safe inside HTML and SVG.
    public static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
