import COpenBLAS
import Foundation
import PerceptCore

/// A grow-only, zero-initialised float buffer owned by a layer or optimizer.
///
/// Layers keep one per output and per input gradient and only reallocate when a larger
/// batch arrives, so the training step loop allocates nothing.
///
///     let b = FloatBuffer(); b.ensure(64 * 10); b.ptr[0] = 1
public final class FloatBuffer: @unchecked Sendable {
    public private(set) var ptr: UnsafeMutablePointer<Float>
    public private(set) var capacity: Int

    public init(count: Int = 0) {
        capacity = Swift.max(count, 1)
        ptr = .allocate(capacity: capacity)
        ptr.initialize(repeating: 0, count: capacity)
    }

    deinit { ptr.deallocate() }

    /// Makes room for `count` elements; old contents are not kept when it grows.
    @inline(__always) public func ensure(_ count: Int) {
        if count > capacity {
            ptr.deallocate()
            capacity = count
            ptr = .allocate(capacity: count)
            ptr.initialize(repeating: 0, count: count)
        }
    }

    public func zero(_ count: Int) { ptr.update(repeating: 0, count: count) }

    public func array(_ count: Int) -> [Float] { Array(UnsafeBufferPointer(start: ptr, count: count)) }
}

/// A trainable tensor (weight or bias) with its gradient, in PyTorch layout
/// (`[out, in]` for Dense, `[out_channels, in_channels/groups, kh, kw]` for Conv2D).
///
///     let w = try Param(name: "weight", shape: [10, 4]); w.value.ptr[0] = 0.5
public final class Param: @unchecked Sendable {
    public let name: String
    public let shape: [Int]
    public let count: Int
    public let value: FloatBuffer
    public let grad: FloatBuffer

    /// Throws when the shape (from an option or a file) is negative, overflows, or its value and
    /// gradient would not fit the memory limit (`ResourceLimits`).
    public init(name: String, shape: [Int]) throws {
        try ResourceLimits.require(shape + [2], for: "its \(shape.map(String.init).joined(separator: " × ")) \(name) and gradient",
                                   blame: { .invalidArgument(field: name, $0) })
        self.name = name
        self.shape = shape
        count = Tensor.count(of: shape)
        value = FloatBuffer(count: count)
        grad = FloatBuffer(count: count)
    }

    /// The same storage (value and gradient) under another name: how a block (`residual`) exposes
    /// its inner layers' tensors as `body.0.weight` without copying them on every pass.
    init(name: String, sharing other: Param) {
        self.name = name; shape = other.shape; count = other.count; value = other.value; grad = other.grad
    }

    /// The current value as a tensor (a copy).
    public var tensor: Tensor { Tensor(unchecked: shape, data: value.array(count)) }

    /// Replaces the value; throws when the shape differs.
    public func load(_ t: Tensor, as label: String) throws {
        guard t.shape == shape else {
            throw PerceptError.invalidArgument(field: label, "shape \(t.shape) does not match the model's \(shape)")
        }
        t.withUnsafeBufferPointer { src in
            if let b = src.baseAddress { value.ptr.update(from: b, count: count) }
        }
    }
}

/// Row-major single-precision GEMM: C = alpha·op(A)·op(B) + beta·C.
@inline(__always)
func gemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int,
          _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int,
          _ b: UnsafePointer<Float>, _ ldb: Int,
          _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}
