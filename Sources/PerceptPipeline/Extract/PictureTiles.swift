import PerceptCore

/// Planes of feature values turned into tiles for labelled pictures ([1, H, W] in [0, 1]).
///
///     let tile = PictureTiles.signed(gx)   // 0 at mid gray
enum PictureTiles {
    /// An [H, W] plane or a [C, H, W] picture, min…max onto 0…1 (a constant one is black).
    static func unit(_ t: Tensor) -> Tensor {
        let lo = t.min, hi = t.max
        let s: Float = hi > lo && lo.isFinite && hi.isFinite ? 1 / (hi - lo) : 0
        return Tensor(unchecked: tileShape(t), data: t.storage.map { s == 0 ? 0 : ($0 - lo) * s })
    }

    /// Signed values (derivatives, filter weights) with 0 at mid gray, so rising and falling edges
    /// show as light and dark.
    static func signed(_ t: Tensor) -> Tensor {
        let m = Swift.max(-t.min, t.max, 1e-12)
        return Tensor(unchecked: tileShape(t), data: t.storage.map { 0.5 + 0.5 * $0 / m })
    }

    /// [1, H, W] for a plane, the picture's own [C, H, W] for one with channels.
    static func tileShape(_ t: Tensor) -> [Int] {
        t.rank == 3 ? t.shape : [1, t.shape[t.rank - 2], t.shape[t.rank - 1]]
    }

    /// Values already in [0, 1] (images), clipped.
    static func clipped(_ t: Tensor) -> Tensor {
        let (h, w) = size(t)
        return Tensor(unchecked: [1, h, w], data: t.storage.map { Swift.min(1, Swift.max(0, $0)) })
    }

    static func size(_ t: Tensor) -> (Int, Int) { (t.shape[t.rank - 2], t.shape[t.rank - 1]) }
}
