import Foundation
import PerceptCore

/// Histograms of oriented gradients (Dalal & Triggs) with scikit-image's parameters and semantics:
/// `skimage.feature.hog(image, orientations, pixels_per_cell, cells_per_block, block_norm,
/// transform_sqrt, feature_vector=True)`, to 1e-4.
///
/// What scikit-image does, and so what this does: the gradient is the centred difference
/// [-1, 0, 1] with the first and last row/column set to zero (not Sobel); the angle is
/// atan2(g_row, g_col) in degrees mod 180, binned hard into `orientations` equal bins; each
/// cell sums its magnitudes in float32 and divides by the cell area; only whole cells count
/// (the image is cropped to them); blocks slide by one cell; L2-Hys is L2 with eps 1e-5,
/// clipped at 0.2 and renormalised. The output is laid out (block row, block col, cell row in
/// block, cell col in block, orientation), flattened.
///
///     let f = try HOG(pixelsPerCell: (8, 8), cellsPerBlock: (2, 2)).features(gray)
public struct HOG: Sendable {
    /// Block normalisation, by scikit-image's names.
    ///
    ///     let norm = HOG.BlockNorm(rawValue: "L2-Hys")
    public enum BlockNorm: String, Sendable, CaseIterable {
        case l1 = "L1", l1Sqrt = "L1-sqrt", l2 = "L2", l2Hys = "L2-Hys"
    }

    public let orientations: Int
    public let pixelsPerCell: (rows: Int, cols: Int)
    public let cellsPerBlock: (rows: Int, cols: Int)
    public let blockNorm: BlockNorm
    /// Square root of the image before the gradient (power-law compression).
    public let transformSqrt: Bool

    /// Bin edges as unit vectors, for the fast in-register binning (see `binRow`).
    fileprivate let edgeCos: [Float]
    fileprivate let edgeSin: [Float]
    /// The bin of an exactly vertical gradient (90°), as scikit-image's float64 arithmetic gives it.
    private let bin90: Int32

    /// Validates the parameters (all positive).
    ///
    ///     let hog = try HOG(orientations: 9, pixelsPerCell: (7, 7), cellsPerBlock: (2, 2), blockNorm: .l2Hys)
    public init(orientations: Int = 9, pixelsPerCell: (Int, Int) = (8, 8), cellsPerBlock: (Int, Int) = (3, 3),
                blockNorm: BlockNorm = .l2Hys, transformSqrt: Bool = false) throws {
        guard (1...HOG.maxOrientations).contains(orientations) else {
            throw PerceptError.invalidArgument(field: "orientations", "orientations=\(orientations) must be between 1 and \(HOG.maxOrientations) (half-degree bins)")
        }
        guard (1...HOG.maxCells).contains(pixelsPerCell.0), (1...HOG.maxCells).contains(pixelsPerCell.1) else {
            throw PerceptError.invalidArgument(field: "pixels_per_cell", "must be between 1 and \(HOG.maxCells), got \(pixelsPerCell)")
        }
        guard (1...HOG.maxCells).contains(cellsPerBlock.0), (1...HOG.maxCells).contains(cellsPerBlock.1) else {
            throw PerceptError.invalidArgument(field: "cells_per_block", "must be between 1 and \(HOG.maxCells), got \(cellsPerBlock)")
        }
        self.orientations = orientations
        self.pixelsPerCell = (pixelsPerCell.0, pixelsPerCell.1)
        self.cellsPerBlock = (cellsPerBlock.0, cellsPerBlock.1)
        self.blockNorm = blockNorm
        self.transformSqrt = transformSqrt
        let per180 = 180.0 / Double(orientations)
        edgeCos = (0..<orientations).map { Float(cos(per180 * Double($0) * .pi / 180)) }
        edgeSin = (0..<orientations).map { Float(sin(per180 * Double($0) * .pi / 180)) }
        bin90 = Int32(HOG.exactBin(90, orientations))
    }

    /// Most orientation bins: 360 half-degree bins over 0–180°, beyond what the gradient resolves.
    public static let maxOrientations = 360
    /// Largest cell side in pixels and block side in cells (PNG sides stay below 2^31, but
    /// 65536 keeps every product of sizes far from overflow).
    public static let maxCells = 1 << 16

