import PerceptCore

/// CutMix (Yun et al. 2019; torchvision `CutMix(alpha)`): a box covering about 1 − λ of the
/// area (λ ~ Beta(α, α)) is pasted from sample π(i) into sample i; labels are mixed by the
/// box's actual area, λ' = 1 − box area / image area.
///
///     let cutmix = try CutMix(alpha: 1.0)
///     cutmix: {alpha: 1.0}     # the same stage in AUG.yaml
public struct CutMix: BatchAugmentationStage {
    public static let name = "cutmix", summary = "paste a box from another sample, mix labels by area"
    public static let parameters = [
        ParameterSpec("alpha", .float, default: 1.0, doc: "Beta(α, α) parameter of the kept area"),
        ParameterSpec("p", .float, default: 1.0, doc: "probability of mixing a batch"),
    ]
    public let p: Float
    let alpha: Float

    public init(_ params: Parameters) throws {
        p = try params.probability()
        alpha = try params.finiteFloat("alpha", atLeast: 0, strict: true)
    }

    /// Options left nil take the defaults in `parameters`; invalid values throw as in AUG.yaml.
    ///
    ///     let cutmix = try CutMix(alpha: 0.2, p: 0.5)
    public init(alpha: Float? = nil, p: Float? = nil) throws {
        try self.init(Self.parameters(["alpha": .given(alpha), "p": .given(p)]))
    }

    public func draw(rng: inout RandomStream, count: Int, shape: SampleShape) -> Params {
        let l = BetaDistribution.sample(Double(alpha), Double(alpha), &rng)
        let h = shape.height, w = shape.width
        let cy = rng.int(below: Swift.max(1, h)), cx = rng.int(below: Swift.max(1, w))
        let r = 0.5 * (1 - l).squareRoot()
        let hw = Int(r * Double(w)), hh = Int(r * Double(h))
        let x1 = Swift.max(0, cx - hw), x2 = Swift.min(w, cx + hw)
        let y1 = Swift.max(0, cy - hh), y2 = Swift.min(h, cy + hh)
        let box = Rect(top: y1, left: x1, height: y2 - y1, width: x2 - x1)
        let adjusted = 1 - Float(box.height * box.width) / Float(Swift.max(1, h * w))
        return Params(box: box, lambda: adjusted, permutation: rng.permutation(count))
    }

    public func apply(_ params: Params, to batch: inout Batch) throws {
        try checkBatch(batch)
        guard params.permutation.sorted() == Array(0..<batch.samples.count) else {
            throw PerceptError.invalidArgument(field: Self.name, "the permutation does not match a batch of \(batch.samples.count)")
        }
        guard let first = batch.samples.first else { return }
        guard first.data.rank == 3 else {
            throw PerceptError.invalidArgument(field: Self.name, "needs images or spectrograms [C, H, W], got \(first.data.shape)")
        }
        let c = first.data.shape[0], h = first.data.shape[1], w = first.data.shape[2]
        let b = params.box
        let src = batch
        for i in 0..<src.samples.count {
            let j = params.permutation[i]
            src.samples[j].data.withUnsafeBufferPointer { other in
                batch.samples[i].data.withUnsafeMutableBufferPointer { out in
                    for ch in 0..<c {
                        for y in Swift.max(0, b.top)..<Swift.max(Swift.max(0, b.top), Swift.min(h, b.top + b.height)) {
                            for x in Swift.max(0, b.left)..<Swift.max(Swift.max(0, b.left), Swift.min(w, b.left + b.width)) {
                                out[(ch * h + y) * w + x] = other[(ch * h + y) * w + x]
                            }
                        }
                    }
                }
            }
            batch.labels[i] = blend(src.labels[i], src.labels[j], params.lambda)
        }
    }

    /// The drawn parameters of one application (logged and replayed as JSON).
    public struct Params: Codable, Sendable, Equatable {
        public var box: Rect; public var lambda: Float; public var permutation: [Int]
        public init(box: Rect, lambda: Float, permutation: [Int]) { self.box = box; self.lambda = lambda; self.permutation = permutation }
    }
}
