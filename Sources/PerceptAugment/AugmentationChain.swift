import Foundation
import PerceptCore

/// Stages applied in order, reproducibly: sample `index` of `epoch` under `seed` always gets
/// the same variant, whatever the thread count or machine, because stage `k` draws from
/// `RandomStream(seed).split(epoch).split(index).split(k)` and from nothing else.
/// Batch stages draw from `RandomStream(seed).split(epoch).split(2⁶³ | batchIndex).split(k)`.
/// Deterministic transforms (`fix_length`, `melspectrogram`…) sit between them and draw nothing,
/// so one chain can go from a waveform to a masked log-mel.
///
///     let chain = AugmentationChain([.sample(flip), .sample(crop)])
///     let speech = AugmentationChain([.transform(fix), .sample(noise), .transform(mel), .sample(mask)])
///     let out = try chain.apply(to: sample, seed: 42, epoch: 3, index: 17)
public struct AugmentationChain: Sendable {
    /// One element of a chain: a random per-sample stage, a deterministic transform or a batch stage.
    public enum Step: Sendable {
        case sample(any AugmentationStage)
        case batch(any BatchAugmentationStage)
        case transform(any Transform)

        public var name: String {
            switch self {
            case let .sample(s): return type(of: s).name
            case let .batch(b): return type(of: b).name
            case let .transform(t): return type(of: t).name
            }
        }

        /// Runs a per-sample step (a random stage draws from `stream`); batch steps do nothing here.
        func run(_ stream: @autoclosure () -> RandomStream, on sample: inout Sample) throws {
            switch self {
            case let .sample(stage): try stage.run(stream(), on: &sample)
            case let .transform(t): sample = try t.apply(sample)
            case .batch: break
            }
        }

        var isBatch: Bool { if case .batch = self { return true } else { return false } }
    }

    public let steps: [Step]

    public init(_ steps: [Step]) { self.steps = steps }

    /// A chain of per-sample stages.
    public init(stages: [any AugmentationStage]) { steps = stages.map { .sample($0) } }

    public var hasBatchStages: Bool { steps.contains { $0.isBatch } }

    /// The random stream of one sample; stage `k` uses `.split(k)` of it.
    public static func stream(seed: UInt64, epoch: Int, index: Int) -> RandomStream {
        RandomStream(seed: seed).split(epoch).split(index)
    }

    /// The random stream of one batch; batch stage `k` uses `.split(k)` of it.
    public static func batchStream(seed: UInt64, epoch: Int, batchIndex: Int) -> RandomStream {
        RandomStream(seed: seed).split(epoch).split((UInt64(1) << 63) | UInt64(truncatingIfNeeded: batchIndex))
    }

    /// Checks every stage against the input shape (kind, sizes) and returns the output shape,
    /// so a bad chain fails before any work or output.
    public func outputShape(for shape: SampleShape) throws -> SampleShape {
        try outputShape(for: shape, 0..<steps.count, randomStages: true)
    }

    /// Rejects a step whose output (a transform's `size` option, say, or the spectrogram of a long
    /// clip) would not fit the memory limit, before anything allocates it. A memory limit rather than
    /// a fixed count: an hour of audio legitimately makes a spectrogram of 10⁸ values.
    private static func checkGrowth(_ step: Step, to new: SampleShape) throws {
        try ResourceLimits.require(new.dims, elementSize: MemoryLayout<Float>.size, for: "its output \(new.dims)",
                                   blame: { .invalidArgument(field: step.name, $0) })
    }

    private func requireNoBatch() throws {
        for step in steps {
            if case let .batch(b) = step {
                throw PerceptError.invalidArgument(field: type(of: b).name, "is a batch stage; use apply(to: Batch) with labels")
            }
        }
    }

    /// Index of the first random stage (`steps.count` when there is none): the steps before it
    /// are deterministic, so their output can be computed once and cached.
    public var firstRandomStep: Int {
        steps.firstIndex { if case .transform = $0 { return false } else { return true } } ?? steps.count
    }

