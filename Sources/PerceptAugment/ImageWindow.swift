import PerceptCore
import PerceptVision

/// Cuts a window out of an image `[C, H, W]` whose corner may lie outside it; outside
/// pixels come from the border rule (or `fill` for constant borders).
enum ImageWindow {
    static func cut(_ image: Tensor, top: Int, left: Int, height oh: Int, width ow: Int,
                    border: BorderMode, fill: Float) -> Tensor {
        let c = image.shape[0], h = image.shape[1], w = image.shape[2]
        var out = [Float](repeating: fill, count: c * oh * ow)
        // Columns inside the source form one contiguous run; the rest map through the border.
        let x0 = Swift.min(ow, Swift.max(0, -left)), x1 = Swift.max(x0, Swift.min(ow, w - left))
        image.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                guard let sp = src.baseAddress, let dp = dst.baseAddress else { return }
                for ch in 0..<c {
                    for y in 0..<oh {
                        guard let sy = border.index(top + y, count: h) else { continue }
                        let srow = sp + (ch * h + sy) * w, drow = dp + (ch * oh + y) * ow
                        if x1 > x0 { (drow + x0).update(from: srow + left + x0, count: x1 - x0) }
                        for x in 0..<x0 { if let sx = border.index(left + x, count: w) { drow[x] = srow[sx] } }
                        for x in x1..<ow { if let sx = border.index(left + x, count: w) { drow[x] = srow[sx] } }
                    }
                }
            }
        }
        return Tensor(unchecked: [c, oh, ow], data: out)
    }
}
