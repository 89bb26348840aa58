import PerceptCore

/// Random brightness, contrast, saturation and hue applied in a random order (torchvision and
/// albumentations `ColorJitter`): brightness scales, contrast blends with the mean gray level,
/// saturation blends with the gray image (BT.601), hue rotates the HSV hue by a factor of a full
/// turn (OpenCV's float RGB↔HSV, as albumentations' `adjust_hue_torchvision`). Gray images skip
/// saturation and hue.
///
///     let jitter = try ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1)
///     color_jitter: {brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1}     # the same stage in AUG.yaml
public struct ColorJitter: AugmentationStage {
    public static let name = "color_jitter", kind = SampleKind.image, summary = "random brightness, contrast, saturation and hue"
    public static let parameters = [
        ParameterSpec("brightness", .float, default: 0, doc: "factor drawn from [max(0, 1 − v), 1 + v]"),
        ParameterSpec("contrast", .float, default: 0, doc: "factor drawn from [max(0, 1 − v), 1 + v]"),
        ParameterSpec("saturation", .float, default: 0, doc: "factor drawn from [max(0, 1 − v), 1 + v]"),
        ParameterSpec("hue", .float, default: 0, doc: "hue shift drawn from [−v, v] turns (v ≤ 0.5)"),
        ParameterSpec("p", .float, default: 1.0, doc: "probability of changing"),
    ]
    public let p: Float
    let b: Float, c: Float, s: Float, h: Float

    public init(_ params: Parameters) throws {
        p = try params.probability()
        // Factors beyond 1 + 100 only clip; the bound keeps draws finite.
        b = try params.finiteFloat("brightness", within: 0...100); c = try params.finiteFloat("contrast", within: 0...100)
        s = try params.finiteFloat("saturation", within: 0...100)
        h = try params.finiteFloat("hue", atLeast: 0)
        guard h <= 0.5 else { throw params.invalid("hue", "hue=\(h) must be between 0 and 0.5 (a half turn either way)") }
    }

    /// Options left nil take the defaults in `parameters` (no change); invalid values throw as
    /// in AUG.yaml.
    ///
    ///     let jitter = try ColorJitter(brightness: 0.2, hue: 0.05)
    public init(brightness: Float? = nil, contrast: Float? = nil, saturation: Float? = nil, hue: Float? = nil, p: Float? = nil) throws {
        try self.init(Self.parameters([
            "brightness": .given(brightness), "contrast": .given(contrast), "saturation": .given(saturation),
            "hue": .given(hue), "p": .given(p),
        ]))
    }

    public func draw(rng: inout RandomStream, shape: SampleShape) -> Params {
        func factor(_ v: Float) -> Float { rng.uniform(Swift.max(0, 1 - v), 1 + v) }
        let fb = factor(b), fc = factor(c), fs = factor(s)
        // Without hue the draws stay those of the three-operation jitter, so seeded runs of
        // existing configurations give the same images as before hue existed.
        guard h > 0 else { return Params(brightness: fb, contrast: fc, saturation: fs, order: rng.permutation(3)) }
        let fh = rng.uniform(-h, h)
        return Params(brightness: fb, contrast: fc, saturation: fs, hue: fh, order: rng.permutation(4))
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
                case 3:
                    guard color, params.hue != 0 else { continue }
                    ColorJitter.shiftHue(base, n, by: params.hue)
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

    /// Rotates the hue of the RGB planes at `base` (`n` pixels each) by `turns`, through OpenCV's
    /// float RGB2HSV / HSV2RGB (hue in degrees, FLT_EPSILON guards, sector table) so the result
    /// matches albumentations' `adjust_hue_torchvision` on float images.
    static func shiftHue(_ base: UnsafeMutablePointer<Float>, _ n: Int, by turns: Float) {
        let eps = Float.ulpOfOne, shift = turns * 360
        // OpenCV's sector table, giving (b, g, r) from tab[0…3] = v, p, q, t.
        let sectors: [(Int, Int, Int)] = [(1, 3, 0), (1, 0, 2), (3, 0, 1), (0, 2, 1), (0, 1, 3), (2, 1, 0)]
        for i in 0..<n {
            let r = base[i], g = base[n + i], b = base[2 * n + i]
            var v = r, vmin = r
            if v < g { v = g }
            if v < b { v = b }
            if vmin > g { vmin = g }
            if vmin > b { vmin = b }
            var diff = v - vmin
            let s = diff / (abs(v) + eps)
            diff = Float(60.0 / Double(diff + eps))
            var hue: Float
            if v == r { hue = (g - b) * diff } else if v == g { hue = (b - r) * diff + 120 } else { hue = (r - g) * diff + 240 }
            if hue < 0 { hue += 360 }
            // np.mod(h + factor·360, 360) in float32, as the reference computes it.
            hue = hue + shift
            hue = hue - 360 * (hue / 360).rounded(.down)
            if hue >= 360 { hue -= 360 }
            guard s != 0 else { base[i] = v; base[n + i] = v; base[2 * n + i] = v; continue }
            var hh = (hue * (6 / 360)).truncatingRemainder(dividingBy: 6)
            var sector = hh.isFinite ? Int(hh.rounded(.down)) : 0   // NaN pixels must not trap
            hh -= Float(sector)
            if sector < 0 || sector >= 6 { sector = 0; hh = 0 }
            let tab = (v, v * (1 - s), v * (1 - s * hh), v * (1 - s * (1 - hh)))
            func pick(_ k: Int) -> Float { k == 0 ? tab.0 : k == 1 ? tab.1 : k == 2 ? tab.2 : tab.3 }
            let (bi, gi, ri) = sectors[sector]
            base[i] = pick(ri); base[n + i] = pick(gi); base[2 * n + i] = pick(bi)
        }
    }

    /// The drawn parameters of one application (logged and replayed as JSON).
    public struct Params: Codable, Sendable, Equatable {
        public var brightness: Float; public var contrast: Float; public var saturation: Float
        /// Hue shift as a fraction of a full turn, in [-0.5, 0.5] (absent in draws made before hue existed).
        public var hue: Float
        /// Order of the operations: 0 brightness, 1 contrast, 2 saturation, 3 hue.
        public var order: [Int]
        public init(brightness: Float, contrast: Float, saturation: Float, hue: Float = 0, order: [Int]) {
            self.brightness = brightness; self.contrast = contrast; self.saturation = saturation; self.hue = hue; self.order = order
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            brightness = try c.decode(Float.self, forKey: .brightness)
            contrast = try c.decode(Float.self, forKey: .contrast)
            saturation = try c.decode(Float.self, forKey: .saturation)
            hue = try c.decodeIfPresent(Float.self, forKey: .hue) ?? 0
            order = try c.decode([Int].self, forKey: .order)
        }
    }
}
