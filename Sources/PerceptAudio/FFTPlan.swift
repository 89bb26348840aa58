import CFFTW
import Foundation

/// Cached single-precision FFTW plans for real transforms of one size (r2c forward, c2r inverse).
///
/// Plans are made once per size with `FFTW_ESTIMATE` and reused from every thread through
/// FFTW's new-array execute functions; the planner itself is not thread-safe, so creation is
/// serialised by a lock (and `fftwf_make_planner_thread_safe` is called once, for callers that
/// plan elsewhere). Arrays passed to `forward`/`inverse` must be 64-byte aligned (`AlignedFloats`),
/// the alignment the plans were made on.
///
///     let plan = RealFFTPlan.shared(512)
///     plan.forward(frame.pointer, spectrum.pointer)   // 512 reals in, 257 complex (interleaved) out
public final class RealFFTPlan: @unchecked Sendable {
    /// Transform length in samples.
    public let n: Int
    /// Number of complex bins of the half spectrum, `n / 2 + 1`.
    public let bins: Int
    private let forwardPlan: fftwf_plan
    private let inversePlan: fftwf_plan

    private init(n: Int) {
        self.n = n
        self.bins = n / 2 + 1
        // Plan on scratch arrays of the same alignment callers will use; ESTIMATE leaves them alone.
        let real = AlignedFloats(count: n)
        let complex = AlignedFloats(count: 2 * (n / 2 + 1))
        let flags = UInt32(FFTW_ESTIMATE)
        let cplx = UnsafeMutableRawPointer(complex.pointer).assumingMemoryBound(to: fftwf_complex.self)
        forwardPlan = fftwf_plan_dft_r2c_1d(Int32(n), real.pointer, cplx, flags)
        // c2r destroys its input; callers copy the spectrum into scratch first.
        inversePlan = fftwf_plan_dft_c2r_1d(Int32(n), cplx, real.pointer, flags | UInt32(FFTW_DESTROY_INPUT))
    }

    /// Real-to-complex transform of `n` samples into `bins` interleaved (re, im) pairs, unnormalised.
    @inline(__always)
    public func forward(_ input: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
        let out = UnsafeMutableRawPointer(output).assumingMemoryBound(to: fftwf_complex.self)
        fftwf_execute_dft_r2c(forwardPlan, input, out)
    }

    /// Complex-to-real transform of `bins` interleaved pairs into `n` samples, unnormalised
    /// (the result is `n` times the inverse DFT). The input is overwritten.
    @inline(__always)
    public func inverse(_ input: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
        let cin = UnsafeMutableRawPointer(input).assumingMemoryBound(to: fftwf_complex.self)
        fftwf_execute_dft_c2r(inversePlan, cin, output)
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [Int: RealFFTPlan] = [:]
    nonisolated(unsafe) private static var plannerMadeSafe = false

    /// The plan pair for size `n` (n ≥ 1), created on first use and kept for the process.
    public static func shared(_ n: Int) -> RealFFTPlan {
        precondition(n >= 1, "FFT size must be positive")
        lock.lock()
        defer { lock.unlock() }
        if !plannerMadeSafe {
            fftwf_make_planner_thread_safe()
            plannerMadeSafe = true
        }
        if let p = cache[n] { return p }
        let p = RealFFTPlan(n: n)
        cache[n] = p
        return p
    }
}

/// A zero-initialised float buffer aligned to 64 bytes: every buffer then has the same SIMD
/// alignment as the arrays the FFTW plans were made on, which new-array execution requires.
///
///     let buf = AlignedFloats(count: 512); buf.pointer[0] = 1
public final class AlignedFloats: @unchecked Sendable {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>

    /// `zeroed: false` leaves the floats unwritten, for a buffer that is filled before it is read.
    public init(count: Int, zeroed: Bool = true) {
        self.count = count
        let capacity = Swift.max(1, count)
        raw = UnsafeMutableRawPointer.allocate(byteCount: capacity * MemoryLayout<Float>.stride, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: capacity)
        if zeroed { pointer.initialize(repeating: 0, count: capacity) }
    }

    private let raw: UnsafeMutableRawPointer

    // Freed through the raw pointer it was allocated with (same alignment).
    deinit { raw.deallocate() }
}

extension RealFFTPlan {
    /// The FFTW library this build runs on (`fftw-3.3.10-sse2-avx`), for run reports.
    ///
    ///     print(RealFFTPlan.libraryVersion)
    public static var libraryVersion: String { String(cString: cfftw_version()) }
}
