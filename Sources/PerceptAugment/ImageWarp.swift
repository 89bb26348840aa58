import PerceptCore
import PerceptVision

/// Bilinear resampling of an image `[C, H, W]` through an affine map from output pixel
/// (x, y) to source position (a·x + b·y + c, d·x + e·y + f), pixel centres at integers
/// (OpenCV's `warpAffine` convention). Outside taps follow the border rule or read `fill`.
enum ImageWarp {
    static func affine(_ image: Tensor, inverse m: [Double], border: BorderMode, fill: Float) -> Tensor {
        let c = image.shape[0], h = image.shape[1], w = image.shape[2]
        var out = [Float](repeating: 0, count: c * h * w)
        image.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                guard let sp = src.baseAddress, let dp = dst.baseAddress else { return }
                for y in 0..<h {
                    for x in 0..<w {
                        let sx = m[0] * Double(x) + m[1] * Double(y) + m[2]
                        let sy = m[3] * Double(x) + m[4] * Double(y) + m[5]
                        let fx0 = sx.rounded(.down), fy0 = sy.rounded(.down)
                        guard abs(fx0) < 1e9, abs(fy0) < 1e9 else {
                            for ch in 0..<c { dp[(ch * h + y) * w + x] = fill }
                            continue
                        }
                        let x0 = Int(fx0), y0 = Int(fy0)
                        let ax = Float(sx - fx0), ay = Float(sy - fy0)
                        let w00 = (1 - ax) * (1 - ay), w01 = ax * (1 - ay), w10 = (1 - ax) * ay, w11 = ax * ay
                        if x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h {
                            for ch in 0..<c {
                                let p = sp + (ch * h + y0) * w + x0
                                dp[(ch * h + y) * w + x] = w00 * p[0] + w01 * p[1] + w10 * p[w] + w11 * p[w + 1]
                            }
                            continue
                        }
                        let ix0 = border.index(x0, count: w), ix1 = border.index(x0 + 1, count: w)
                        let iy0 = border.index(y0, count: h), iy1 = border.index(y0 + 1, count: h)
                        for ch in 0..<c {
                            let plane = sp + ch * h * w
                            func tap(_ yy: Int?, _ xx: Int?) -> Float {
                                guard let yy, let xx else { return fill }
                                return plane[yy * w + xx]
                            }
                            dp[(ch * h + y) * w + x] = w00 * tap(iy0, ix0) + w01 * tap(iy0, ix1) + w10 * tap(iy1, ix0) + w11 * tap(iy1, ix1)
                        }
                    }
                }
            }
        }
        return Tensor(unchecked: [c, h, w], data: out)
    }

    /// The inverse map of: scale by `scale`, shear x by `shear` degrees, rotate by `angle`
    /// degrees (counter-clockwise on screen, as OpenCV) about the centre, then translate by
    /// (tx, ty) pixels.
    static func inverseMatrix(width w: Int, height h: Int, angle: Double, scale: Double, shear: Double,
                              tx: Double, ty: Double) -> [Double] {
        let cx = Double(w - 1) / 2, cy = Double(h - 1) / 2
        let t = angle * Double.pi / 180, sh = shear * Double.pi / 180
        let (cs, sn) = (cosine(t), sine(t))
        let k = tangent(sh)
        // Forward linear part A = R · Shear · Scale, R = [[cos, sin], [−sin, cos]].
        let a00 = cs * scale, a01 = (cs * k + sn) * scale
        let a10 = -sn * scale, a11 = (-sn * k + cs) * scale
        let det = a00 * a11 - a01 * a10
        let i00 = a11 / det, i01 = -a01 / det, i10 = -a10 / det, i11 = a00 / det
        // src = A⁻¹ (dst − c − t) + c
        let ox = -cx - tx, oy = -cy - ty
        return [i00, i01, i00 * ox + i01 * oy + cx,
                i10, i11, i10 * ox + i11 * oy + cy]
    }
}
