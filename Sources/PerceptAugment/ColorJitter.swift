import PerceptCore

/// Random brightness, contrast and saturation factors applied in a random order
/// (torchvision `ColorJitter` without hue): brightness scales, contrast blends with the mean
/// gray level, saturation blends with the gray image (BT.601). Gray images skip saturation.
///
///     color_jitter: {brightness: 0.4, contrast: 0.4, saturation: 0.4}
public struct ColorJitter: AugmentationStage {
    public struct Params: Codable, Sendable, Equatable {
        public var brightness: Float; public var contrast: Float; public var saturation: Float
        /// Order of the three operations: 0 brightness, 1 contrast, 2 saturation.
        public var order: [Int]
        public init(brightness: Float, contrast: Float, saturation: Float, order: [Int]) { self.brightness = brightness; self.contrast = contrast; self.saturation = saturation; self.order = order }
    }
    public static let name = "color_jitter"
    public static let kind = SampleKind.image
    public static let summary = "random brightness, contrast and saturation factors"
    public static let parameters = [
        ParameterSpec("p", .float, default: "1.0", doc: "probability of changing"),
        ParameterSpec("brightness", .float, default: "0", doc: "factor drawn from [max(0, 1 − v), 1 + v]"),
        ParameterSpec("contrast", .float, default: "0", doc: "factor drawn from [max(0, 1 − v), 1 + v]"),
        ParameterSpec("saturation", .float, default: "0", doc: "factor drawn from [max(0, 1 − v), 1 + v]"),
    ]
    public let p: Float
    let b: Float, c: Float, s: Float

    public init(_ params: Parameters) throws {
        let o = StageOptions(params)
        p = try o.probability()
        b = try o.float("brightness", atLeast: 0); c = try o.float("contrast", atLeast: 0); s = try o.float("saturation", atLeast: 0)
    }

    public func outputShape(for shape: SampleShape) throws -> SampleShape { try checkKind(shape); return shape }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params {
        func factor(_ v: Float) -> Float { rng.uniform(Swift.max(0, 1 - v), 1 + v) }
        let fb = factor(b), fc = factor(c), fs = factor(s)
        return Params(brightness: fb, contrast: fc, saturation: fs, order: rng.permutation(3))
    }

    public func apply(_ params: Params, to sample: inout Sample) throws {
        let sh = sample.shape
        let n = sh.height * sh.width
        let color = sh.channels >= 3
        sample.data.withUnsafeMutableBufferPointer { buf in
            guard let base = buf.baseAddress else { return }
            func gray(_ i: Int) -> Float { color ? 0.299 * base[i] + 0.587 * base[n + i] + 0.114 * base[2 * n + i] : base[i] }
            for op in params.order {
                switch op {
                case 0:
                    PixelLoops.scaleShift(base, buf.count, params.brightness, 0, clip: true)
                case 1:
                    var sum = 0.0
                    for i in 0..<n { sum += Double(gray(i)) }
                    let mean = Float(sum / Double(Swift.max(1, n)))
                    let f = params.contrast
                    PixelLoops.scaleShift(base, buf.count, f, (1 - f) * mean, clip: true)
                default:
                    guard color else { continue }
                    let f = params.saturation
                    for i in 0..<n {
                        let g = gray(i) * (1 - f)
                        for ch in 0..<3 { base[ch * n + i] = Swift.min(1, Swift.max(0, f * base[ch * n + i] + g)) }
                    }
                }
            }
        }
    }
}
