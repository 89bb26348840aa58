import PerceptCore

/// Turns a CNN feature map into a sequence for a recurrent layer: `[C, F, T]` → `[T, C·F]`
/// (feature `c·F + f` of frame t is input `[c, f, t]`), and `[C, T]` → `[T, C]`. This is
/// PyTorch's `x.permute(0, 3, 1, 2).flatten(2)`, the usual CRNN glue, so a conv front end,
/// an LSTM and a dense head are one `Sequential`.
///
///     let seq = ToSequence()
public final class ToSequence: Layer {
    public static let name = "to_sequence", summary = "reshape a [C, F, T] feature map (or [C, T]) to a sequence [T, C·F]"
    public static let parameters: [ParameterSpec] = []
    public let values: [String: Value]
    private var rows = 0, frames = 0
    private let out = FloatBuffer(), dx = FloatBuffer()

    public init(_ params: Parameters) throws { values = params.values }

    /// No options: the same as the registry builds from an empty option list.
    public init() { values = [:] }

    public func build(inputShape: [Int], rng: inout RandomStream) throws -> [Int] {
        guard inputShape.count == 2 || inputShape.count == 3 else {
            throw ShapeMismatch(expected: "[C, F, T] or [C, T] (time last)")
        }
        frames = inputShape[inputShape.count - 1]
        rows = Tensor.count(of: inputShape) / frames
        return [frames, rows]
    }

    public func forward(_ x: UnsafePointer<Float>, batch: Int, context: ForwardContext) -> UnsafePointer<Float> {
        let n = rows * frames
        out.ensure(batch * n)
        for b in 0..<batch { transpose(x + b * n, out.ptr + b * n, rows, frames) }
        return UnsafePointer(out.ptr)
    }

    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient: Bool) -> UnsafePointer<Float>? {
        guard inputGradient else { return nil }
        let n = rows * frames
        dx.ensure(batch * n)
        for b in 0..<batch { transpose(dy + b * n, dx.ptr + b * n, frames, rows) }
        return UnsafePointer(dx.ptr)
    }
}

/// `dst[j, i] = src[i, j]` for a row-major `rows × cols` matrix, in cache-sized tiles.
func transpose(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ rows: Int, _ cols: Int) {
    let tile = 32
    var i0 = 0
    while i0 < rows {
        let i1 = Swift.min(i0 + tile, rows)
        var j0 = 0
        while j0 < cols {
            let j1 = Swift.min(j0 + tile, cols)
            for i in i0..<i1 { for j in j0..<j1 { dst[j * rows + i] = src[i * cols + j] } }
            j0 = j1
        }
        i0 = i1
    }
}