    /// Runs the steps in `range` on one sample; random stage `k` draws from
    /// `stream(seed:epoch:index:).split(k)`, exactly as `apply(to:seed:epoch:index:)` does, so a
    /// chain run in parts gives the same result as in one go. With `randomStages` false the random
    /// stages are skipped (evaluation and prediction see the clean features).
    ///
    ///     let clean = try chain.apply(0..<chain.steps.count, to: s, randomStages: false, seed: 0, epoch: 0, index: 0)
    public func apply(_ range: Range<Int>, to sample: Sample, randomStages: Bool, seed: UInt64, epoch: Int, index: Int) throws -> Sample {
        try requireNoBatch()
        var s = sample
        let stream = AugmentationChain.stream(seed: seed, epoch: epoch, index: index)
        for k in range {
            if case .sample = steps[k], !randomStages { continue }
            try steps[k].run(stream.split(k), on: &s)
        }
        return s
    }

    /// The output shape of the steps in `range` (random stages skipped when `randomStages` is false).
    public func outputShape(for shape: SampleShape, _ range: Range<Int>, randomStages: Bool) throws -> SampleShape {
        var s = shape
        for k in range {
            switch steps[k] {
            case let .sample(stage): if randomStages { s = try stage.outputShape(for: s) }
            case let .transform(t): s = try t.outputShape(for: s)
            case .batch: break
            }
            try AugmentationChain.checkGrowth(steps[k], to: s)
        }
        return s
    }

    /// Augments one sample (chains without batch stages).
    ///
    ///     let v = try chain.apply(to: s, seed: 1, epoch: 0, index: 5)
    public func apply(to sample: Sample, seed: UInt64, epoch: Int, index: Int) throws -> Sample {
        try requireNoBatch()
        var s = sample
        let stream = AugmentationChain.stream(seed: seed, epoch: epoch, index: index)
        for (k, step) in steps.enumerated() { try step.run(stream.split(k), on: &s) }
        return s
    }

    /// The parameters every per-sample stage draws for a sample of this shape (shapes flow
    /// through the stages), without touching a signal: log them as JSON, replay them later.
    /// A transform's record names it and has no parameters.
    public func draw(for shape: SampleShape, seed: UInt64, epoch: Int, index: Int) throws -> [StageDraw] {
        try requireNoBatch()
        let stream = AugmentationChain.stream(seed: seed, epoch: epoch, index: index)
        var s = shape
        var out = [StageDraw]()
        for (k, step) in steps.enumerated() {
            switch step {
            case let .sample(stage):
                let (record, next) = try stage.drawRecord(stream.split(k), shape: s)
                out.append(record)
                s = next
            case let .transform(t):
                out.append(StageDraw(stage: step.name, applied: true, params: nil))
                s = try t.outputShape(for: s)
            case .batch: continue
            }
        }
        return out
    }

    /// Applies recorded draws (from `draw`, possibly decoded from JSON) to a sample.
    public func replay(_ draws: [StageDraw], on sample: Sample) throws -> Sample {
        try requireNoBatch()
        guard draws.count == steps.count else {
            throw PerceptError.invalidArgument(field: "replay", "\(draws.count) records for a chain of \(steps.count) stages")
        }
        var s = sample
        for (step, d) in zip(steps, draws) {
            switch step {
            case let .sample(stage): try stage.applyRecord(d, to: &s)
            case let .transform(t):
                guard d.stage == step.name else {
                    throw PerceptError.invalidArgument(field: step.name, "the replayed record is for stage '\(d.stage)'")
                }
                s = try t.apply(s)
            case .batch: break
            }
        }
        return s
    }

    /// Augments many samples in parallel; sample i is treated as index `firstIndex + i`, so
    /// the result equals calling `apply(to:seed:epoch:index:)` one by one.
    public func apply(to samples: [Sample], seed: UInt64, epoch: Int, firstIndex: Int = 0) throws -> [Sample] {
        try requireNoBatch()
        return try parallelMap(samples) { i, s in try apply(to: s, seed: seed, epoch: epoch, index: firstIndex + i) }
    }

    /// Augments a batch with labels: per-sample stages run in parallel (sample i as index
    /// `firstIndex + i`), batch stages (mixup, cutmix) see the whole batch and mix the labels.
    public func apply(to batch: Batch, seed: UInt64, epoch: Int, batchIndex: Int, firstIndex: Int = 0) throws -> Batch {
        var b = batch
        let bstream = AugmentationChain.batchStream(seed: seed, epoch: epoch, batchIndex: batchIndex)
        var k = 0
        while k < steps.count {
            if case let .batch(stage) = steps[k] {
                try stage.run(bstream.split(k), on: &b)
                k += 1
                continue
            }
            var end = k
            while end < steps.count, !steps[end].isBatch { end += 1 }
            let range = k..<end
            b.samples = try parallelMap(b.samples) { i, s in
                var x = s
                let stream = AugmentationChain.stream(seed: seed, epoch: epoch, index: firstIndex + i)
                for j in range { try steps[j].run(stream.split(j), on: &x) }
                return x
            }
            k = end
        }
        return b
    }

