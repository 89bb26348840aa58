import PerceptCore

/// Planes of feature values turned into tiles for labelled pictures ([1, H, W] in [0, 1]).
///
///     let tile = PictureTiles.signed(gx)   // 0 at mid gray
enum PictureTiles {
    /// An [H, W] (or [1, H, W]) plane, min…max onto 0…1 (a constant plane is black).
    static func unit(_ t: Tensor) -> Tensor {
        let (h, w) = size(t)
        let lo = t.min, hi = t.max
        let s: Float = hi > lo ? 1 / (hi - lo) : 0
        return Tensor(unchecked: [1, h, w], data: t.storage.map { ($0 - lo) * s })
    }

    /// Signed values (derivatives) with 0 at mid gray, so rising and falling edges show as light and dark.
    static func signed(_ t: Tensor) -> Tensor {
        let (h, w) = size(t)
        let m = Swift.max(-t.min, t.max, 1e-12)
        return Tensor(unchecked: [1, h, w], data: t.storage.map { 0.5 + 0.5 * $0 / m })
    }

    /// Values already in [0, 1] (images), clipped.
    static func clipped(_ t: Tensor) -> Tensor {
        let (h, w) = size(t)
        return Tensor(unchecked: [1, h, w], data: t.storage.map { Swift.min(1, Swift.max(0, $0)) })
    }

    static func size(_ t: Tensor) -> (Int, Int) { (t.shape[t.rank - 2], t.shape[t.rank - 1]) }
}
