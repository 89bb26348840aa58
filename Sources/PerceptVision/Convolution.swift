import PerceptCore

/// 2-D correlation and convolution of an image (`[H, W]` or `[C, H, W]`, each plane alone) with
/// any kernel, plus a separable fast path. Anchors and borders follow OpenCV's `filter2D`.
///
///     let edges = try Convolution.convolve(image, kernel: Sobel.slidesKernel)
public enum Convolution {
    /// Correlation, as `cv2.filter2D`: `out(y, x) = Σ k(i, j) · in(y + i − kh/2, x + j − kw/2)`.
    ///
    ///     let smoothed = try Convolution.correlate(image, kernel: Tensor(shape: [3, 3], repeating: 1 / 9))
    public static func correlate(_ image: Tensor, kernel: Tensor, border: BorderMode = .reflect101) throws -> Tensor {
        let (kh, kw) = try kernelSize(kernel)
        return try correlate(image, kernel: kernel.storage, kh: kh, kw: kw, anchorY: kh / 2, anchorX: kw / 2, border: border)
    }

    /// True convolution: the kernel rotated by 180° (the textbook definition). For odd kernels this is
    /// `correlate` with the flipped kernel; the slides' Sobel `[[1,0,-1],[2,0,-2],[1,0,-1]]` gives OpenCV's dx = 1.
    ///
    ///     let gx = try Convolution.convolve(image, kernel: Sobel.slidesKernel)
    public static func convolve(_ image: Tensor, kernel: Tensor, border: BorderMode = .reflect101) throws -> Tensor {
        let (kh, kw) = try kernelSize(kernel)
        let flipped = Array(kernel.storage.reversed())
        return try correlate(image, kernel: flipped, kh: kh, kw: kw, anchorY: kh - 1 - kh / 2, anchorX: kw - 1 - kw / 2, border: border)
    }

    /// Separable correlation: rows with `rowKernel`, then columns with `columnKernel`, each anchored
    /// at its centre (`sepFilter2D`). Costs kh + kw instead of kh · kw multiply-adds per pixel.
    ///
    ///     let blurred = try Convolution.separable(image, rowKernel: g, columnKernel: g)
    public static func separable(_ image: Tensor, rowKernel: [Float], columnKernel: [Float], border: BorderMode = .reflect101) throws -> Tensor {
        guard !rowKernel.isEmpty, !columnKernel.isEmpty else {
            throw PerceptError.invalidArgument(field: "kernel", "separable kernels must not be empty")
        }
        let planes = try ImagePlanes(image, "image")
        let (h, w) = (planes.height, planes.width)
        let kw = rowKernel.count, kh = columnKernel.count
        let ax = kw / 2, ay = kh / 2
        return image.withUnsafeBufferPointer { src in
            uninitializedTensor(image.shape) { dst in
                let tmp = UnsafeMutablePointer<Float>.allocate(capacity: h * w)
                defer { tmp.deallocate() }
                guard let base = src.baseAddress else { return }
                let srcBase = UnsafeSendable(base)
                let out = UnsafeSendable(dst), tmpBox = UnsafeSendable(tmp)
                for c in 0..<planes.channels {
                    let plane = srcBase.value + c * h * w
                    let dplane = out.value + c * h * w
                    // Row pass into tmp (one padded row buffer per worker).
                    Parallel.forChunks(count: h, minChunk: Swift.max(1, 65_536 / w)) { rows in
                        let pad = UnsafeMutablePointer<Float>.allocate(capacity: w + kw - 1)
                        defer { pad.deallocate() }
                        for y in rows {
                            padRow(plane + y * w, w, left: ax, right: kw - 1 - ax, border: border, into: pad)
                            let t = tmpBox.value + y * w
                            t.initialize(repeating: 0, count: w)
                            for j in 0..<kw where rowKernel[j] != 0 { axpy(rowKernel[j], pad + j, t, w) }
                        }
                    }
                    // Column pass: rows outside the image come from the border rule.
                    Parallel.forChunks(count: h, minChunk: Swift.max(1, 65_536 / w)) { rows in
                        for y in rows {
                            let d = dplane + y * w
                            d.initialize(repeating: 0, count: w)
                            for i in 0..<kh where columnKernel[i] != 0 {
                                if let sy = border.index(y + i - ay, count: h) {
                                    axpy(columnKernel[i], tmpBox.value + sy * w, d, w)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static func kernelSize(_ kernel: Tensor) throws -> (Int, Int) {
        guard kernel.rank == 2, kernel.shape[0] > 0, kernel.shape[1] > 0 else {
            throw PerceptError.invalidArgument(field: "kernel", "expected a non-empty [kh, kw] kernel, got shape \(kernel.shape)")
        }
        return (kernel.shape[0], kernel.shape[1])
    }

    /// Direct correlation on a padded copy of each plane: one row-long multiply-add per kernel tap.
    static func correlate(_ image: Tensor, kernel k: [Float], kh: Int, kw: Int, anchorY ay: Int, anchorX ax: Int,
                          border: BorderMode) throws -> Tensor {
        let planes = try ImagePlanes(image, "image")
        let (h, w) = (planes.height, planes.width)
        let pw = w + kw - 1, ph = h + kh - 1
        return image.withUnsafeBufferPointer { src in
            uninitializedTensor(image.shape) { dst in
                let padded = UnsafeMutablePointer<Float>.allocate(capacity: ph * pw)
                defer { padded.deallocate() }
                guard let base = src.baseAddress else { return }
                let srcBase = UnsafeSendable(base)
                let out = UnsafeSendable(dst), pad = UnsafeSendable(padded)
                for c in 0..<planes.channels {
                    let plane = srcBase.value + c * h * w
                    for py in 0..<ph {
                        if let sy = border.index(py - ay, count: h) {
                            padRow(plane + sy * w, w, left: ax, right: kw - 1 - ax, border: border, into: padded + py * pw)
                        } else {
                            (padded + py * pw).initialize(repeating: 0, count: pw)
                        }
                    }
                    let dplane = out.value + c * h * w
                    Parallel.forChunks(count: h, minChunk: Swift.max(1, 65_536 / (w * kh * kw))) { rows in
                        for y in rows {
                            let d = dplane + y * w
                            d.initialize(repeating: 0, count: w)
                            for i in 0..<kh {
                                for j in 0..<kw where k[i * kw + j] != 0 {
                                    axpy(k[i * kw + j], pad.value + (y + i) * pw + j, d, w)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
