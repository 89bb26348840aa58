import PerceptCore

/// An sRGB colour with components in [0, 1].
public struct RGB: Sendable, Equatable {
    public var r: Float, g: Float, b: Float
    public init(_ r: Float, _ g: Float, _ b: Float) { self.r = r; self.g = g; self.b = b }
    public init(gray v: Float) { self.init(v, v, v) }

    public static let white = RGB(1, 1, 1), black = RGB(0, 0, 0)
    public static let ink = RGB(0.1, 0.1, 0.1), frame = RGB(0.35, 0.35, 0.35), paper = RGB(1, 1, 1)
    public static let gridLine = RGB(0.85, 0.85, 0.85)
}

/// An RGB raster of floats, planar like Percept's images; what every picture is drawn on before
/// `tensor` hands it to `ImageFile.write`. Drawing outside the canvas is clipped.
///
///     var c = Canvas(width: 640, height: 480)
///     c.fill(x: 10, y: 10, width: 100, height: 20, color: .black)
///     let picture = c.tensor   // [3, 480, 640]
public struct Canvas: Sendable {
    public let width: Int, height: Int
    /// Planar R, G, B, each height × width, row-major.
    public private(set) var pixels: [Float]

    /// A canvas filled with `background` (white by default).
    ///
    ///     var c = Canvas(width: 600, height: 300)
    public init(width: Int, height: Int, background: RGB = .paper) {
        self.width = Swift.max(1, width); self.height = Swift.max(1, height)
        let n = self.width * self.height
        pixels = [Float](repeating: background.r, count: n) + [Float](repeating: background.g, count: n)
            + [Float](repeating: background.b, count: n)
    }

    /// The picture as a [3, H, W] tensor with values in [0, 1].
    public var tensor: Tensor { Tensor(unchecked: [3, height, width], data: pixels) }

    /// The colour at (x, y).
    ///
    ///     let c = canvas[10, 20]
    public subscript(x: Int, y: Int) -> RGB {
        let i = y * width + x, n = width * height
        return RGB(pixels[i], pixels[n + i], pixels[2 * n + i])
    }

    /// Sets one pixel, blended over what is there with opacity `alpha`.
    @inline(__always)
    public mutating func plot(_ x: Int, _ y: Int, _ color: RGB, alpha: Float = 1) {
        guard x >= 0, x < width, y >= 0, y < height, alpha > 0 else { return }
        let i = y * width + x, n = width * height
        let a = Swift.min(1, alpha)
        pixels[i] += (color.r - pixels[i]) * a
        pixels[n + i] += (color.g - pixels[n + i]) * a
        pixels[2 * n + i] += (color.b - pixels[2 * n + i]) * a
    }

