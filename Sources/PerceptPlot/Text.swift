/// How a piece of text sits on the point it is drawn at.
public struct TextAnchor: Sendable, Equatable {
    public enum Horizontal: Sendable { case left, center, right }
    public enum Vertical: Sendable { case top, middle, bottom }
    public var horizontal: Horizontal, vertical: Vertical
    public init(_ h: Horizontal, _ v: Vertical) { horizontal = h; vertical = v }

    public static let topLeft = TextAnchor(.left, .top), topCenter = TextAnchor(.center, .top)
    public static let middleRight = TextAnchor(.right, .middle), middleLeft = TextAnchor(.left, .middle)
    public static let center = TextAnchor(.center, .middle)
}

/// Text sizes of every picture, in pixels (the em height). Never below 12, so labels stay readable.
public enum TextSize {
    public static let label = 13, title = 15, caption = 13
}

extension Canvas {
    /// Draws `text` with `font` at (x, y) placed by `anchor`, blended over the canvas; `vertical` turns it
    /// 90° counter-clockwise (a y-axis label reading bottom to top). Returns the box it covers.
    ///
    ///     try c.text("time (s)", at: 300, 470, font: font, anchor: .topCenter)
    @discardableResult
    public mutating func text(_ text: String, at x: Int, _ y: Int, font: Font, size: Int = TextSize.label, color: RGB = .ink,
                              anchor: TextAnchor = .topLeft, vertical: Bool = false) throws -> (x: Int, y: Int, width: Int, height: Int) {
        var bitmap = try font.render(text, size: size)
        if vertical { bitmap = bitmap.rotatedLeft() }
        let w = bitmap.width, h = bitmap.height
        let left: Int, top: Int
        switch anchor.horizontal {
        case .left: left = x
        case .center: left = x - w / 2
        case .right: left = x - w
        }
        switch anchor.vertical {
        case .top: top = y
        case .middle: top = y - h / 2
        case .bottom: top = y - h
        }
        for yy in 0..<h {
            for xx in 0..<w {
                let a = bitmap.alpha[yy * w + xx]
                if a > 0 { plot(left + xx, top + yy, color, alpha: a) }
            }
        }
        return (left, top, w, h)
    }

    /// Words of `text` broken into lines no wider than `width` pixels (a word longer than that keeps a line to itself).
    ///
    ///     let lines = try Canvas.wrap("gain 3.1 dB, shift 0.05 s", width: 200, font: font)
    public static func wrap(_ text: String, width: Int, font: Font, size: Int = TextSize.caption) throws -> [String] {
        var lines = [String](), current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            let candidate = current.isEmpty ? String(word) : current + " " + word
            let fits = try font.width(of: candidate, size: size) <= width
            if current.isEmpty || fits {
                current = candidate
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}
