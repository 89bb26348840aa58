import PerceptCore

/// `hog`: `skimage.feature.hog(img, ..., feature_vector=True)`; image `[C, H, W]` → vector `[N]`
/// (with several channels, per pixel the one with the largest gradient, as `channel_axis=0`).
/// With `levels` N > 1, multi-scale HoG: the HoG of the image, then of each `cv2.pyrDown` level
/// 1…N−1 with the same options, concatenated, `np.concatenate([hog(img), hog(cv2.pyrDown(img)), …])`.
///
///     let v = try HOGStage(pixelsPerCell: 7, cellsPerBlock: 2).apply(digit)
///     let ms = try HOGStage(pixelsPerCell: 4, cellsPerBlock: 2, levels: 2).apply(digit)   // 28×28 and 14×14: 1,296 + 144
public struct HOGStage: Transform {
    public static let name = "hog", summary = "histograms of oriented gradients as skimage.feature.hog(feature_vector=True): a vector"
    public static let accepts: [SampleKind] = [.image]
    public static let parameters = [
        ParameterSpec("orientations", .int, default: "9", doc: "number of orientation bins over 0–180°"),
        ParameterSpec("pixels_per_cell", .intPair, default: "8", doc: "cell size in pixels: N (square) or ROWS,COLS"),
        ParameterSpec("cells_per_block", .intPair, default: "3", doc: "block size in cells: N (square) or ROWS,COLS"),
        ParameterSpec("block_norm", .choice, default: "L2-Hys", choices: HOG.BlockNorm.allCases.map(\.rawValue),
                      doc: "block normalisation"),
        ParameterSpec("transform_sqrt", .bool, default: "false", doc: "square root of the image before the gradient"),
        ParameterSpec("levels", .int, default: "1",
                      doc: "pyramid levels: 1 is the image alone; N appends the HoG of cv2.pyrDown levels 1…N−1 (each must hold one block)"),
    ]

    public let hog: HOG
    /// Pyramid levels whose HoGs are concatenated (1: the image alone).
    public let levels: Int

    public init(_ params: Parameters) throws {
        let n = try params.int("orientations")
        let cell = try params.intPair("pixels_per_cell", atLeast: 1)
        let block = try params.intPair("cells_per_block", atLeast: 1)
        guard let norm = HOG.BlockNorm(rawValue: try params.string("block_norm")) else {
            throw params.invalid("block_norm", "unknown block norm")
        }
        do {
            hog = try HOG(orientations: n, pixelsPerCell: cell, cellsPerBlock: block, blockNorm: norm,
                          transformSqrt: try params.bool("transform_sqrt"))
        } catch let PerceptError.invalidArgument(field, message) {
            throw params.invalid(field, message)   // `--orientations` on the command line
        }
        levels = try params.int("levels")
        guard levels >= 1 else { throw params.invalid("levels", "levels=\(levels) must be ≥ 1") }
    }

    /// Options left nil take the defaults of `parameters`; cells and blocks are square.
    public init(orientations: Int? = nil, pixelsPerCell: Int? = nil, cellsPerBlock: Int? = nil, blockNorm: String? = nil,
                transformSqrt: Bool? = nil, levels: Int? = nil) throws {
        let v: [String: Value] = ["orientations": .given(orientations), "pixels_per_cell": .given(pixelsPerCell),
                                   "cells_per_block": .given(cellsPerBlock), "block_norm": .given(blockNorm),
                                   "transform_sqrt": .given(transformSqrt), "levels": .given(levels)]
        try self.init(Self.parameters(v.compactMapValues { $0 }))
    }

    public func outputShape(for shape: SampleShape) throws -> SampleShape {
        try checkKind(shape)
        var (h, w) = (shape.height, shape.width)
        var count = try hog.geometry(height: h, width: w).featureCount
        for level in 1..<levels {
            (h, w) = ((h + 1) / 2, (w + 1) / 2)   // cv2.pyrDown's size
            guard let geo = try? hog.geometry(height: h, width: w) else {
                let c = hog.cellsPerBlock, p = hog.pixelsPerCell
                throw PerceptError.invalidArgument(field: "\(Self.name).levels",
                    "levels=\(levels): level \(level) is \(h) × \(w), smaller than one block (\(c.rows * p.rows) × \(c.cols * p.cols) pixels); "
                    + "use at most \(level) level\(level == 1 ? "" : "s") or smaller cells")
            }
            count += geo.featureCount
        }
        return SampleShape(kind: .vector, dims: [count])
    }

    public func apply(_ sample: Sample) throws -> Sample {
        guard levels > 1 else {
            try checkKind(sample.shape)
            return try Sample(vector: hog.features(sample.data))
        }
        let count = try outputShape(for: sample.shape).dims[0]
        var out = [Float]()
        out.reserveCapacity(count)
        var image = sample.data
        for level in 0..<levels {
            if level > 0 { image = try Pyramid.down(image) }
            out += try hog.features(image).storage
        }
        return try Sample(vector: Tensor(unchecked: [count], data: out))
    }
}
