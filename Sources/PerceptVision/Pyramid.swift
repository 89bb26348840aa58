import Foundation
import PerceptCore

/// Multi-scale representations with OpenCV's semantics: `pyrDown` / `pyrUp`, Gaussian and Laplacian
/// pyramids, and a SIFT-style Gaussian scale space.
///
///     let levels = try Pyramid.gaussian(image, levels: 5)
public enum Pyramid {
    /// `cv2.pyrDown`: blur with the separable 5-tap [1 4 6 4 1] / 16 kernel, keep every second pixel;
    /// output size ⌈h/2⌉ × ⌈w/2⌉.
    ///
    ///     let half = try Pyramid.down(image)
    public static func down(_ image: Tensor, border: BorderMode = .reflect101) throws -> Tensor {
        let planes = try ImagePlanes(image, "image")
        let (h, w) = (planes.height, planes.width)
        let oh = (h + 1) / 2, ow = (w + 1) / 2
        let shape = planes.shape(rank: image.rank, height: oh, width: ow)
        return image.withUnsafeBufferPointer { src in
            uninitializedTensor(shape) { dst in
                guard let s = src.baseAddress else { return }
                let box = UnsafeSendable((s, dst))
                for c in 0..<planes.channels {
                    Parallel.forChunks(count: oh, minChunk: Swift.max(1, 32_768 / w)) { rows in
                        let (s, d) = box.value
                        downRows(s + c * h * w, h, w, d + c * oh * ow, ow, border, rows)
                    }
                }
            }
        }
    }

    /// The kernel of `down` for output rows `rows`, in OpenCV's order: each source row is filtered
    /// horizontally and decimated once, in reading order (one sequential stream from memory), into a
    /// small cache of half-width rows; each output row then sums five of them vertically, × 1/256.
    static func downRows(_ src: UnsafePointer<Float>, _ h: Int, _ w: Int, _ dst: UnsafeMutablePointer<Float>, _ ow: Int,
                         _ border: BorderMode, _ rows: Range<Int>) {
        let slots = 5, stride = ow + 8
        let cache = UnsafeMutablePointer<Float>.allocate(capacity: (slots + 1) * stride)
        defer { cache.deallocate() }
        cache.initialize(repeating: 0, count: (slots + 1) * stride)
        let zeroRow = UnsafePointer(cache + slots * stride)   // rows outside the image under `constant`
        var tags = [Int](repeating: -1, count: slots)
        var needed = [Int](repeating: -1, count: 5)
        var rowPtr = [UnsafePointer<Float>](repeating: zeroRow, count: 5)
        let four = SIMD8<Float>(repeating: 4), six = SIMD8<Float>(repeating: 6), scale = SIMD8<Float>(repeating: 1 / 256)
        for y in rows {
            // −2 marks a row outside the image (constant border); −1 is an empty cache slot.
            for k in 0..<5 { needed[k] = border.index(2 * y + k - 2, count: h) ?? -2 }
            for k in 0..<5 {
                let r = needed[k]
                guard r >= 0 else { rowPtr[k] = zeroRow; continue }
                if let slot = tags.firstIndex(of: r) { rowPtr[k] = UnsafePointer(cache + slot * stride); continue }
                // Reuse a slot no row of this output needs.
                let slot = tags.firstIndex { !needed.contains($0) } ?? 0
                tags[slot] = r
                downRow(src + r * w, w, cache + slot * stride, ow, border)
                rowPtr[k] = UnsafePointer(cache + slot * stride)
            }
            let r0 = rowPtr[0], r1 = rowPtr[1], r2 = rowPtr[2], r3 = rowPtr[3], r4 = rowPtr[4]
            let o = dst + y * ow
            var x = 0
            while x + 8 <= ow {
                let v = (load8(r0 + x) + load8(r4 + x)) + four * (load8(r1 + x) + load8(r3 + x)) + six * load8(r2 + x)
                store8(v * scale, o + x)
                x += 8
            }
            while x < ow { o[x] = ((r0[x] + r4[x]) + 4 * (r1[x] + r3[x]) + 6 * r2[x]) * (1 / 256); x += 1 }
        }
    }

    /// One source row filtered with [1 4 6 4 1] at even positions: out[x] = Σ k_j · s[2x + j − 2].
    @inline(__always)
    static func downRow(_ s: UnsafePointer<Float>, _ w: Int, _ out: UnsafeMutablePointer<Float>, _ ow: Int, _ border: BorderMode) {
        @inline(__always) func at(_ i: Int) -> Float { border.index(i, count: w).map { s[$0] } ?? 0 }
        @inline(__always) func edge(_ x: Int) {
            let c = 2 * x
            out[x] = (at(c - 2) + at(c + 2)) + 4 * (at(c - 1) + at(c + 1)) + 6 * at(c)
        }
        let four = SIMD8<Float>(repeating: 4), six = SIMD8<Float>(repeating: 6)
        edge(0)
        var x = 1
        // Vector outputs x … x + 7 read s[2x − 2 … 2x + 17]; keep that inside the row.
        while 2 * x + 18 <= w {
            let a = UnsafeRawPointer(s + 2 * x - 2).loadUnaligned(as: SIMD16<Float>.self)
            let b = UnsafeRawPointer(s + 2 * x).loadUnaligned(as: SIMD16<Float>.self)
            let e = UnsafeRawPointer(s + 2 * x + 2).loadUnaligned(as: SIMD16<Float>.self)
            let v = (a.evenHalf + e.evenHalf) + four * (a.oddHalf + b.oddHalf) + six * b.evenHalf
            store8(v, out + x)
            x += 8
        }
        while x < ow {
            let c = 2 * x
            if c + 2 < w {
                out[x] = (s[c - 2] + s[c + 2]) + 4 * (s[c - 1] + s[c + 1]) + 6 * s[c]
            } else {
                edge(x)
            }
            x += 1
        }
    }

