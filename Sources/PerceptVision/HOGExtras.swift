import Foundation
import PerceptCore

extension HOG {
    /// scikit-image's `visualize=True` image `[H, W]`: per cell and orientation bin, a line through the
    /// cell centre perpendicular to the bin's mid-angle, of length 2 · (min(cell) / 2 − 1), whose pixels
    /// add that bin's (unnormalised) histogram value.
    ///
    ///     let picture = try hog.visualization(gray)
    public func visualization(_ image: Tensor) throws -> Tensor {
        let planes = try ImagePlanes(image, "image")
        let hist = try cellHistograms(image)
        let (h, w) = (planes.height, planes.width)
        let cr = pixelsPerCell.rows, cc = pixelsPerCell.cols, n = orientations
        let radius = Double(Swift.min(cr, cc) / 2 - 1)
        let mids = (0..<n).map { Double.pi * (Double($0) + 0.5) / Double(n) }
        let dr = mids.map { radius * sin($0) }, dc = mids.map { radius * cos($0) }
        var out = [Float](repeating: 0, count: h * w)
        let nr = hist.shape[0], nc = hist.shape[1]
        for r in 0..<nr {
            for c in 0..<nc {
                let centre = (Double(r * cr + cr / 2), Double(c * cc + cc / 2))
                for o in 0..<n {
                    // Python's int() truncates toward zero, as Int(Double) does.
                    let v = hist.storage[(r * nc + c) * n + o]
                    HOG.line(Int(centre.0 - dc[o]), Int(centre.1 + dr[o]), Int(centre.0 + dc[o]), Int(centre.1 - dr[o])) { y, x in
                        if y >= 0, y < h, x >= 0, x < w { out[y * w + x] += v }
                    }
                }
            }
        }
        return Tensor(unchecked: [h, w], data: out)
    }

    /// The pixels of scikit-image's `draw.line` (Bresenham), in its order.
    static func line(_ r0: Int, _ c0: Int, _ r1: Int, _ c1: Int, _ visit: (Int, Int) -> Void) {
        var x = c0, y = r0
        var dx = abs(c1 - c0), dy = abs(r1 - r0)
        var sx = c1 - c0 > 0 ? 1 : -1, sy = r1 - r0 > 0 ? 1 : -1
        let steep = dy > dx
        if steep { swap(&x, &y); swap(&dx, &dy); swap(&sx, &sy) }
        var d = 2 * dy - dx
        for _ in 0..<dx {
            if steep { visit(x, y) } else { visit(y, x) }
            while d >= 0 { y += sy; d -= 2 * dx }
            x += sx
            d += 2 * dy
        }
        visit(r1, c1)
    }

    /// Multi-scale HoG: the HoG of each level of the Gaussian pyramid (`Pyramid.gaussian`, level 0
    /// the image), concatenated. Every level must hold at least one block.
    ///
    ///     let v = try hog.multiScale(gray, levels: 3)
    public func multiScale(_ image: Tensor, levels: Int) throws -> Tensor {
        let pyramid = try Pyramid.gaussian(image, levels: levels)
        var data = [Float]()
        for (i, level) in pyramid.enumerated() {
            do {
                data.append(contentsOf: try features(level).storage)
            } catch let PerceptError.invalidArgument(_, message) {
                throw PerceptError.invalidArgument(field: "levels", "pyramid level \(i) (\(level.shape.suffix(2).map(String.init).joined(separator: " × "))): \(message)")
            }
        }
        return Tensor(unchecked: [data.count], data: data)
    }
}