    /// Fills a rectangle (clipped to the canvas).
    ///
    ///     c.fill(x: 0, y: 0, width: 10, height: 10, color: .black)
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, color: RGB) {
        let x0 = Swift.max(0, x), x1 = Swift.min(width, x + w), y0 = Swift.max(0, y), y1 = Swift.min(height, y + h)
        guard x0 < x1, y0 < y1 else { return }
        let n = width * height, w = width
        pixels.withUnsafeMutableBufferPointer { p in
            for (k, v) in [color.r, color.g, color.b].enumerated() {
                for yy in y0..<y1 {
                    let row = k * n + yy * w
                    for xx in x0..<x1 { p[row + xx] = v }
                }
            }
        }
    }

    /// A one-pixel rectangle outline around (x, y, w, h), drawn just outside it.
    ///
    ///     c.outline(x: 50, y: 20, width: 600, height: 256, color: .frame)
    public mutating func outline(x: Int, y: Int, width w: Int, height h: Int, color: RGB) {
        fill(x: x - 1, y: y - 1, width: w + 2, height: 1, color: color)
        fill(x: x - 1, y: y + h, width: w + 2, height: 1, color: color)
        fill(x: x - 1, y: y, width: 1, height: h, color: color)
        fill(x: x + w, y: y, width: 1, height: h, color: color)
    }

    /// A straight line from (x0, y0) to (x1, y1), anti-aliased (Xiaolin Wu's two pixels per step),
    /// with opacity `alpha`.
    ///
    ///     c.line(0, 0, 31, 31, color: .white)
    public mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, color: RGB, alpha: Float = 1) {
        let dx = x1 - x0, dy = y1 - y0
        let steps = Int(Swift.max(abs(dx), abs(dy)).rounded(.up))
        guard steps > 0 else { plot(Int(x0.rounded()), Int(y0.rounded()), color, alpha: alpha); return }
        for s in 0...steps {
            let t = Double(s) / Double(steps)
            let x = x0 + dx * t, y = y0 + dy * t
            if abs(dx) >= abs(dy) {
                let fy = y.rounded(.down), f = Float(y - fy)
                plot(Int(x.rounded()), Int(fy), color, alpha: alpha * (1 - f))
                plot(Int(x.rounded()), Int(fy) + 1, color, alpha: alpha * f)
            } else {
                let fx = x.rounded(.down), f = Float(x - fx)
                plot(Int(fx), Int(y.rounded()), color, alpha: alpha * (1 - f))
                plot(Int(fx) + 1, Int(y.rounded()), color, alpha: alpha * f)
            }
        }
    }

    /// Draws an image tensor [C, h, w] (C = 1 gray, 3 RGB, 4 RGBA with alpha dropped; values clipped to
    /// [0, 1]) with its top-left corner at (x, y), each pixel a `scale` × `scale` block
    /// (nearest neighbour, so small digits stay crisp).
    ///
    ///     c.draw(image: digit, x: 10, y: 10, scale: 4)
    public mutating func draw(image t: Tensor, x: Int, y: Int, scale: Int = 1) throws {
        guard t.rank == 3, [1, 3, 4].contains(t.shape[0]) else {
            throw PerceptError.invalidArgument(field: "image", "expected [C, H, W] with C = 1, 3 or 4, got \(t.shape)")
        }
        let c = t.shape[0], h = t.shape[1], w = t.shape[2], k = Swift.max(1, scale), n = width * height
        let x0 = Swift.max(0, x), x1 = Swift.min(width, x + w * k), y0 = Swift.max(0, y), y1 = Swift.min(height, y + h * k)
        guard x0 < x1, y0 < y1 else { return }
        pixels.withUnsafeMutableBufferPointer { p in
            t.withUnsafeBufferPointer { src in
                for ch in 0..<3 {
                    let sc = c == 1 ? 0 : ch
                    for yy in y0..<y1 {
                        let srow = (sc * h + (yy - y) / k) * w, drow = ch * n + yy * width
                        for xx in x0..<x1 { p[drow + xx] = Swift.min(1, Swift.max(0, src[srow + (xx - x) / k])) }
                    }
                }
            }
        }
    }

    /// Draws a rows × cols plane of values into the w × h rectangle at (x, y) through `colormap`,
    /// `lo` at the map's start and `hi` at its end, nearest-neighbour in both directions. Row 0 of
    /// the plane is the top row unless `flipped`, which puts it at the bottom (frequency axes).
    ///
    ///     c.draw(plane: db, rows: 64, cols: 101, x: 60, y: 30, width: 606, height: 256, colormap: .magma, lo: -80, hi: 0, flipped: true)
    public mutating func draw(plane values: [Float], rows: Int, cols: Int, x: Int, y: Int, width w: Int, height h: Int,
                              colormap: Colormap, lo: Float, hi: Float, flipped: Bool = false) {
        guard rows > 0, cols > 0, w > 0, h > 0, values.count >= rows * cols else { return }
        let n = width * height, entries = colormap.entries
        let scale = hi > lo ? Float(entries - 1) / (hi - lo) : 0
        let lut = (0..<entries).flatMap { i -> [Float] in let c = colormap.entry(i); return [c.r, c.g, c.b] }
        // Visible columns only, with their source column (nearest), so the inner loop is a lookup.
        let visible = (Swift.max(0, -x)..<Swift.max(Swift.max(0, -x), Swift.min(w, width - x))).map { ($0, $0 * cols / w) }
        pixels.withUnsafeMutableBufferPointer { p in
            values.withUnsafeBufferPointer { v in
                for yy in 0..<h where y + yy >= 0 && y + yy < height {
                    let r = yy * rows / h
                    let srow = (flipped ? rows - 1 - r : r) * cols, drow = (y + yy) * width + x
                    for (xx, sc) in visible {
                        let value = v[srow + sc]
                        let k = value.isFinite ? 3 * Int(Swift.min(Float(entries - 1), Swift.max(0, (value - lo) * scale)).rounded()) : 0
                        p[drow + xx] = lut[k]
                        p[n + drow + xx] = lut[k + 1]
                        p[2 * n + drow + xx] = lut[k + 2]
                    }
                }
            }
        }
    }
}
