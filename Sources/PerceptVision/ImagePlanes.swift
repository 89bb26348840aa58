import Foundation
import PerceptCore

/// The planes of an image tensor: `[H, W]` is one plane, `[C, H, W]` is C planes of H × W.
/// Every PerceptVision operation works plane by plane, so spectrograms `[1, mels, frames]`
/// are images too.
struct ImagePlanes {
    let channels: Int
    let height: Int
    let width: Int
    var planeSize: Int { height * width }

    init(_ image: Tensor, _ operation: String) throws {
        switch image.rank {
        case 2: channels = 1; height = image.shape[0]; width = image.shape[1]
        case 3: channels = image.shape[0]; height = image.shape[1]; width = image.shape[2]
        default:
            throw PerceptError.invalidArgument(field: operation, "expected an image of shape [H, W] or [C, H, W], got \(image.shape)")
        }
        guard height > 0, width > 0, channels > 0 else {
            throw PerceptError.invalidArgument(field: operation, "the image is empty (shape \(image.shape))")
        }
    }

    /// The shape of an output with these planes resized to `h` × `w`, keeping the input's rank.
    func shape(rank: Int, height h: Int, width w: Int) -> [Int] {
        rank == 2 ? [h, w] : [channels, h, w]
    }
}

/// A tensor whose storage is written once by `fill`, skipping the zero-fill of a fresh array
/// (for large outputs that halves the memory traffic).
@inline(__always)
func uninitializedTensor(_ shape: [Int], _ fill: (UnsafeMutablePointer<Float>) throws -> Void) rethrows -> Tensor {
    let n = Tensor.count(of: shape)
    guard n > 0 else { return Tensor(shape: shape) }
    let data: [Float] = try HugePages.array(capacity: n) { buffer, count in
        if let base = buffer.baseAddress { try fill(base) }
        count = n
    }
    return Tensor(unchecked: shape, data: data)
}

@inline(__always) func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) func load8(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

/// `y[0..<n] += a * x[0..<n]`, eight lanes at a time.
@inline(__always)
func axpy(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    let va = SIMD8<Float>(repeating: a)
    var i = 0
    while i + 8 <= n {
        store8(load8(y + i) + va * load8(x + i), y + i)
        i += 8
    }
    while i < n { y[i] += a * x[i]; i += 1 }
}

/// Copies row `src[0..<w]` into `dst[0..<(left + w + right)]` with `left`/`right` border pixels.
@inline(__always)
func padRow(_ src: UnsafePointer<Float>, _ w: Int, left: Int, right: Int, border: BorderMode, into dst: UnsafeMutablePointer<Float>) {
    (dst + left).update(from: src, count: w)
    for j in 0..<left {
        dst[j] = border.index(j - left, count: w).map { src[$0] } ?? 0
    }
    for j in 0..<right {
        dst[left + w + j] = border.index(w + j, count: w).map { src[$0] } ?? 0
    }
}

/// Lane-wise |v| (clears the sign bits).
@inline(__always) func vabs(_ v: SIMD8<Float>) -> SIMD8<Float> {
    unsafeBitCast(unsafeBitCast(v, to: SIMD8<UInt32>.self) & SIMD8<UInt32>(repeating: 0x7FFF_FFFF), to: SIMD8<Float>.self)
}