    /// `cv2.pyrUp(img, dstsize=(width, height))`: insert zeros, blur with [1 4 6 4 1] / 8 per axis.
    /// The size defaults to 2h × 2w; OpenCV allows 2h ± (height % 2) and likewise for the width.
    ///
    ///     let up = try Pyramid.up(half, height: 37, width: 29)
    public static func up(_ image: Tensor, height: Int? = nil, width: Int? = nil) throws -> Tensor {
        let planes = try ImagePlanes(image, "image")
        let (h, w) = (planes.height, planes.width)
        let dh = height ?? 2 * h, dw = width ?? 2 * w
        guard abs(dh - 2 * h) == dh % 2, abs(dw - 2 * w) == dw % 2 else {
            throw PerceptError.invalidArgument(field: "dstsize", "\(dh) × \(dw) is not a valid pyrUp size for \(h) × \(w)")
        }
        let shape = planes.shape(rank: image.rank, height: dh, width: dw)
        return image.withUnsafeBufferPointer { src in
            uninitializedTensor(shape) { dst in
                guard let s = src.baseAddress else { return }
                // Horizontal pass of every source row into (2w + 1) columns, in units of 1/8.
                let uw = 2 * w + 1
                var u = [Float](repeating: 0, count: h * uw)
                for c in 0..<planes.channels {
                    let plane = s + c * h * w
                    for y in 0..<h {
                        upRow(plane + y * w, w) { x, v in u[y * uw + x] = v }
                    }
                    // Vertical pass: the same rule on the rows of u.
                    let out = dst + c * dh * dw
                    for dy in 0..<dh {
                        let o = out + dy * dw
                        // Row 2h (odd heights only) is OpenCV's even rule at y = h with rows h → h−1 and
                        // h + 1 → h − 2 (reflect101 on the doubled grid): 7·U[h−1] + U[h−2].
                        let sy = Swift.min(dy / 2, h - 1)
                        let odd = dy % 2 == 1
                        let prev = h == 1 ? 0 : (dy == 2 * h ? h - 2 : (sy == 0 ? 1 : sy - 1))
                        let next = dy == 2 * h ? h - 1 : Swift.min(sy + 1, h - 1)
                        for x in 0..<dw {
                            let v: Float
                            if h == 1 {
                                v = 8 * u[x]
                            } else if odd {
                                v = 4 * (u[sy * uw + x] + u[next * uw + x])
                            } else {
                                v = u[prev * uw + x] + 6 * u[sy * uw + x] + u[next * uw + x]
                            }
                            o[x] = v * (1 / 64)
                        }
                    }
                }
            }
        }
    }

    /// One row of `up` in units of 1/8: even outputs (1, 6, 1), odd ones (4, 4); past the right
    /// edge the last pixel repeats and an extra column copies the last one (as OpenCV's pyrUp,
    /// which treats the extra row differently: see `up`).
    private static func upRow(_ s: UnsafePointer<Float>, _ w: Int, _ put: (Int, Float) -> Void) {
        if w == 1 {
            for x in 0..<3 { put(x, 8 * s[0]) }
            return
        }
        for x in 0..<w {
            let left = x == 0 ? s[1] : s[x - 1]
            let right = x == w - 1 ? s[w - 1] : s[x + 1]
            put(2 * x, left + 6 * s[x] + right)
            put(2 * x + 1, 4 * (s[x] + right))
        }
        put(2 * w, 8 * s[w - 1])
    }

    /// How many pyramid levels (the image included) an h × w image has: it halves (rounding up)
    /// until it is 1 × 1, where `down` would return it unchanged.
    ///
    ///     Pyramid.maxLevels(height: 44, width: 60)   // 7
    public static func maxLevels(height: Int, width: Int) -> Int {
        var m = Swift.max(height, width), n = 1
        while m >= 2 { m = (m + 1) / 2; n += 1 }
        return n
    }

    /// Level 0 is the image; level i + 1 is `down(level i)`.
    ///
    ///     let g = try Pyramid.gaussian(image, levels: 4)
    public static func gaussian(_ image: Tensor, levels: Int, border: BorderMode = .reflect101) throws -> [Tensor] {
        let planes = try ImagePlanes(image, "image")
        let most = maxLevels(height: planes.height, width: planes.width)
        guard levels >= 1, levels <= most else {
            throw PerceptError.invalidArgument(field: "levels",
                "must be between 1 and \(most) for a \(planes.height) × \(planes.width) image, got \(levels)")
        }
        var out = [image]
        for _ in 1..<levels { out.append(try down(out[out.count - 1], border: border)) }
        return out
    }