    /// Augments a stack of images `[N, C, H, W]` (image i as index `firstIndex + i`) into a
    /// new stack; all outputs must share a shape (e.g. crops of a fixed size).
    ///
    ///     let out = try chain.augmentImages(batch, seed: 7, epoch: e)
    public func augmentImages(_ images: Tensor, seed: UInt64, epoch: Int, firstIndex: Int = 0) throws -> Tensor {
        try augment(stack: images, kind: .image, seed: seed, epoch: epoch, firstIndex: firstIndex)
    }

    /// Augments a stack of same-shaped samples — images or spectrograms `[N, C, H, W]`, audio
    /// `[N, C, frames]`, vectors `[N, features]` — into a stack of the chain's output shape, in
    /// parallel (random stages alone allocate once per sample at most beyond the output); item i
    /// is sample `firstIndex + i`, so the result equals one-by-one calls.
    ///
    ///     let out = try chain.augment(stack: clips, kind: .audio, sampleRate: 16000, seed: 7, epoch: e)
    public func augment(stack: Tensor, kind: SampleKind, sampleRate: Int = 0, seed: UInt64, epoch: Int, firstIndex: Int = 0) throws -> Tensor {
        try requireNoBatch()
        let rank = kind == .vector ? 2 : kind == .audio ? 3 : 4
        guard stack.rank == rank else {
            let want = kind == .vector ? "[N, features]" : kind == .audio ? "[N, channels, frames]" : "[N, C, H, W]"
            throw PerceptError.invalidArgument(field: "stack", "expected \(want) for \(kind.rawValue), got \(stack.shape)")
        }
        let n = stack.shape[0]
        let inShape = Array(stack.shape.dropFirst())
        let probe = SampleShape(kind: kind, dims: inShape, sampleRate: kind == .audio ? sampleRate : 0)
        if kind == .audio && sampleRate <= 0 { throw PerceptError.invalidArgument(field: "sample_rate", "must be > 0, got \(sampleRate)") }
        let outShape = try outputShape(for: probe).dims
        let inCount = Tensor.count(of: inShape), outCount = Tensor.count(of: outShape)
        var out = [Float](repeating: 0, count: n * outCount)
        let failure = FirstFailure()
        stack.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                let s = UnsafeSendable(src.baseAddress), d = UnsafeSendable(dst.baseAddress)
                Parallel.forChunks(count: n, minChunk: 64) { range in
                    guard let sp = s.value, let dp = d.value else { return }
                    for i in range {
                        do {
                            let data = Tensor(unchecked: inShape, data: [Float](UnsafeBufferPointer(start: sp + i * inCount, count: inCount)))
                            var sample = try Sample(kind, data: data, sampleRate: sampleRate)
                            let stream = AugmentationChain.stream(seed: seed, epoch: epoch, index: firstIndex + i)
                            for (k, step) in steps.enumerated() { try step.run(stream.split(k), on: &sample) }
                            guard sample.data.shape == outShape else {
                                throw PerceptError.invalidArgument(field: "stack", "item \(i) came out \(sample.data.shape), expected \(outShape)")
                            }
                            sample.data.withUnsafeBufferPointer { if let b = $0.baseAddress { (dp + i * outCount).update(from: b, count: outCount) } }
                        } catch { failure.record(i, error) }
                    }
                }
            }
        }
        try failure.rethrow()
        return Tensor(unchecked: [n] + outShape, data: out)
    }

    private func parallelMap(_ samples: [Sample], _ f: (Int, Sample) throws -> Sample) throws -> [Sample] {
        var out = samples
        let failure = FirstFailure()
        out.withUnsafeMutableBufferPointer { buf in
            let p = UnsafeSendable(buf.baseAddress)
            Parallel.forEach(count: samples.count) { i in
                guard let base = p.value else { return }
                do { base[i] = try f(i, samples[i]) } catch { failure.record(i, error) }
            }
        }
        try failure.rethrow()
        return out
    }
}
