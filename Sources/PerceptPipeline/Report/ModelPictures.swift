import PerceptCore
import PerceptPlot

/// Pictures of what a network sees and learned, shared by TensorBoard's image tab and the run
/// report: a model input as a tile, and a layer's filters as a grid. All are [C, H, W] in [0, 1].
///
///     let grid = ModelPictures.filterGrid(weight)   // conv2d weight [out, in, kh, kw]
public enum ModelPictures {
    /// Gap between tiles, in pixels (mid gray, so zero-valued filter pixels stand out from it).
    static let gap = 2

    /// One model input as a picture: an image as it is (scaled to its own range, since inputs are
    /// usually standardised); a spectrogram in viridis with low frequencies at the bottom, a [T, F]
    /// sequence turned so time runs left to right, a vector (HoG, MFCC statistics) wrapped row by row
    /// into a near-square block. Small pictures are enlarged with nearest neighbours so that the
    /// short side is at least `minSide` pixels, but never past `maxSide` on the long side.
    public static func tile(_ input: Tensor, kind: SampleKind, minSide: Int = 56, maxSide: Int = 512) -> Tensor {
        var t: Tensor
        switch (kind, input.rank) {
        case (.image, 3) where input.shape[0] == 1 || input.shape[0] == 3:
            t = PictureTiles.unit(input)
        case (_, 3):
            t = flippedRows(PictureTiles.unit(firstChannel(input)))
        case (_, 2):
            // A sequence [T, F]: frames become columns, feature 0 the bottom row.
            let frames = input.shape[0], f = input.shape[1]
            var out = [Float](repeating: 0, count: f * frames)
            for i in 0..<frames { for k in 0..<f { out[(f - 1 - k) * frames + i] = input.storage[i * f + k] } }
            t = PictureTiles.unit(Tensor(unchecked: [1, f, frames], data: out))
        default:
            // A 1-pixel strip would be enlarged to absurd widths; wrap it (the tail padded with the minimum).
            let n = Swift.max(input.count, 1), cols = Int(Double(n).squareRoot().rounded(.up)), rows = (n + cols - 1) / cols
            let lo = input.storage.min() ?? 0
            t = PictureTiles.unit(Tensor(unchecked: [1, rows, cols], data: input.storage + [Float](repeating: lo, count: rows * cols - input.count)))
        }
        if kind != .image { t = Colormap.viridis.image(t.storage, rows: t.shape[1], cols: t.shape[2], lo: 0, hi: 1) }
        let side = Swift.min(t.shape[1], t.shape[2]), long = Swift.max(t.shape[1], t.shape[2])
        let factor = side >= minSide ? 1 : (minSide + side - 1) / Swift.max(side, 1)
        return enlarged(t, by: Swift.max(1, Swift.min(factor, maxSide / Swift.max(long, 1))))
    }

    /// A layer's filters [out, in, kh, kw] (or [out, in, k] for conv1d) as a grid of tiles: 3 input
    /// channels as colour, otherwise the first input channel. Each filter is scaled so that zero
    /// is mid gray and its largest magnitude is black or white — the lectures' way of showing
    /// that first-layer filters look like edge detectors.
    public static func filterGrid(_ weight: Tensor, pixelsPerTap: Int = 8, columns: Int? = nil) -> Tensor {
        let out = weight.shape[0], inC = weight.rank > 1 ? weight.shape[1] : 1
        let kh = weight.rank == 4 ? weight.shape[2] : 1, kw = weight.rank >= 3 ? weight.shape[weight.rank - 1] : 1
        let colour = inC == 3, c = colour ? 3 : 1
        let tiles: [Tensor] = (0..<out).map { o in
            let base = o * inC * kh * kw
            var planes = [Float](repeating: 0, count: c * kh * kw)
            for ch in 0..<c { for i in 0..<(kh * kw) { planes[ch * kh * kw + i] = weight.storage[base + ch * kh * kw + i] } }
            return enlarged(PictureTiles.signed(Tensor(unchecked: [c, kh, kw], data: planes)), by: pixelsPerTap)
        }
        return grid(tiles, columns: columns ?? Int(Double(out).squareRoot().rounded(.up)), background: gapBlue)
    }

