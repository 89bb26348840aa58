import Foundation
import PerceptCore

/// First-derivative filters as OpenCV computes them with `ksize=3`: `gx` is `cv2.Sobel(img, CV_32F, 1, 0)`,
/// `gy` is `cv2.Sobel(img, CV_32F, 0, 1)`, i.e. the slides' kernel `[[1,0,-1],[2,0,-2],[1,0,-1]]`
/// applied as a convolution (and its transpose). Scharr uses the weights 3, 10, 3 instead of 1, 2, 1.
///
///     let g = try Sobel.gradients(image); let m = g.magnitude
public enum Sobel {
    /// The slides' Sobel kernel. As a *convolution* it is OpenCV's dx = 1 correlation.
    public static let slidesKernel = Tensor(unchecked: [3, 3], data: [1, 0, -1, 2, 0, -2, 1, 0, -1])

    /// Horizontal and vertical derivatives of every plane, and optionally their magnitude.
    ///
    ///     let g = try Sobel.gradients(image, magnitude: true); let m = g.magnitude
    public struct Gradients: Sendable {
        public let gx: Tensor
        public let gy: Tensor
        /// √(gx² + gy²) when requested (`magnitude: true`), else nil.
        public let magnitude: Tensor?
    }

    /// The smoothing weights across the derivative: Sobel (1, 2, 1) or Scharr (3, 10, 3).
    ///
    ///     let g = try Sobel.gradients(image, weights: .scharr)
    public enum Weights: Sendable {
        case sobel, scharr
        var outer: Float { self == .sobel ? 1 : 3 }
        var centre: Float { self == .sobel ? 2 : 10 }
    }

    /// gx, gy (and √(gx² + gy²) when `magnitude`) in one pass over the image.
    ///
    ///     let g = try Sobel.gradients(image, border: .reflect101, magnitude: true)
    public static func gradients(_ image: Tensor, border: BorderMode = .reflect101, weights: Weights = .sobel,
                                 magnitude: Bool = false) throws -> Gradients {
        let planes = try ImagePlanes(image, "image")
        var gyT = Tensor(shape: [0]), magT: Tensor? = nil
        let gxT = uninitializedTensor(image.shape) { gx in
            gyT = uninitializedTensor(image.shape) { gy in
                if magnitude {
                    magT = uninitializedTensor(image.shape) { m in run(image, planes, border, weights, (gx, gy), m) }
                } else {
                    run(image, planes, border, weights, (gx, gy), nil)
                }
            }
        }
        return Gradients(gx: gxT, gy: gyT, magnitude: magT)
    }

    /// √(gx² + gy²) alone, as `gradients(_:magnitude: true).magnitude`, bit for bit, without
    /// keeping gx and gy: one image-sized buffer instead of three (a 4096² image: 64 MB, not 192).
    ///
    ///     let edges = try Sobel.magnitude(of: image)
    public static func magnitude(of image: Tensor, border: BorderMode = .reflect101, weights: Weights = .sobel) throws -> Tensor {
        let planes = try ImagePlanes(image, "image")
        return uninitializedTensor(image.shape) { m in run(image, planes, border, weights, nil, m) }
    }

    /// `cv2.Sobel(img, CV_32F, 1, 0, ksize=3)`.
    ///
    ///     let gx = try Sobel.gx(image)
    public static func gx(_ image: Tensor, border: BorderMode = .reflect101) throws -> Tensor {
        try gradients(image, border: border).gx
    }

    /// `cv2.Sobel(img, CV_32F, 0, 1, ksize=3)`.
    ///
    ///     let gy = try Sobel.gy(image)
    public static func gy(_ image: Tensor, border: BorderMode = .reflect101) throws -> Tensor {
        try gradients(image, border: border).gy
    }

    /// `cv2.Scharr(img, CV_32F, 1, 0)` and `(0, 1)`.
    ///
    ///     let s = try Sobel.scharr(image)
    public static func scharr(_ image: Tensor, border: BorderMode = .reflect101) throws -> Gradients {
        try gradients(image, border: border, weights: .scharr)
    }

    /// √(gx² + gy²) elementwise.
    ///
    ///     let m = try Sobel.magnitude(gx: g.gx, gy: g.gy)
    public static func magnitude(gx: Tensor, gy: Tensor) throws -> Tensor {
        try zipPlanes(gx, gy) { ($0 * $0 + $1 * $1).squareRoot() }
    }

    /// atan2(gy, gx) in radians, in [−π, π].
    ///
    ///     let theta = try Sobel.direction(gx: g.gx, gy: g.gy)
    public static func direction(gx: Tensor, gy: Tensor) throws -> Tensor {
        try zipPlanes(gx, gy) { atan2($1, $0) }
    }

