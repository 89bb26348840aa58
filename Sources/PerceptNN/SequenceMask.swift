import PerceptCore

/// Valid lengths of the samples in a padded batch of variable-length sequences.
///
/// Clips of different durations are padded at the end to a common number of frames; the mask
/// tells the layers that read time (LSTM, GRU, the masked loss) where each sample really ends,
/// so padding changes neither the outputs nor the gradients. Lengths are given in frames of the
/// model's input; a layer whose time axis was shortened by the front end (pooling, strides) reads
/// `ceil(length · its frames / input frames)`.
///
///     let mask = try SequenceMask.attach(to: model, frames: 100)
///     try mask.set(lengths: [100, 73, 41], batch: 3)   // before each forward pass
public final class SequenceMask: @unchecked Sendable {
    /// Frames along the time axis of the model input.
    public let frames: Int
    /// Valid frames per sample of the current batch (empty: no masking).
    public private(set) var lengths: [Int] = []
    private var consumers: [(name: String, layer: any MaskConsumer)] = []

    public init(frames: Int) throws {
        guard frames > 0 else { throw PerceptError.invalidArgument(field: "mask", "frames must be > 0") }
        self.frames = frames
    }

    /// Connects a mask to every mask-aware layer of `model` (LSTM, GRU) and returns it.
    /// `frames` is the length of the time axis of the model's input.
    public static func attach(to model: Sequential, frames: Int) throws -> SequenceMask {
        let mask = try SequenceMask(frames: frames)
        for (i, layer) in model.layers.enumerated() {
            guard let c = layer as? any MaskConsumer else { continue }
            try mask.connect(c, name: "layer \(i) (\(type(of: layer).name))")
        }
        guard !mask.consumers.isEmpty else {
            throw PerceptError.invalidArgument(field: "mask", "the model has no layer that reads a mask (lstm, gru)")
        }
        return mask
    }

    /// Connects one layer (or loss), named `name` in error messages.
    public func connect(_ consumer: any MaskConsumer, name: String) throws {
        guard consumer.maskFrames > 0 else {
            throw PerceptError.invalidArgument(field: name, "build the layer before attaching a mask")
        }
        guard consumer.maskFrames <= frames else {
            throw PerceptError.invalidArgument(field: name, "has \(consumer.maskFrames) frames, more than the \(frames) of the mask")
        }
        consumer.mask = self
        consumers.append((name, consumer))
    }

    private var owner: String { consumers.first?.name ?? "mask" }

    /// Sets the lengths for the next batch of `batch` samples; each must be in `1...frames`.
    public func set(lengths: [Int], batch: Int) throws {
        guard lengths.count == batch else {
            throw PerceptError.invalidArgument(field: owner, "the mask has \(lengths.count) lengths for a batch of \(batch)")
        }
        if let (i, bad) = lengths.enumerated().first(where: { $0.element < 1 || $0.element > frames }) {
            throw PerceptError.invalidArgument(field: owner, "mask length \(bad) of sample \(i) is outside 1...\(frames) frames")
        }
        self.lengths = lengths
    }

    /// Sets the lengths from a `[batch, frames]` 0/1 mask whose ones come first in every row.
    public func set(mask: Tensor) throws {
        guard mask.rank == 2, mask.shape[1] == frames else {
            throw PerceptError.invalidArgument(field: owner, "the mask has shape \(shapeText(mask.shape)), expected [batch, \(frames)] (one value per input frame)")
        }
        let b = mask.shape[0]
        var lens: [Int] = []
        for s in 0..<b {
            var n = 0
            while n < frames && mask.storage[s * frames + n] != 0 { n += 1 }
            if mask.storage[(s * frames + n)..<((s + 1) * frames)].contains(where: { $0 != 0 }) {
                throw PerceptError.invalidArgument(field: owner, "mask row \(s) has a valid frame after padding (padding must come last)")
            }
            lens.append(n)
        }
        try set(lengths: lens, batch: b)
    }

    /// Back to unmasked (every frame valid).
    public func clear() { lengths = [] }

    /// Lengths on a time axis of `layerFrames` frames for a batch of `batch`, nil when unmasked
    /// (or set for a different batch size; `set` reports that as an error first).
    func lengths(onAxisOf layerFrames: Int, batch: Int) -> [Int]? {
        guard lengths.count == batch, batch > 0 else { return nil }
        if layerFrames == frames { return lengths }
        return lengths.map { Swift.min(layerFrames, Swift.max(1, ($0 * layerFrames + frames - 1) / frames)) }
    }
}

/// A layer or loss that skips padded frames when a `SequenceMask` is attached.
public protocol MaskConsumer: AnyObject {
    var mask: SequenceMask? { get set }
    /// Frames along this consumer's own time axis (known once built).
    var maskFrames: Int { get }
}
