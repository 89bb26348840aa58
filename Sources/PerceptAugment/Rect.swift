/// An axis-aligned box in pixels (rows `top..<top+height`, columns `left..<left+width`).
public struct Rect: Codable, Sendable, Equatable {
    public var top: Int, left: Int, height: Int, width: Int
    public init(top: Int, left: Int, height: Int, width: Int) {
        self.top = top; self.left = left; self.height = height; self.width = width
    }

    /// Fills the box (clipped to the image) in every channel of `[C, H, W]` data.
    func fill(_ p: UnsafeMutablePointer<Float>, channels: Int, height h: Int, width w: Int, value: Float) {
        let y0 = Swift.max(0, top), y1 = Rect.end(top, height, limit: h)
        let x0 = Swift.max(0, left), x1 = Rect.end(left, width, limit: w)
        guard y1 > y0, x1 > x0 else { return }
        for c in 0..<channels {
            for y in y0..<y1 { (p + (c * h + y) * w + x0).update(repeating: value, count: x1 - x0) }
        }
    }

    /// min(limit, start + length) without overflow (replayed boxes may hold any Int).
    static func end(_ start: Int, _ length: Int, limit: Int) -> Int {
        let (e, overflow) = start.addingReportingOverflow(length)
        return overflow ? (length > 0 ? limit : Swift.min(limit, Swift.max(0, start))) : Swift.min(limit, e)
    }
}