    static func zipPlanes(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) throws -> Tensor {
        guard a.shape == b.shape else {
            throw PerceptError.invalidArgument(field: "gy", "shape \(b.shape) differs from gx's \(a.shape)")
        }
        return Tensor(unchecked: a.shape, data: zip(a.storage, b.storage).map(f))
    }

    /// Runs the fused kernel over every plane, rows split over the workers. With `xy` nil only the
    /// magnitude is kept: each worker writes gx and gy of one row at a time into two scratch rows.
    private static func run(_ image: Tensor, _ planes: ImagePlanes, _ border: BorderMode, _ weights: Weights,
                            _ xy: (gx: UnsafeMutablePointer<Float>, gy: UnsafeMutablePointer<Float>)?,
                            _ mag: UnsafeMutablePointer<Float>?) {
        let (h, w) = (planes.height, planes.width)
        let zero = [Float](repeating: 0, count: w)
        image.withUnsafeBufferPointer { src in
            zero.withUnsafeBufferPointer { z in
                guard let base = src.baseAddress, let zp = z.baseAddress else { return }
                let box = UnsafeSendable((base, zp, xy, mag))
                for c in 0..<planes.channels {
                    let off = c * h * w
                    // Rows are independent; chunks of at least ~64 k pixels are worth a thread.
                    Parallel.forChunks(count: h, minChunk: Swift.max(1, 65_536 / w)) { rows in
                        let (s, zp, xy, m) = box.value
                        let om = m.map { $0 + off }
                        if let xy {
                            plane(s + off, h, w, border, weights, xy.gx + off, xy.gy + off, om, zp, rows)
                        } else {
                            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * w)
                            defer { scratch.deallocate() }
                            plane(s + off, h, w, border, weights, scratch, scratch + w, om, zp, rows, keepXY: false)
                        }
                    }
                }
            }
        }
    }

    /// The fused kernel for rows `rows` of one plane: three input rows in, gx/gy/magnitude rows out.
    /// Without `keepXY`, `gx` and `gy` are one row each, rewritten for every row.
    @inline(__always)
    static func plane(_ src: UnsafePointer<Float>, _ h: Int, _ w: Int, _ border: BorderMode, _ weights: Weights,
                      _ gx: UnsafeMutablePointer<Float>, _ gy: UnsafeMutablePointer<Float>,
                      _ mag: UnsafeMutablePointer<Float>?, _ zero: UnsafePointer<Float>, _ rows: Range<Int>, keepXY: Bool = true) {
        let k0 = weights.outer, k1 = weights.centre
        let v0 = SIMD8<Float>(repeating: k0), v1 = SIMD8<Float>(repeating: k1)
        for y in rows {
            let a = border.index(y - 1, count: h).map { src + $0 * w } ?? zero
            let b = src + y * w
            let c = border.index(y + 1, count: h).map { src + $0 * w } ?? zero
            let ox = keepXY ? gx + y * w : gx, oy = keepXY ? gy + y * w : gy, om = mag.map { $0 + y * w }
            // Pixel x with the border rule for columns (edges and the scalar tail).
            @inline(__always) func pixel(_ x: Int) {
                @inline(__always) func at(_ r: UnsafePointer<Float>, _ i: Int) -> Float {
                    border.index(i, count: w).map { r[$0] } ?? 0
                }
                let da = at(a, x + 1) - at(a, x - 1), db = at(b, x + 1) - at(b, x - 1), dc = at(c, x + 1) - at(c, x - 1)
                let sa = k1 * at(a, x) + k0 * (at(a, x - 1) + at(a, x + 1))
                let sc = k1 * at(c, x) + k0 * (at(c, x - 1) + at(c, x + 1))
                let vx = k1 * db + k0 * (da + dc), vy = sc - sa
                ox[x] = vx; oy[x] = vy
                if let om { om[x] = (vx * vx + vy * vy).squareRoot() }
            }
            pixel(0)
            var x = 1
            while x + 8 < w {
                let al = load8(a + x - 1), am = load8(a + x), ar = load8(a + x + 1)
                let bl = load8(b + x - 1), br = load8(b + x + 1)
                let cl = load8(c + x - 1), cm = load8(c + x), cr = load8(c + x + 1)
                let vx = v1 * (br - bl) + v0 * ((ar - al) + (cr - cl))
                let vy = (v1 * cm + v0 * (cl + cr)) - (v1 * am + v0 * (al + ar))
                store8(vx, ox + x); store8(vy, oy + x)
                if let om { store8((vx * vx + vy * vy).squareRoot(), om + x) }
                x += 8
            }
            while x < w { pixel(x); x += 1 }
        }
    }
}
