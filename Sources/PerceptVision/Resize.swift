import Foundation
import PerceptCore

/// Resampling to a new size with OpenCV's `cv2.resize` rules (pixel centres at +0.5).
///
///     let small = try Resize.resize(image, height: 32, width: 32, method: .area)
public enum Resize {
    /// The interpolation, by OpenCV's flag names.
    ///
    ///     let m = Resize.Method.area
    public enum Method: String, Sendable, CaseIterable {
        /// `INTER_LINEAR`: bilinear between the two nearest source pixels per axis.
        case bilinear
        /// `INTER_AREA`: the average over each output pixel's footprint when shrinking
        /// (bilinear with OpenCV's area-style weights when enlarging).
        case area
        /// `INTER_NEAREST`: source pixel ⌊d · src / dst⌋ (OpenCV's rule, not pixel centres).
        case nearest
    }

    /// Resizes every plane to `height` × `width`.
    ///
    ///     let r = try Resize.resize(image, height: 17, width: 12)
    public static func resize(_ image: Tensor, height oh: Int, width ow: Int, method: Method = .bilinear) throws -> Tensor {
        let planes = try ImagePlanes(image, "image")
        guard oh > 0, ow > 0 else {
            throw PerceptError.invalidArgument(field: "size", "the output size must be positive, got \(oh) × \(ow)")
        }
        try ResourceLimits.require([planes.channels, oh, ow], for: "a \(oh) × \(ow) output", blame: { .invalidArgument(field: "size", $0) })
        let (h, w) = (planes.height, planes.width)
        let rows: [Weights], cols: [Weights]
        if method == .nearest {
            rows = nearestWeights(src: h, dst: oh); cols = nearestWeights(src: w, dst: ow)
        } else if method == .area && oh <= h && ow <= w {
            rows = areaWeights(src: h, dst: oh); cols = areaWeights(src: w, dst: ow)
        } else {
            rows = linearWeights(src: h, dst: oh, area: method == .area)
            cols = linearWeights(src: w, dst: ow, area: method == .area)
        }
        let shape = planes.shape(rank: image.rank, height: oh, width: ow)
        // Column taps flattened to k per output column (unused taps have weight 0).
        let k = cols.map(\.taps.count).max() ?? 1
        var colIndex = [Int](repeating: 0, count: ow * k), colWeight = [Float](repeating: 0, count: ow * k)
        for (x, c) in cols.enumerated() {
            for (t, (sx, wx)) in c.taps.enumerated() { colIndex[x * k + t] = sx; colWeight[x * k + t] = wx }
        }
        var used = [Bool](repeating: false, count: h)
        for r in rows { for (sy, _) in r.taps { used[sy] = true } }
        return image.withUnsafeBufferPointer { src in
            uninitializedTensor(shape) { dst in
                guard let s = src.baseAddress else { return }
                // Every source row that is read resized horizontally once, then output rows mix them vertically.
                let tmp = UnsafeMutablePointer<Float>.allocate(capacity: h * ow)
                defer { tmp.deallocate() }
                colIndex.withUnsafeBufferPointer { ci in
                    colWeight.withUnsafeBufferPointer { cw in
                        for c in 0..<planes.channels {
                            let plane = s + c * h * w, out = dst + c * oh * ow
                            for sy in 0..<h where used[sy] {
                                let r = plane + sy * w, t = tmp + sy * ow
                                if k == 2 {
                                    for x in 0..<ow { t[x] = r[ci[2 * x]] * cw[2 * x] + r[ci[2 * x + 1]] * cw[2 * x + 1] }
                                } else {
                                    for x in 0..<ow {
                                        var acc: Float = 0
                                        for j in 0..<k { acc += r[ci[x * k + j]] * cw[x * k + j] }
                                        t[x] = acc
                                    }
                                }
                            }
                            for y in 0..<oh {
                                let o = out + y * ow
                                o.initialize(repeating: 0, count: ow)
                                for (sy, wy) in rows[y].taps { axpy(wy, tmp + sy * ow, o, ow) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The source indices and weights one output index reads along one axis.
    struct Weights { var taps: [(Int, Float)] }

    /// OpenCV INTER_LINEAR (and INTER_AREA when enlarging) coefficients along one axis.
    static func linearWeights(src n: Int, dst m: Int, area: Bool) -> [Weights] {
        let scale = Double(n) / Double(m)
        return (0..<m).map { d in
            var s: Int, f: Float
            if area {
                // INTER_AREA upscaling: a pixel is a box; weight = overlap with the next source pixel.
                s = Int(floor(Double(d) * scale))
                let ff = Float(Double(d + 1) - Double(s + 1) / scale)
                f = ff <= 0 ? 0 : ff - floor(ff)
            } else {
                let fx = (Double(d) + 0.5) * scale - 0.5
                s = Int(floor(fx)); f = Float(fx - Double(s))
            }
            if s < 0 { s = 0; f = 0 }
            if s >= n - 1 { s = n - 1; f = 0 }
            return f == 0 ? Weights(taps: [(s, 1)]) : Weights(taps: [(s, 1 - f), (s + 1, f)])
        }
    }

    /// OpenCV INTER_NEAREST: `min(⌊d · n / m⌋, n − 1)` (cv2 computes the scale as 1 / (m / n)).
    static func nearestWeights(src n: Int, dst m: Int) -> [Weights] {
        let scale = 1 / (Double(m) / Double(n))
        return (0..<m).map { d in Weights(taps: [(Swift.min(Int(floor(Double(d) * scale)), n - 1), 1)]) }
    }

    /// OpenCV INTER_AREA shrinking: each output pixel averages the source interval it covers,
    /// partial pixels weighted by their covered fraction.
    static func areaWeights(src n: Int, dst m: Int) -> [Weights] {
        let scale = Double(n) / Double(m)
        return (0..<m).map { d in
            let fsx1 = Double(d) * scale, fsx2 = fsx1 + scale
            let cellWidth = Swift.min(scale, Double(n) - fsx1)
            var sx1 = Int(ceil(fsx1)), sx2 = Int(floor(fsx2))
            sx2 = Swift.min(sx2, n - 1); sx1 = Swift.min(sx1, sx2)
            var taps: [(Int, Float)] = []
            if Double(sx1) - fsx1 > 1e-3 { taps.append((sx1 - 1, Float((Double(sx1) - fsx1) / cellWidth))) }
            for s in sx1..<sx2 { taps.append((s, Float(1 / cellWidth))) }
            if fsx2 - Double(sx2) > 1e-3 {
                taps.append((sx2, Float(Swift.min(Swift.min(fsx2 - Double(sx2), 1), cellWidth) / cellWidth)))
            }
            return Weights(taps: taps)
        }
    }
}