    /// Cell and block counts for an image size.
    ///
    ///     let g = try HOG(pixelsPerCell: (7, 7), cellsPerBlock: (2, 2)).geometry(height: 28, width: 28)   // 4 × 4 cells, 3 × 3 blocks
    public struct Geometry: Sendable, Equatable {
        public let cellRows: Int, cellCols: Int
        public let blockRows: Int, blockCols: Int
        /// Length of the feature vector.
        public let featureCount: Int
    }

    /// The layout for an h × w image; throws scikit-image's sentence when not even one block fits.
    ///
    ///     let n = try hog.geometry(height: 28, width: 28).featureCount
    public func geometry(height: Int, width: Int) throws -> Geometry {
        let nr = height / pixelsPerCell.rows, nc = width / pixelsPerCell.cols
        let br = nr - cellsPerBlock.rows + 1, bc = nc - cellsPerBlock.cols + 1
        guard br > 0, bc > 0 else {
            throw PerceptError.invalidArgument(field: "image",
                "The input image is too small given the values of pixels_per_cell and cells_per_block. "
                + "It should have at least: \(cellsPerBlock.rows * pixelsPerCell.rows) rows and "
                + "\(cellsPerBlock.cols * pixelsPerCell.cols) cols.")
        }
        let dims = [br, bc, cellsPerBlock.rows, cellsPerBlock.cols, orientations]
        try ResourceLimits.require(dims, for: "the \(br) × \(bc) blocks of \(cellsPerBlock.rows) × \(cellsPerBlock.cols) cells × \(orientations) orientations",
                                   blame: { .invalidArgument(field: "cells_per_block", $0) })
        return Geometry(cellRows: nr, cellCols: nc, blockRows: br, blockCols: bc, featureCount: dims.reduce(1, *))
    }

    /// The HoG feature vector of one image: `[H, W]`, `[1, H, W]`, or `[C, H, W]` (per pixel the
    /// channel with the largest gradient magnitude, as `channel_axis=-1`).
    ///
    ///     let v = try hog.features(gray)   // shape [featureCount]
    public func features(_ image: Tensor) throws -> Tensor {
        let planes = try ImagePlanes(image, "image")
        let geo = try geometry(height: planes.height, width: planes.width)
        let ws = Workspace(self, planes)
        return image.withUnsafeBufferPointer { src in
            uninitializedTensor([geo.featureCount]) { out in
                guard let s = src.baseAddress else { return }
                cellHistograms(s, planes, geo, ws)
                normalizeBlocks(ws.hist, geo, out, ws.block)
            }
        }
    }

    /// HoG of many equally sized images `[N, H, W]` at once, as `[N, featureCount]`; images are spread
    /// over `Parallel.threads` workers, each with one reused workspace.
    ///
    ///     let x = try hog.features(batch: digits)   // [10000, 28, 28] → [10000, 144]
    public func features(batch: Tensor) throws -> Tensor {
        guard batch.rank == 3 else {
            throw PerceptError.invalidArgument(field: "batch", "expected [N, H, W], got \(batch.shape)")
        }
        let n = batch.shape[0]
        let planes = try ImagePlanes(Tensor(shape: [batch.shape[1], batch.shape[2]]), "image")
        let geo = try geometry(height: planes.height, width: planes.width)
        let f = geo.featureCount, size = planes.planeSize
        return batch.withUnsafeBufferPointer { src in
            uninitializedTensor([n, f]) { out in
                guard let s = src.baseAddress else { return }
                let box = UnsafeSendable((s, out))
                Parallel.forChunks(count: n, minChunk: 64) { range in
                    let ws = Workspace(self, planes)
                    for i in range {
                        cellHistograms(box.value.0 + i * size, planes, geo, ws)
                        normalizeBlocks(ws.hist, geo, box.value.1 + i * f, ws.block)
                    }
                }
            }
        }
    }