    /// Laplacian pyramid: level i is G_i − up(G_{i+1}); the last level is the smallest Gaussian level,
    /// so `reconstruct` inverts it exactly (up to rounding).
    ///
    ///     let l = try Pyramid.laplacian(image, levels: 4)
    public static func laplacian(_ image: Tensor, levels: Int) throws -> [Tensor] {
        let g = try gaussian(image, levels: levels)
        var out: [Tensor] = []
        for i in 0..<(levels - 1) {
            let planes = try ImagePlanes(g[i], "image")
            let up = try self.up(g[i + 1], height: planes.height, width: planes.width)
            out.append(Tensor(unchecked: g[i].shape, data: zip(g[i].storage, up.storage).map { $0 - $1 }))
        }
        out.append(g[levels - 1])
        return out
    }

    /// Inverse of `laplacian`: from the smallest level, upsample and add each finer level.
    ///
    ///     let image = try Pyramid.reconstruct(l)
    public static func reconstruct(_ laplacian: [Tensor]) throws -> Tensor {
        guard var cur = laplacian.last else { throw PerceptError.invalidArgument(field: "levels", "no levels") }
        for level in laplacian.dropLast().reversed() {
            let planes = try ImagePlanes(level, "image")
            let up = try self.up(cur, height: planes.height, width: planes.width)
            cur = Tensor(unchecked: level.shape, data: zip(level.storage, up.storage).map { $0 + $1 })
        }
        return cur
    }

    /// A SIFT-style Gaussian scale space: `octaves` octaves of `scales + 3` images each. Image i of
    /// octave o has blur σ · 2^o · 2^(i/scales) relative to the input (assumed blurred by
    /// `assumedBlur`); each is blurred from the previous one by the missing increment, and each octave
    /// starts from image `scales` of the previous octave, subsampled by 2.
    ///
    ///     let ss = try Pyramid.scaleSpace(image, octaves: 4, scales: 3)
    public static func scaleSpace(_ image: Tensor, octaves: Int, scales: Int, sigma: Double = 1.6,
                                  assumedBlur: Double = 0.5) throws -> ScaleSpace {
        let planes = try ImagePlanes(image, "image")
        guard scales >= 1 else { throw PerceptError.invalidArgument(field: "scales", "must be ≥ 1, got \(scales)") }
        guard sigma > 0 else { throw PerceptError.invalidArgument(field: "sigma", "must be > 0, got \(sigma)") }
        let most = maxLevels(height: planes.height, width: planes.width)
        guard octaves >= 1, octaves <= most else {
            throw PerceptError.invalidArgument(field: "octaves",
                "must be between 1 and \(most) for a \(planes.height) × \(planes.width) image, got \(octaves)")
        }
        let k = pow(2.0, 1.0 / Double(scales))
        let perOctave = scales + 3
        // Increments within an octave (the same for every octave, in that octave's pixels).
        var increments = [Double](repeating: 0, count: perOctave)
        for i in 1..<perOctave {
            let prev = sigma * pow(k, Double(i - 1)), total = prev * k
            increments[i] = (total * total - prev * prev).squareRoot()
        }
        var images: [[Tensor]] = [], sigmas: [[Double]] = []
        let first = (Swift.max(sigma * sigma - assumedBlur * assumedBlur, 0.01)).squareRoot()
        var base = try Gaussian.blur(image, sigma: first)
        for o in 0..<octaves {
            var octave = [base]
            for i in 1..<perOctave { octave.append(try Gaussian.blur(octave[i - 1], sigma: increments[i])) }
            images.append(octave)
            sigmas.append((0..<perOctave).map { sigma * pow(2.0, Double(o)) * pow(k, Double($0)) })
            if o + 1 < octaves { base = try subsample(octave[scales]) }
        }
        return ScaleSpace(images: images, sigmas: sigmas)
    }

    /// Every second pixel of every second row (starting at 0), as SIFT builds the next octave.
    static func subsample(_ image: Tensor) throws -> Tensor {
        let planes = try ImagePlanes(image, "image")
        let (h, w) = (planes.height, planes.width)
        let oh = (h + 1) / 2, ow = (w + 1) / 2
        var data = [Float](); data.reserveCapacity(planes.channels * oh * ow)
        for c in 0..<planes.channels {
            for y in stride(from: 0, to: h, by: 2) {
                for x in stride(from: 0, to: w, by: 2) { data.append(image.storage[c * h * w + y * w + x]) }
            }
        }
        return Tensor(unchecked: planes.shape(rank: image.rank, height: oh, width: ow), data: data)
    }
}

/// The result of `Pyramid.scaleSpace`: `images[octave][scale]` and the blur of each relative to the input.
///
///     let ss = try Pyramid.scaleSpace(image, octaves: 3, scales: 3); let sigma = ss.sigmas[1][2]
public struct ScaleSpace: Sendable {
    public let images: [[Tensor]]
    public let sigmas: [[Double]]
}
