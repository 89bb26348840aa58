/// An n-dimensional array of `Float` in C (row-major) order with value semantics.
///
/// Storage is one contiguous Swift array, so copies are cheap until written (copy-on-write)
/// and hot loops can take a raw pointer with `withUnsafeBufferPointer`.
///
///     var t = Tensor(shape: [2, 3], repeating: 0); t[1, 2] = 5
public struct Tensor: Equatable, Sendable, CustomStringConvertible {
    /// Dimensions, outermost first (e.g. `[channels, height, width]`).
    public private(set) var shape: [Int]
    /// The elements in row-major order; `storage.count == shape.product`.
    public internal(set) var storage: [Float]

    /// A tensor filled with one value.
    public init(shape: [Int], repeating value: Float = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.storage = [Float](repeating: value, count: Tensor.count(of: shape))
    }

    /// Wraps existing data; throws when the element count does not match the shape.
    public init(shape: [Int], data: [Float]) throws {
        guard shape.allSatisfy({ $0 >= 0 }), Tensor.count(of: shape) == data.count else {
            throw PerceptError.invalidArgument(field: "shape", "shape \(shape) holds \(Tensor.count(of: shape)) elements, data has \(data.count)")
        }
        self.shape = shape
        self.storage = data
    }

    /// Wraps existing data whose size is known to match (internal callers that built it).
    public init(unchecked shape: [Int], data: [Float]) {
        precondition(Tensor.count(of: shape) == data.count)
        self.shape = shape
        self.storage = data
    }

    /// Number of elements of a shape (1 for the empty shape: a scalar).
    public static func count(of shape: [Int]) -> Int { shape.reduce(1, *) }

    public var count: Int { storage.count }
    public var rank: Int { shape.count }

    /// Row-major strides in elements.
    public var strides: [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) { s[i] = acc; acc *= shape[i] }
        return s
    }

    /// Flat offset of a multi-index (bounds-checked with a precondition: programmer error).
    @inlinable public func offset(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "index rank \(index.count) for shape \(shape)")
        var off = 0
        for (i, d) in zip(index, shape) {
            precondition(i >= 0 && i < d, "index \(index) out of range for shape \(shape)")
            off = off * d + i
        }
        return off
    }

    public subscript(_ index: Int...) -> Float {
        get { storage[offset(index)] }
        set { storage[offset(index)] = newValue }
    }

    /// The same elements under another shape with the same count.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        try Tensor(shape: newShape, data: storage)
    }

    /// The `i`-th slice along the first axis, e.g. channel `i` of a [C,H,W] image.
    public func slice(_ i: Int) -> Tensor {
        precondition(rank >= 1 && i >= 0 && i < shape[0])
        let inner = Array(shape.dropFirst())
        let n = Tensor.count(of: inner)
        return Tensor(unchecked: inner, data: Array(storage[(i * n)..<((i + 1) * n)]))
    }

    /// Stacks equally shaped tensors along a new first axis.
    public static func stack(_ items: [Tensor]) throws -> Tensor {
        guard let first = items.first else { return Tensor(shape: [0]) }
        var data = [Float]()
        data.reserveCapacity(first.count * items.count)
        for t in items {
            guard t.shape == first.shape else {
                throw PerceptError.invalidArgument(field: "stack", "shapes differ: \(first.shape) and \(t.shape)")
            }
            data.append(contentsOf: t.storage)
        }
        return Tensor(unchecked: [items.count] + first.shape, data: data)
    }

    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer(body)
    }

    /// Applies `f` to every element.
    public func map(_ f: (Float) -> Float) -> Tensor {
        Tensor(unchecked: shape, data: storage.map(f))
    }

    public var min: Float { storage.min() ?? .nan }
    public var max: Float { storage.max() ?? .nan }
    public var sum: Float { storage.reduce(0, +) }

    /// Largest absolute elementwise difference; `.infinity` when shapes differ.
    public func maxAbsDifference(_ other: Tensor) -> Float {
        guard shape == other.shape else { return .infinity }
        var m: Float = 0
        for i in 0..<count { m = Swift.max(m, abs(storage[i] - other.storage[i])) }
        return m
    }

    public var description: String {
        let head = storage.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(head)\(count > 8 ? ", …" : "")])"
    }
}

extension Tensor {
    /// One gray channel `[1, H, W]` of an image `[C, H, W]`: BT.601 luma 0.299 R + 0.587 G +
    /// 0.114 B on the float values (as `skimage.color.rgb2gray`'s weights); a gray image passes
    /// through and alpha is dropped. Here so decoded files (PerceptIO) and image stages
    /// (PerceptVision) convert identically.
    ///
    ///     let g = rgb.luma()   // [1, H, W]
    public func luma() -> Tensor {
        precondition(rank == 3, "luma needs [C, H, W]")
        let height = shape[1], width = shape[2], plane = height * width
        switch shape[0] {
        case 1: return self
        case 2: return Tensor(unchecked: [1, height, width], data: Array(storage[0..<plane]))
        default:
            var out = [Float](repeating: 0, count: plane)
            withUnsafeBufferPointer { p in
                for i in 0..<plane {
                    // Same operation order as numpy's 0.299*R + 0.587*G + 0.114*B.
                    out[i] = 0.299 * p[i] + 0.587 * p[plane + i] + 0.114 * p[2 * plane + i]
                }
            }
            return Tensor(unchecked: [1, height, width], data: out)
        }
    }
}

extension Tensor {
    /// True when no element is infinite or NaN.
    ///
    ///     guard t.allFinite else { throw … }
    public var allFinite: Bool { withUnsafeBufferPointer(Tensor.allFinite) }

    /// True when no element of `b` is infinite or NaN: a branch-free OR of "exponent all ones"
    /// flags, so the scan vectorises (a counting loop was 4 % of a whole log-mel command), with
    /// long buffers split over the workers (an OR of flags: the same answer for any split).
    ///
    ///     let ok = samples.withUnsafeBufferPointer(Tensor.allFinite)
    public static func allFinite(_ b: UnsafeBufferPointer<Float>) -> Bool {
        b.withMemoryRebound(to: UInt32.self) { u in
            guard let base = u.baseAddress, !u.isEmpty else { return true }
            let chunk = 1 << 18, parts = (u.count + chunk - 1) / chunk
            var flags = [UInt32](repeating: 0, count: parts)
            flags.withUnsafeMutableBufferPointer { f in
                let fp = UnsafeSendable(f.baseAddress!), up = UnsafeSendable(base)
                Parallel.forChunks(count: parts, minChunk: 4) { range in
                    for part in range {
                        fp.value[part] = nonFiniteFlag(UnsafeBufferPointer(start: up.value + part * chunk, count: Swift.min(chunk, u.count - part * chunk)))
                    }
                }
            }
            return !flags.contains { $0 != 0 }
        }
    }

    /// `allFinite` of a short buffer on the calling thread (a worker checking the part it read).
    ///
    ///     guard Tensor.allFiniteHere(UnsafeBufferPointer(start: p, count: n)) else { … }
    public static func allFiniteHere(_ b: UnsafeBufferPointer<Float>) -> Bool {
        b.withMemoryRebound(to: UInt32.self) { nonFiniteFlag($0) == 0 }
    }

    /// Non-zero when some element has its exponent all ones (inf or NaN); branch-free, so it vectorises.
    private static func nonFiniteFlag(_ u: UnsafeBufferPointer<UInt32>) -> UInt32 {
        var acc: UInt32 = 0
        for bits in u { acc |= ((bits & 0x7f80_0000) &+ 0x0080_0000) & 0x8000_0000 }
        return acc
    }
}
