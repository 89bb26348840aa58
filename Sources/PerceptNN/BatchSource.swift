import Foundation
import PerceptCore

/// Where training and evaluation batches come from: `count` samples of one shape, their
/// targets, and — for variable-length sequences — each sample's valid length. The trainer asks
/// for the inputs of a batch of sample indices; a source may hold them in memory, decode them
/// from files, or compute features and augment them per epoch, as long as sample `i` of epoch
/// `e` is the same whatever the thread count or the order of requests.
///
///     let source = try TensorSource(images, .classes(labels))
///     let history = try trainer.fit(source)
public protocol BatchSource: AnyObject {
    /// Number of samples.
    var count: Int { get }
    /// The shape of one sample as the model sees it (padded length for variable-length sources).
    var sampleShape: [Int] { get }
    /// One target per sample (class indices or values).
    var targets: Targets { get }
    /// True when samples carry lengths (padded sequences): `fill` then returns them.
    var hasLengths: Bool { get }
    /// Writes the inputs of samples `indices` contiguously into `dst` (`indices.count ×
    /// sampleShape` floats). `epoch` is the training epoch (random augmentation runs, seeded by
    /// epoch and sample index) or nil for evaluation and prediction (no augmentation). Returns the
    /// samples' lengths when `hasLengths`, else nil.
    func fill(_ indices: ArraySlice<Int>, epoch: Int?, into dst: UnsafeMutablePointer<Float>) throws -> [Int]?
}

extension BatchSource {
    /// Floats per sample.
    public var sampleSize: Int { Tensor.count(of: sampleShape) }
}

/// Samples held in one tensor `[N] + shape` (the in-memory source), with optional per-sample
/// lengths of padded sequences.
///
///     let source = try TensorSource(x, .classes(labels), lengths: [40, 17, 33])
public final class TensorSource: BatchSource {
    public let x: Tensor
    public let targets: Targets
    public let lengths: [Int]?
    public var count: Int { x.shape.first ?? 0 }
    public var sampleShape: [Int] { Array(x.shape.dropFirst()) }
    public var hasLengths: Bool { lengths != nil }

    public init(_ x: Tensor, _ targets: Targets, lengths: [Int]? = nil) throws {
        guard x.rank >= 2 else { throw PerceptError.invalidArgument(field: "input", "expected [N] + sample shape, got \(x.shape)") }
        let n = x.shape[0]
        guard targets.count == n else { throw PerceptError.invalidArgument(field: "targets", "\(targets.count) targets for \(n) samples") }
        if let lengths, lengths.count != n { throw PerceptError.invalidArgument(field: "lengths", "\(lengths.count) lengths for \(n) samples") }
        self.x = x; self.targets = targets; self.lengths = lengths
    }

    public func fill(_ indices: ArraySlice<Int>, epoch: Int?, into dst: UnsafeMutablePointer<Float>) throws -> [Int]? {
        let s = sampleSize
        x.withUnsafeBufferPointer { xp in
            for (j, i) in indices.enumerated() { (dst + j * s).update(from: xp.baseAddress! + i * s, count: s) }
        }
        return lengths.map { l in indices.map { l[$0] } }
    }
}

/// Samples produced one at a time by a closure — decoded from a file, computed from audio, and
/// augmented per epoch — so a data set never has to sit in memory whole. Samples are produced in
/// parallel within a batch; each one depends only on its index and the epoch, so results do not
/// depend on the thread count.
///
/// Variable-length samples (audio, spectrograms of clips of different durations) are padded with
/// zeros at the end of `lengthAxis` up to `sampleShape[lengthAxis]` (longer ones are an error), and
/// their lengths come back from `fill` for the model's sequence masks.
///
///     let source = StreamingSource(count: files.count, sampleShape: [1, 64, 101], targets: .classes(labels), lengthAxis: 2) { i, epoch in
///         try features(of: files[i], augment: epoch != nil, seed: 7, epoch: epoch ?? 0, index: i)
///     }
public final class StreamingSource: BatchSource {
    public let count: Int
    public let sampleShape: [Int]
    public let targets: Targets
    /// The axis along which samples may be shorter than `sampleShape` (nil: fixed shape).
    public let lengthAxis: Int?
    let produce: (_ index: Int, _ epoch: Int?) throws -> Tensor
    public var hasLengths: Bool { lengthAxis != nil }

    /// `produce(index, epoch)` returns sample `index` (`epoch` nil: evaluation, no augmentation).
    public init(count: Int, sampleShape: [Int], targets: Targets, lengthAxis: Int? = nil,
                produce: @escaping (_ index: Int, _ epoch: Int?) throws -> Tensor) throws {
        guard targets.count == count else { throw PerceptError.invalidArgument(field: "targets", "\(targets.count) targets for \(count) samples") }
        if let a = lengthAxis, !(0..<sampleShape.count).contains(a) {
            throw PerceptError.invalidArgument(field: "length_axis", "\(a) is not an axis of the sample shape \(sampleShape)")
        }
        self.count = count; self.sampleShape = sampleShape; self.targets = targets; self.lengthAxis = lengthAxis; self.produce = produce
    }

    public func fill(_ indices: ArraySlice<Int>, epoch: Int?, into dst: UnsafeMutablePointer<Float>) throws -> [Int]? {
        let s = sampleSize, idx = Array(indices)
        var lengths = [Int](repeating: 0, count: idx.count)
        let failure = FirstFailure()
        lengths.withUnsafeMutableBufferPointer { lp in
            let out = UnsafeSendable((lp.baseAddress!, dst))
            Parallel.forEachDynamic(count: idx.count, state: { () }) { _, j in
                do { out.value.0[j] = try place(produce(idx[j], epoch), index: idx[j], into: out.value.1 + j * s) } catch { failure.record(j, error) }
            }
        }
        try failure.rethrow()
        return lengthAxis == nil ? nil : lengths
    }

    /// Copies one sample into its slot, zero-padding the length axis; returns its length.
    private func place(_ t: Tensor, index: Int, into dst: UnsafeMutablePointer<Float>) throws -> Int {
        guard let axis = lengthAxis else {
            guard t.shape == sampleShape else {
                throw PerceptError.invalidArgument(field: "sample \(index)", "has shape \(t.shape), expected \(sampleShape)")
            }
            t.withUnsafeBufferPointer { dst.update(from: $0.baseAddress!, count: $0.count) }
            return 0   // fixed-shape samples have no length to report
        }
        var expected = sampleShape
        expected[axis] = t.shape.count == sampleShape.count ? t.shape[axis] : -1
        let len = expected[axis], full = sampleShape[axis]
        guard t.shape == expected, len >= 1, len <= full else {
            throw PerceptError.invalidArgument(field: "sample \(index)",
                                               "has shape \(t.shape); expected \(sampleShape) with 1...\(full) along axis \(axis)")
        }
        // Rows before the axis are outer blocks; each copies `len × inner` and pads the rest.
        let outer = sampleShape[..<axis].reduce(1, *), inner = sampleShape[(axis + 1)...].reduce(1, *)
        t.withUnsafeBufferPointer { src in
            for o in 0..<outer {
                let d = dst + o * full * inner
                d.update(from: src.baseAddress! + o * len * inner, count: len * inner)
                (d + len * inner).update(repeating: 0, count: (full - len) * inner)
            }
        }
        return len
    }
}
