import PerceptCore

/// Where each STFT frame's samples come from, reproducing `librosa.stft`'s framing exactly.
///
/// With centring, librosa pads only the start and the end of the signal, separately: the first
/// `startK` frames come from a padded copy of the head, the last ones from a padded copy of the
/// tail (`y[tailK·hop − n_fft/2 ...]`, padded on its own, which matters for reflect padding of
/// very short tails), and the frames in between read the signal directly. When head and tail
/// overlap (short signals) the whole signal is padded on both sides instead. Without centring
/// frames read the signal directly and it must hold at least one frame.
struct FrameLayout {
    /// Padded head (or the whole padded signal), the frames taken from it, and the same for the tail.
    let head: [Float]
    let headFrames: Int
    /// Offset in the signal of the first middle frame, and how many middle frames there are.
    let middleStart: Int
    let middleFrames: Int
    let tail: [Float]
    let tailFrames: Int

    var count: Int { headFrames + middleFrames + tailFrames }

    /// Frames that depend on left padding: ceil((n_fft/2) / hop).
    static func startK(_ s: STFT) -> Int { s.nFFT / 2 == 0 ? 0 : (s.nFFT / 2 - 1) / s.hopLength + 1 }

    /// First frame that depends on right padding, for a signal of n samples (Python floor division).
    static func tailK(_ s: STFT, n: Int) -> Int { floorDiv(n + s.nFFT / 2 - s.nFFT, s.hopLength) + 1 }

    /// Length of the signal prefix librosa pads to make the head frames.
    static func headSourceLength(_ s: STFT) -> Int { (startK(s) - 1) * s.hopLength - s.nFFT / 2 + s.nFFT + 1 }

    /// True when a signal of n samples is framed in split head/middle/tail form.
    static func isSplit(_ s: STFT, n: Int) -> Bool { tailK(s, n: n) > startK(s) }

    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Frames of `length` samples in a buffer: 1 + (length − n_fft) // hop, or 0 if none fit.
    static func framesIn(_ length: Int, _ s: STFT) -> Int {
        length < s.nFFT ? 0 : 1 + (length - s.nFFT) / s.hopLength
    }

    /// The padded head of the split form, from the first `headSourceLength` samples.
    static func headBuffer(_ s: STFT, prefix: UnsafeBufferPointer<Float>) -> [Float] {
        // n_fft = 1 pads nothing: no head frames and an empty head.
        let src = UnsafeBufferPointer(rebasing: prefix[0..<Swift.max(0, Swift.min(prefix.count, headSourceLength(s)))])
        return s.padMode.pad(src, left: s.nFFT / 2, right: 0)
    }

    /// The padded tail of the split form, from the samples `y[tailK·hop − n_fft/2 ..< n]`, and its frame count.
    static func tailBuffer(_ s: STFT, n: Int, suffix: UnsafeBufferPointer<Float>) -> ([Float], Int) {
        let h = s.nFFT / 2, tk = tailK(s, n: n)
        guard tk * s.hopLength - h + s.nFFT <= n + h else { return ([], 0) }
        let buf = s.padMode.pad(suffix, left: 0, right: h)
        return (buf, framesIn(buf.count, s))
    }

    init(_ s: STFT, signal y: UnsafeBufferPointer<Float>) throws {
        let n = y.count, h = s.nFFT / 2
        if !s.center {
            guard n >= s.nFFT else {
                throw PerceptError.invalidArgument(field: "n_fft", "n_fft=\(s.nFFT) is too large for uncentered analysis of input signal of length=\(n)")
            }
            self.init(head: [], headFrames: 0, middleStart: 0, middleFrames: FrameLayout.framesIn(n, s), tail: [], tailFrames: 0)
            return
        }
        if n == 0 && s.padMode != .constant {
            throw PerceptError.invalidArgument(field: "pad_mode", "cannot pad an empty signal with mode '\(s.padMode.rawValue)'")
        }
        if !FrameLayout.isSplit(s, n: n) {
            let padded = s.padMode.pad(y, left: h, right: h)
            let frames = FrameLayout.framesIn(padded.count, s)
            guard frames > 0 else {
                throw PerceptError.invalidArgument(field: "n_fft", "signal of \(n) samples is too short for one frame of n_fft=\(s.nFFT)")
            }
            self.init(head: padded, headFrames: frames, middleStart: 0, middleFrames: 0, tail: [], tailFrames: 0)
            return
        }
        self.init(split: s, length: n, prefix: y, suffix: UnsafeBufferPointer(rebasing: y[FrameLayout.tailStart(s, n: n)..<n]))
    }

    /// The split form of a signal of `n` samples, from its first samples (`headSourceLength` of
    /// them, or more) and its samples from `tailStart` on: the middle frames are read elsewhere
    /// (`SpectralPipeline.compute(length:reader:)` reads them in parts).
    init(split s: STFT, length n: Int, prefix: UnsafeBufferPointer<Float>, suffix: UnsafeBufferPointer<Float>) {
        let sk = FrameLayout.startK(s)
        let (tail, tailFrames) = FrameLayout.tailBuffer(s, n: n, suffix: suffix)
        self.init(head: FrameLayout.headBuffer(s, prefix: prefix), headFrames: sk, middleStart: sk * s.hopLength - s.nFFT / 2,
                  middleFrames: FrameLayout.tailK(s, n: n) - sk, tail: tail, tailFrames: tailFrames)
    }

    private init(head: [Float], headFrames: Int, middleStart: Int, middleFrames: Int, tail: [Float], tailFrames: Int) {
        self.head = head; self.headFrames = headFrames
        self.middleStart = middleStart; self.middleFrames = middleFrames
        self.tail = tail; self.tailFrames = tailFrames
    }

    /// Where the samples the padded tail is made of start (with hop > n_fft the tail may start
    /// past the end; then it holds no frame).
    static func tailStart(_ s: STFT, n: Int) -> Int { Swift.min(n, tailK(s, n: n) * s.hopLength - s.nFFT / 2) }

    /// Calls `body` with a function giving the first sample of frame f (n_fft samples follow).
    func withFrames<R>(_ y: UnsafeBufferPointer<Float>, hop: Int, _ body: (FramePointers) throws -> R) rethrows -> R {
        try head.withUnsafeBufferPointer { hp in
            try tail.withUnsafeBufferPointer { tp in
                let fp = FramePointers(head: hp.baseAddress, headFrames: headFrames,
                                       middle: y.baseAddress.map { $0 + middleStart }, middleFrames: middleFrames,
                                       tail: tp.baseAddress, hop: hop)
                return try body(fp)
            }
        }
    }
}

/// Frame-index → sample pointer for a `FrameLayout` whose buffers are pinned.
struct FramePointers {
    let head: UnsafePointer<Float>?
    let headFrames: Int
    let middle: UnsafePointer<Float>?
    let middleFrames: Int
    let tail: UnsafePointer<Float>?
    let hop: Int
    /// The middle frame whose first sample `middle` points at: 0, or a later one when only the
    /// samples from that frame on are held (`SpectralPipeline.compute(length:reader:)`).
    var middleFirst = 0

    @inline(__always)
    func frame(_ f: Int) -> UnsafePointer<Float> {
        if f < headFrames { return head.unsafelyUnwrapped + f * hop }
        let g = f - headFrames
        if g < middleFrames { return middle.unsafelyUnwrapped + (g - middleFirst) * hop }
        return tail.unsafelyUnwrapped + (g - middleFrames) * hop
    }
}
