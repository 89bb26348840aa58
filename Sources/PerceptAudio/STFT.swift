import Foundation
import PerceptCore

/// Short-time Fourier transform with `librosa.stft`'s framing, windowing and defaults, on
/// cached FFTW single-precision plans; and its inverse by weighted overlap-add (`librosa.istft`).
///
/// Output layout is (frequency bins, frames), bins = 1 + nFFT/2.
///
///     let stft = try STFT(nFFT: 512, hopLength: 160)
///     let power = try stft.spectrogram(samples)                 // |X|², [257, frames]
///     let (re, im) = try stft.complex(samples)
///     let back = try stft.inverse(real: re, imag: im, length: samples.count)
public struct STFT: Sendable {
    public let nFFT: Int
    public let hopLength: Int
    public let winLength: Int
    public let window: Window
    public let center: Bool
    public let padMode: PadMode
    /// The window zero-padded (centred) to nFFT samples, single precision.
    public let windowValues: [Float]
    /// Number of frequency bins, 1 + nFFT/2.
    public var bins: Int { nFFT / 2 + 1 }

    /// Defaults follow librosa.stft: winLength = nFFT, hopLength = winLength / 4, periodic Hann,
    /// centred frames with zero padding.
    /// - Throws: `invalidArgument` naming `n_fft`, `hop_length` or `win_length` when one is out of range.
    public init(nFFT: Int = 2048, hopLength: Int? = nil, winLength: Int? = nil, window: Window = .hann,
                center: Bool = true, padMode: PadMode = .constant) throws {
        guard nFFT > 0 else { throw PerceptError.invalidArgument(field: "n_fft", "n_fft=\(nFFT) must be > 0") }
        guard nFFT <= STFT.maxFFTSize else {
            throw PerceptError.invalidArgument(field: "n_fft", "n_fft=\(nFFT) is larger than the supported \(STFT.maxFFTSize)")
        }
        let win = winLength ?? nFFT
        guard win > 0 else { throw PerceptError.invalidArgument(field: "win_length", "win_length=\(win) must be > 0") }
        guard win <= nFFT else {
            throw PerceptError.invalidArgument(field: "win_length", "win_length=\(win) must be ≤ n_fft=\(nFFT)")
        }
        let hop = hopLength ?? win / 4
        guard hop > 0 else {
            let why = hopLength == nil ? " (the default win_length / 4 with win_length=\(win))" : ""
            throw PerceptError.invalidArgument(field: "hop_length", "hop_length=\(hop)\(why) must be a positive integer")
        }
        guard hop <= STFT.maxHop else {
            throw PerceptError.invalidArgument(field: "hop_length", "hop_length=\(hop) is larger than the supported \(STFT.maxHop)")
        }
        // Each sample is transformed n_fft / hop times; beyond 1024-fold the work explodes (n_fft
        // 2^20 with hop 1 is minutes per second of audio) without telling anything new.
        guard nFFT <= STFT.maxOverlap * hop else {
            throw PerceptError.invalidArgument(field: "hop_length",
                "hop_length=\(hop) with n_fft=\(nFFT) overlaps frames \(nFFT / hop)-fold; at most \(STFT.maxOverlap)-fold is supported (hop_length ≥ \((nFFT + STFT.maxOverlap - 1) / STFT.maxOverlap))")
        }
        self.nFFT = nFFT; self.hopLength = hop; self.winLength = win
        self.window = window; self.center = center; self.padMode = padMode
        windowValues = try window.centered(length: win, size: nFFT)
    }

    /// Largest FFT size accepted (2^20 samples, 24 s at 44.1 kHz), so a typo cannot ask for
    /// gigabytes of scratch.
    public static let maxFFTSize = 1 << 20

    /// Largest hop accepted (2^32 samples, 27 hours at 44.1 kHz), so frame arithmetic cannot overflow.
    public static let maxHop = 1 << 32

    /// Largest n_fft / hop_length: how many frames may cover one sample.
    public static let maxOverlap = 1024

    /// Number of frames librosa.stft returns for a signal of `n` samples.
    public func frameCount(signalLength n: Int) throws -> Int {
        if !center {
            guard n >= nFFT else {
                throw PerceptError.invalidArgument(field: "n_fft", "n_fft=\(nFFT) is too large for uncentered analysis of input signal of length=\(n)")
            }
            return FrameLayout.framesIn(n, self)
        }
        let h = nFFT / 2
        if FrameLayout.isSplit(self, n: n) {
            let tk = FrameLayout.tailK(self, n: n)
            let tail = tk * hopLength - h + nFFT <= n + h ? FrameLayout.framesIn(n + 2 * h - tk * hopLength, self) : 0
            return tk + tail
        }
        let frames = FrameLayout.framesIn(n + 2 * h, self)
        guard frames > 0 else {
            throw PerceptError.invalidArgument(field: "n_fft", "signal of \(n) samples is too short for one frame of n_fft=\(nFFT)")
        }
        return frames
    }

    /// `abs(librosa.stft(y))**power`, [bins, frames]. power 2 is the power spectrogram, 1 the magnitude.
    public func spectrogram(_ y: [Float], power: Float = 2) throws -> Tensor {
        try SpectralPipeline(stft: self, power: power).compute(y)
    }

