import CSoxr
import PerceptCore

/// Sample-rate conversion through soxr at its high quality setting (as librosa's 'soxr_hq').
public enum Resampler {
    /// Largest target / source rate ratio accepted.
    public static let maxUpsampling = 1024

    /// Samples in `n` samples resampled from `from` to `to` Hz, ceil(n · to / from), after checking
    /// the ratio and the memory limit (errors name `sr`).
    ///
    ///     try Resampler.outputLength(16000, from: 16000, to: 22050)   // 22050
    public static func outputLength(_ n: Int, from: Int, to: Int) throws -> Int {
        guard from > 0 else { throw PerceptError.invalidArgument(field: "sr", "source rate must be > 0") }
        guard to > 0 else { throw PerceptError.invalidArgument(field: "sr", "target rate must be > 0") }
        // 8 kHz → 1.536 MHz is 192-fold; beyond 1024-fold the input rate is a broken header, and the
        // output would be gigabytes of interpolation.
        guard to / from < Resampler.maxUpsampling || to <= from * Resampler.maxUpsampling else {
            throw PerceptError.invalidArgument(field: "sr", "resampling from \(from) Hz to \(to) Hz is \(to / from)-fold; at most \(Resampler.maxUpsampling)-fold is supported")
        }
        let exact = (Double(n) * Double(to) / Double(from)).rounded(.up)
        let length = exact < 9e18 ? Int(exact) : Int.max
        try ResourceLimits.require([length], for: "resampling \(n) samples from \(from) Hz to \(to) Hz (\(length) samples)",
                                   blame: { .invalidArgument(field: "sr", $0) })
        return length
    }

    /// Resamples mono audio; the output has ceil(n · to / from) samples, as librosa.resample.
    ///
    ///     let y16k = try Resampler.resample(y, from: 44100, to: 16000)
    public static func resample(_ x: [Float], from: Int, to: Int) throws -> [Float] {
        guard from > 0 else { throw PerceptError.invalidArgument(field: "sr", "source rate must be > 0") }
        guard to > 0 else { throw PerceptError.invalidArgument(field: "sr", "target rate must be > 0") }
        if from == to || x.isEmpty { return x }
        let outLen = try outputLength(x.count, from: from, to: to)
        var out = [Float](repeating: 0, count: outLen)   // soxr may leave the last few unwritten
        var q = soxr_quality_spec(UInt(SOXR_HQ), 0)
        var io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I)
        var done = 0
        let err: soxr_error_t? = x.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                soxr_oneshot(Double(from), Double(to), 1, src.baseAddress, x.count, nil,
                             dst.baseAddress, outLen, &done, &io, &q, nil)
            }
        }
        if let err { throw PerceptError.runtime("soxr: \(String(cString: err))") }
        return out
    }
}

extension Resampler {
    /// The soxr library this build runs on (`libsoxr-0.1.3`), for run reports.
    ///
    ///     print(Resampler.libraryVersion)
    public static var libraryVersion: String { String(cString: soxr_version()) }
}
