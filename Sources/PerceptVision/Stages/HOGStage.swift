import PerceptCore

/// `hog`: `skimage.feature.hog(img, ..., feature_vector=True)`; image `[C, H, W]` → vector `[N]`
/// (with several channels, per pixel the one with the largest gradient, as `channel_axis=0`).
///
///     let v = try HOGStage(pixelsPerCell: 7, cellsPerBlock: 2).apply(digit)
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
    ]

    public let hog: HOG

    public init(_ params: Parameters) throws {
        let n = try params.int("orientations")
        guard n >= 1 else { throw params.invalid("orientations", "orientations=\(n) must be ≥ 1") }
        let cell = try params.intPair("pixels_per_cell", atLeast: 1)
        let block = try params.intPair("cells_per_block", atLeast: 1)
        guard let norm = HOG.BlockNorm(rawValue: try params.string("block_norm")) else {
            throw params.invalid("block_norm", "unknown block norm")
        }
        hog = try HOG(orientations: n, pixelsPerCell: cell, cellsPerBlock: block, blockNorm: norm,
                      transformSqrt: try params.bool("transform_sqrt"))
    }

    /// Options left nil take the defaults of `parameters`; cells and blocks are square.
    public init(orientations: Int? = nil, pixelsPerCell: Int? = nil, cellsPerBlock: Int? = nil, blockNorm: String? = nil,
                transformSqrt: Bool? = nil) throws {
        let v: [String: Value] = ["orientations": .given(orientations), "pixels_per_cell": .given(pixelsPerCell),
                                   "cells_per_block": .given(cellsPerBlock), "block_norm": .given(blockNorm),
                                   "transform_sqrt": .given(transformSqrt)]
        try self.init(Self.parameters(v.compactMapValues { $0 }))
    }

    public func outputShape(for shape: SampleShape) throws -> SampleShape {
        try checkKind(shape)
        return SampleShape(kind: .vector, dims: [try hog.geometry(height: shape.height, width: shape.width).featureCount])
    }

    public func apply(_ sample: Sample) throws -> Sample {
        try checkKind(sample.shape)
        return try Sample(vector: hog.features(sample.data))
    }
}