    /// The unnormalised cell histograms `[cellRows, cellCols, orientations]` (scikit-image's
    /// `orientation_histogram`: float32 sums of magnitudes per bin, divided by the cell area).
    ///
    ///     let h = try hog.cellHistograms(gray)
    public func cellHistograms(_ image: Tensor) throws -> Tensor {
        let planes = try ImagePlanes(image, "image")
        let nr = planes.height / pixelsPerCell.rows, nc = planes.width / pixelsPerCell.cols
        guard nr > 0, nc > 0 else {
            throw PerceptError.invalidArgument(field: "pixels_per_cell",
                "a \(pixelsPerCell.rows) × \(pixelsPerCell.cols) cell is larger than the \(planes.height) × \(planes.width) image")
        }
        let geo = Geometry(cellRows: nr, cellCols: nc, blockRows: 0, blockCols: 0, featureCount: 0)
        let ws = Workspace(self, planes)
        image.withUnsafeBufferPointer { src in
            if let s = src.baseAddress { cellHistograms(s, planes, geo, ws) }
        }
        return Tensor(unchecked: [nr, nc, orientations], data: Array(UnsafeBufferPointer(start: ws.hist, count: nr * nc * orientations)))
    }

    /// scikit-image's `_hog_channel_gradient` of one plane: (g_row, g_col), centred differences with
    /// zeroed border rows (g_row) and columns (g_col).
    ///
    ///     let (gRow, gCol) = try HOG.gradients(gray)
    public static func gradients(_ image: Tensor) throws -> (row: Tensor, col: Tensor) {
        let planes = try ImagePlanes(image, "image")
        guard planes.channels == 1 else {
            throw PerceptError.invalidArgument(field: "image", "expected one plane, got \(planes.channels)")
        }
        let (h, w) = (planes.height, planes.width)
        let p: [Float] = image.storage
        var gr = [Float](repeating: 0, count: h * w), gc = [Float](repeating: 0, count: h * w)
        for y in 0..<h {
            for x in 0..<w {
                let i: Int = y * w + x
                if y > 0 && y < h - 1 { gr[i] = p[i + w] - p[i - w] }
                if x > 0 && x < w - 1 { gc[i] = p[i + 1] - p[i - 1] }
            }
        }
        return (Tensor(unchecked: image.shape, data: gr), Tensor(unchecked: image.shape, data: gc))
    }

    // MARK: - Kernel

    /// Scratch buffers for one image size, reused across images of a batch.
    final class Workspace {
        let width8: Int
        let gx, gy, mag, cgx, cgy, cmag: UnsafeMutablePointer<Float>
        let bins: UnsafeMutablePointer<Int32>
        let hist: UnsafeMutablePointer<Float>
        let block: UnsafeMutablePointer<Double>
        let sqrtImage: UnsafeMutablePointer<Float>?
        let edgeCos, edgeSin: UnsafeMutablePointer<Float>

        init(_ hog: HOG, _ planes: ImagePlanes) {
            width8 = (planes.width + 7) / 8 * 8
            func floats(_ n: Int) -> UnsafeMutablePointer<Float> {
                let p = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(n, 1))
                p.initialize(repeating: 0, count: Swift.max(n, 1))
                return p
            }
            gx = floats(width8); gy = floats(width8); mag = floats(width8)
            cgx = floats(width8); cgy = floats(width8); cmag = floats(width8)
            bins = .allocate(capacity: width8)
            bins.initialize(repeating: 0, count: width8)
            let cells = (planes.height / hog.pixelsPerCell.rows) * (planes.width / hog.pixelsPerCell.cols)
            hist = floats(cells * hog.orientations)
            block = .allocate(capacity: hog.cellsPerBlock.rows * hog.cellsPerBlock.cols * hog.orientations)
            sqrtImage = hog.transformSqrt ? floats(planes.channels * planes.planeSize) : nil
            edgeCos = floats(hog.orientations); edgeSin = floats(hog.orientations)
            for k in 0..<hog.orientations { edgeCos[k] = hog.edgeCos[k]; edgeSin[k] = hog.edgeSin[k] }
        }