    /// The complex STFT as real and imaginary parts, each [bins, frames].
    public func complex(_ y: [Float]) throws -> (real: Tensor, imag: Tensor) {
        try STFT.checkFinite(y)
        return try y.withUnsafeBufferPointer { yp in
            let layout = try FrameLayout(self, signal: yp)
            let t = layout.count, b = bins
            var re = [Float](repeating: 0, count: b * t), im = re
            let plan = RealFFTPlan.shared(nFFT)
            let frame = AlignedFloats(count: nFFT), spec = AlignedFloats(count: 2 * b)
            let fp = frame.pointer, sp = spec.pointer
            re.withUnsafeMutableBufferPointer { rb in
                im.withUnsafeMutableBufferPointer { ib in
                    windowValues.withUnsafeBufferPointer { w in
                        guard let rp = rb.baseAddress, let ip = ib.baseAddress, let wp = w.baseAddress else { return }
                        layout.withFrames(yp, hop: hopLength) { frames in
                            for f in 0..<t {
                                let src = frames.frame(f)
                                for i in 0..<nFFT { fp[i] = src[i] * wp[i] }
                                plan.forward(fp, sp)
                                for k in 0..<b {
                                    rp[k &* t &+ f] = sp[2 &* k]
                                    ip[k &* t &+ f] = sp[2 &* k &+ 1]
                                }
                            }
                        }
                    }
                }
            }
            return (Tensor(unchecked: [b, t], data: re), Tensor(unchecked: [b, t], data: im))
        }
    }

    /// Inverse STFT by weighted overlap-add, normalised by the summed squared window where it is
    /// non-negligible, as `librosa.istft`. With `length` the output is trimmed or zero-padded to it.
    public func inverse(real: Tensor, imag: Tensor, length: Int? = nil) throws -> [Float] {
        guard real.rank == 2, real.shape == imag.shape, real.shape[0] == bins else {
            throw PerceptError.invalidArgument(field: "stft_matrix", "expected real and imaginary parts of shape [\(bins), frames], got \(real.shape) and \(imag.shape)")
        }
        if let l = length, l < 0 { throw PerceptError.invalidArgument(field: "length", "length=\(l) must be ≥ 0") }
        let h = nFFT / 2
        var nFrames = real.shape[1]
        if let l = length, l > 0 {
            let padded = center ? l + 2 * h : l
            nFrames = Swift.min(nFrames, (padded + hopLength - 1) / hopLength)
        }
        let olaLength = nFFT + hopLength * Swift.max(0, nFrames - 1)
        var outLength = length ?? (olaLength - (center ? 2 * h : 0))
        if length == 0 { outLength = olaLength - (center ? 2 * h : 0) }
        outLength = Swift.max(0, outLength)
        guard nFrames > 0 else { return [Float](repeating: 0, count: outLength) }

        var ola = [Float](repeating: 0, count: olaLength)
        var wss = [Double](repeating: 0, count: olaLength)
        let plan = RealFFTPlan.shared(nFFT)
        let frame = AlignedFloats(count: nFFT), spec = AlignedFloats(count: 2 * bins)
        let t = real.shape[1], scale = 1 / Float(nFFT)
        // Squared window, zero-padded like the window itself (librosa's window_sumsquare).
        let wd = window.doubleValues(length: winLength)
        var wsq = [Double](repeating: 0, count: nFFT)
        for i in 0..<winLength { wsq[(nFFT - winLength) / 2 + i] = wd[i] * wd[i] }
        let fp = frame.pointer, sp = spec.pointer
        real.withUnsafeBufferPointer { rb in
            imag.withUnsafeBufferPointer { ib in
                windowValues.withUnsafeBufferPointer { w in
                    ola.withUnsafeMutableBufferPointer { ob in
                        for f in 0..<nFrames {
                            for k in 0..<bins {
                                sp[2 &* k] = rb[k &* t &+ f]
                                sp[2 &* k &+ 1] = ib[k &* t &+ f]
                            }
                            plan.inverse(sp, fp)
                            let off = f * hopLength
                            for i in 0..<nFFT { ob[off + i] += fp[i] * scale * w[i] }
                        }
                    }
                }
            }
        }
        for f in 0..<nFrames {
            let off = f * hopLength
            for i in 0..<nFFT { wss[off + i] += wsq[i] }
        }
        let start = center ? h : 0
        var y = [Float](repeating: 0, count: outLength)
        let tiny = Double(Float.leastNormalMagnitude)
        for i in 0..<outLength where start + i < olaLength {
            let w = wss[start + i]
            y[i] = w > tiny ? Float(Double(ola[start + i]) / w) : ola[start + i]
        }
        return y
    }

    /// librosa's `valid_audio`: every sample must be finite.
    static func checkFinite(_ y: [Float]) throws {
        if !y.withUnsafeBufferPointer(Tensor.allFinite) { throw nonFinite }
    }

    /// librosa's error for a signal holding inf or NaN.
    static let nonFinite = PerceptError.invalidArgument(field: "y", "audio buffer is not finite everywhere")
}