    /// The gap colour of filter grids: not a gray, so a filter's zero weights (mid gray) keep their edge.
    static let gapBlue: [Float] = [0.62, 0.74, 0.90]

    /// A 3 × 3 (or any) kernel drawn as `filterGrid` draws one filter (Sobel beside learned filters).
    public static func kernel(_ k: [[Float]], pixelsPerTap: Int = 8) -> Tensor {
        let h = k.count, w = k.first?.count ?? 0
        return enlarged(PictureTiles.signed(Tensor(unchecked: [1, h, w], data: k.flatMap { $0 })), by: pixelsPerTap)
    }

    /// Tiles in rows of `columns`, each cell as large as the largest tile, on mid gray (or on an
    /// RGB `background`, which makes the grid RGB).
    public static func grid(_ tiles: [Tensor], columns: Int, background: [Float]? = nil) -> Tensor {
        let n = tiles.count
        let channels = background != nil || tiles.contains { $0.shape[0] == 3 } ? 3 : 1
        let cols = Swift.max(1, Swift.min(columns, n)), rows = Swift.max(1, (n + cols - 1) / cols)
        let ch = tiles.map { $0.shape[1] }.max() ?? 1, cw = tiles.map { $0.shape[2] }.max() ?? 1
        let h = rows * ch + (rows + 1) * gap, w = cols * cw + (cols + 1) * gap
        var out = [Float](repeating: 0.5, count: channels * h * w)
        if let background, channels == 3 {
            for c in 0..<3 { out.replaceSubrange((c * h * w)..<((c + 1) * h * w), with: repeatElement(background[c], count: h * w)) }
        }
        for (i, t) in tiles.enumerated() {
            let top = gap + (i / cols) * (ch + gap), left = gap + (i % cols) * (cw + gap)
            let tc = t.shape[0], th = t.shape[1], tw = t.shape[2]
            for c in 0..<channels {
                let sc = tc == 1 ? 0 : c
                for y in 0..<th { for x in 0..<tw { out[(c * h + top + y) * w + left + x] = t.storage[(sc * th + y) * tw + x] } }
            }
        }
        return Tensor(unchecked: [channels, h, w], data: out)
    }

    /// Nearest-neighbour enlargement by an integer factor.
    public static func enlarged(_ t: Tensor, by factor: Int) -> Tensor {
        guard factor > 1 else { return t }
        let c = t.shape[0], h = t.shape[1], w = t.shape[2], H = h * factor, W = w * factor
        var out = [Float](repeating: 0, count: c * H * W)
        for ch in 0..<c {
            for y in 0..<H {
                let src = (ch * h + y / factor) * w, dst = (ch * H + y) * W
                for x in 0..<W { out[dst + x] = t.storage[src + x / factor] }
            }
        }
        return Tensor(unchecked: [c, H, W], data: out)
    }

    static func firstChannel(_ t: Tensor) -> Tensor {
        let h = t.shape[1], w = t.shape[2]
        return Tensor(unchecked: [1, h, w], data: Array(t.storage[0..<(h * w)]))
    }

    /// Rows upside down: frequency bin 0 at the bottom, as spectrograms are drawn.
    static func flippedRows(_ t: Tensor) -> Tensor {
        let c = t.shape[0], h = t.shape[1], w = t.shape[2]
        var out = [Float](repeating: 0, count: t.count)
        for ch in 0..<c { for y in 0..<h { for x in 0..<w { out[(ch * h + (h - 1 - y)) * w + x] = t.storage[(ch * h + y) * w + x] } } }
        return Tensor(unchecked: t.shape, data: out)
    }
}