        deinit {
            for p in [gx, gy, mag, cgx, cgy, cmag, hist, edgeCos, edgeSin] { p.deallocate() }
            bins.deallocate(); block.deallocate(); sqrtImage?.deallocate()
        }
    }

    /// Fills `ws.hist` with the cell histograms of one image.
    func cellHistograms(_ image: UnsafePointer<Float>, _ planes: ImagePlanes, _ geo: Geometry, _ ws: Workspace) {
        let n = orientations, ch = pixelsPerCell.rows, cw = pixelsPerCell.cols
        let rowsUsed = geo.cellRows * ch, colsUsed = geo.cellCols * cw
        var src = image
        if let sq = ws.sqrtImage {
            for i in 0..<(planes.channels * planes.planeSize) { sq[i] = image[i].squareRoot() }
            src = UnsafePointer(sq)
        }
        let hist = ws.hist, bins = ws.bins, mag = ws.mag, gx = ws.gx, gy = ws.gy
        hist.initialize(repeating: 0, count: geo.cellRows * geo.cellCols * n)
        for y in 0..<rowsUsed {
            gradientRow(src, planes, y, colsUsed, ws)
            binRow(gx, gy, mag, bins, ws.width8, ws)
            // Scatter into this row's cells; the order within a cell is row-major, as scikit-image sums.
            let rowBase = hist + (y / ch) * geo.cellCols * n
            for cell in 0..<geo.cellCols {
                let hc = rowBase + cell * n
                for x in (cell * cw)..<((cell + 1) * cw) {
                    let b = Int(bins[x])
                    if b >= 0 {
                        hc[b] += mag[x]
                    } else {
                        let e = HOG.exactBin(gx[x], gy[x], n)
                        if e >= 0 { hc[e] += mag[x] }
                    }
                }
            }
        }
        // Like scikit-image's `total / (cell_rows * cell_columns)` on a C float.
        let area = Float(ch * cw)
        for i in 0..<(geo.cellRows * geo.cellCols * n) { hist[i] = hist[i] / area }
    }

    /// g_col and g_row of row `y` for columns 0..<colsUsed into ws.gx / ws.gy (zero past colsUsed).
    /// Several channels: per pixel the channel with the largest float32 hypot (first on ties).
    @inline(__always)
    private func gradientRow(_ src: UnsafePointer<Float>, _ planes: ImagePlanes, _ y: Int, _ colsUsed: Int, _ ws: Workspace) {
        let (h, w) = (planes.height, planes.width)
        func plane(_ p: UnsafePointer<Float>, _ gx: UnsafeMutablePointer<Float>, _ gy: UnsafeMutablePointer<Float>) {
            let row = p + y * w
            let end = Swift.min(colsUsed, w - 1)
            gx[0] = 0
            if end > 1 { for x in 1..<end { gx[x] = row[x + 1] - row[x - 1] } }
            if colsUsed == w && w > 1 { gx[w - 1] = 0 }
            if y == 0 || y == h - 1 {
                gy.initialize(repeating: 0, count: colsUsed)
            } else {
                let up = row - w, down = row + w
                for x in 0..<colsUsed { gy[x] = down[x] - up[x] }
            }
        }
        plane(src, ws.gx, ws.gy)
        guard planes.channels > 1 else { return }
        for x in 0..<colsUsed { ws.mag[x] = hypotf(ws.gy[x], ws.gx[x]) }
        for c in 1..<planes.channels {
            plane(src + c * planes.planeSize, ws.cgx, ws.cgy)
            for x in 0..<colsUsed {
                let m = hypotf(ws.cgy[x], ws.cgx[x])
                if m > ws.mag[x] { ws.mag[x] = m; ws.gx[x] = ws.cgx[x]; ws.gy[x] = ws.cgy[x] }
            }
        }
    }

    /// Magnitude and orientation bin of `count` (a multiple of 8) gradients, eight lanes at a time.
    ///
    /// The bin of θ = atan2(gy, gx) mod 180° is the number of interior edges e_k it has reached,
    /// and θ ≥ e_k exactly when gy·cos e_k − gx·sin e_k ≥ 0 (after folding onto the upper half-plane),
    /// so no atan2 is needed. Gradients within 1e-5 (relative) of an edge get bin −1 and are binned
    /// by `exactBin`, scikit-image's float64 arithmetic; axis-aligned ones (0°, 90°, 180°) take the
    /// bins that arithmetic gives them.
    @inline(__always)
    private func binRow(_ gxp: UnsafeMutablePointer<Float>, _ gyp: UnsafeMutablePointer<Float>,
                        _ magp: UnsafeMutablePointer<Float>, _ bins: UnsafeMutablePointer<Int32>, _ count: Int,
                        _ ws: Workspace) {
        let n = orientations
        let zero = SIMD8<Float>(repeating: 0), tol = SIMD8<Float>(repeating: 1e-5)
        let one = SIMD8<Int32>(repeating: 1)
        let cs = ws.edgeCos, sn = ws.edgeSin
        var x = 0
        while x < count {
            let gx = load8(gxp + x), gy = load8(gyp + x)
            let flip = (gy .< zero) .| ((gy .== zero) .& (gx .< zero))
            let fx = gx.replacing(with: -gx, where: flip), fy = gy.replacing(with: -gy, where: flip)
            var bin = SIMD8<Int32>(repeating: 0)
            var near = fy   // distance to the 0°/180° edge
            for k in 1..<Swift.max(n, 1) {
                let cross = fy * SIMD8(repeating: cs[k]) - fx * SIMD8(repeating: sn[k])
                bin &+= one.replacing(with: 0, where: cross .< zero)
                let a = vabs(cross)
                near.replace(with: a, where: a .< near)   // not pointwiseMin: it is not inlined
            }
            let risky = (near .<= tol * (vabs(fx) + vabs(fy))) .& (gx .!= zero) .& (gy .!= zero)
            bin.replace(with: 0, where: gy .== zero)
            bin.replace(with: bin90, where: (gx .== zero) .& (gy .!= zero))
            bin.replace(with: -1, where: risky)
            UnsafeMutableRawPointer(bins + x).storeBytes(of: bin, as: SIMD8<Int32>.self)
            store8((gx * gx + gy * gy).squareRoot(), magp + x)
            x += 8
        }
    }

    /// scikit-image's binning in float64: rad2deg(atan2(g_row, g_col)) % 180, then the bin i with
    /// 180/n · i ≤ θ < 180/n · (i + 1); −1 when θ falls in none (θ rounded up to 180).
    static func exactBin(_ gx: Float, _ gy: Float, _ n: Int) -> Int {
        exactBin(atan2(Double(gy), Double(gx)) * (180.0 / Double.pi), n)
    }

    static func exactBin(_ degrees: Double, _ n: Int) -> Int {
        // numpy's remainder: fmod, then shifted into the divisor's sign; a zero result is +0.
        var m = fmod(degrees, 180.0)
        if m != 0 { if m < 0 { m += 180 } } else { m = 0 }
        let per180 = 180.0 / Double(n)
        for i in 0..<n where m < per180 * Double(i + 1) && m >= per180 * Double(i) { return i }
        return -1
    }

    /// Normalises every block of cells into `out` (scikit-image's layout), in float64 like numpy.
    func normalizeBlocks(_ hist: UnsafeMutablePointer<Float>, _ geo: Geometry, _ out: UnsafeMutablePointer<Float>,
                         _ v: UnsafeMutablePointer<Double>) {
        let n = orientations, bR = cellsPerBlock.rows, bC = cellsPerBlock.cols
        let len = bR * bC * n, rowLen = bC * n
        let eps = 1e-5
        var o = out
        for r in 0..<geo.blockRows {
            for c in 0..<geo.blockCols {
                for i in 0..<bR {
                    let cells = hist + ((r + i) * geo.cellCols + c) * n
                    for j in 0..<rowLen { v[i * rowLen + j] = Double(cells[j]) }
                }
                switch blockNorm {
                case .l1, .l1Sqrt:
                    var s = 0.0
                    for j in 0..<len { s += abs(v[j]) }
                    let d = s + eps
                    if blockNorm == .l1 {
                        for j in 0..<len { o[j] = Float(v[j] / d) }
                    } else {
                        for j in 0..<len { o[j] = Float((v[j] / d).squareRoot()) }
                    }
                case .l2, .l2Hys:
                    var s = 0.0
                    for j in 0..<len { s += v[j] * v[j] }
                    let d = (s + eps * eps).squareRoot()
                    if blockNorm == .l2 {
                        for j in 0..<len { o[j] = Float(v[j] / d) }
                    } else {
                        var s2 = 0.0
                        for j in 0..<len { v[j] = Swift.min(v[j] / d, 0.2); s2 += v[j] * v[j] }
                        let d2 = (s2 + eps * eps).squareRoot()
                        for j in 0..<len { o[j] = Float(v[j] / d2) }
                    }
                }
                o += len
            }
        }
    }
}
