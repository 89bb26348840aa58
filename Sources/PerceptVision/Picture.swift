import PerceptCore

/// Helpers that turn arrays into pictures for people (`--png`): scaling to [0, 1] and tiling.
///
///     let png = try Picture.sideBySide([a, b].map { Picture.scaledToUnit($0.storage) }, height: h, width: w)
public enum Picture {
    /// Maps min…max linearly to 0…1 (a constant array becomes all zeros).
    ///
    ///     let unit = Picture.scaledToUnit(gx.storage)
    public static func scaledToUnit(_ values: [Float]) -> [Float] {
        guard let lo = values.min(), let hi = values.max(), hi > lo, lo.isFinite, hi.isFinite else {
            return [Float](repeating: 0, count: values.count)
        }
        let s = 1 / (hi - lo)
        return values.map { ($0 - lo) * s }
    }

    /// Equally sized h × w panels left to right with `gap` white columns between them, as [1, h, W].
    /// A panel of another size is an `invalidArgument` naming `panels[i]`.
    ///
    ///     let strip = try Picture.sideBySide([a, b], height: 64, width: 64)
    public static func sideBySide(_ panels: [[Float]], height h: Int, width w: Int, gap: Int = 2) throws -> Tensor {
        guard h >= 0, w >= 0, gap >= 0 else {
            throw PerceptError.invalidArgument(field: "panels", "height \(h), width \(w) and gap \(gap) must be ≥ 0")
        }
        for (k, p) in panels.enumerated() where p.count != h * w {
            throw PerceptError.invalidArgument(field: "panels[\(k)]", "has \(p.count) values, expected \(h) × \(w) = \(h * w)")
        }
        let total = panels.count * w + Swift.max(0, panels.count - 1) * gap
        var out = Tensor(shape: [1, h, total], repeating: 1)
        out.withUnsafeMutableBufferPointer { o in
            for (k, p) in panels.enumerated() {
                let x0 = k * (w + gap)
                for y in 0..<h {
                    for x in 0..<w { o[y * total + x0 + x] = p[y * w + x] }
                }
            }
        }
        return out
    }

    /// Planes of different sizes left to right, top-aligned, on a white canvas, as [1, H, W]
    /// (a pyramid reads as shrinking copies).
    ///
    /// A plane whose values do not fill height × width is an `invalidArgument` naming `planes[i]`.
    ///
    ///     let strip = try Picture.row(levels.map { (height: $0.shape[0], width: $0.shape[1], values: $0.storage) })
    public static func row(_ planes: [(height: Int, width: Int, values: [Float])], gap: Int = 2) throws -> Tensor {
        guard gap >= 0 else { throw PerceptError.invalidArgument(field: "gap", "gap \(gap) must be ≥ 0") }
        for (k, p) in planes.enumerated() where p.height < 0 || p.width < 0 || p.values.count != p.height * p.width {
            throw PerceptError.invalidArgument(field: "planes[\(k)]",
                                               "has \(p.values.count) values, expected \(p.height) × \(p.width) = \(p.height * p.width)")
        }
        let height = planes.map(\.height).max() ?? 0
        let width = planes.map(\.width).reduce(0, +) + Swift.max(0, planes.count - 1) * gap
        var out = Tensor(shape: [1, height, width], repeating: 1)
        out.withUnsafeMutableBufferPointer { o in
            var x0 = 0
            for p in planes {
                for y in 0..<p.height {
                    for x in 0..<p.width { o[y * width + x0 + x] = p.values[y * p.width + x] }
                }
                x0 += p.width + gap
            }
        }
        return out
    }
}
