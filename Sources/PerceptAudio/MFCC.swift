import Foundation
import PerceptCore

/// Mel-frequency cepstral coefficients from a log-mel spectrogram, as `librosa.feature.mfcc`:
/// a DCT (scipy's types 1–3, `norm='ortho'` or none) along the mel axis, the first `nMFCC`
/// coefficients kept, then optional liftering `M[k] *= 1 + (L/2)·sin(π(k+1)/L)`.
///
/// The DCT and the lifter are folded into one [nMFCC, nMels] matrix, built in double precision.
///
///     let mfcc = try MFCC(nMFCC: 13, nMels: 40, lifter: 22)
///     let c = try mfcc.apply(logMel)      // [40, T] -> [13, T]
public struct MFCC: Sendable {
    public enum DCTNorm: String, Sendable { case ortho, none }

    public let nMFCC: Int
    public let nMels: Int
    public let dctType: Int
    public let norm: DCTNorm
    public let lifter: Double
    /// The combined DCT-and-lifter matrix, [nMFCC, nMels] row-major.
    public let matrix: [Float]

    /// - Throws: `invalidArgument` for nMFCC < 1, nMFCC > nMels, a DCT type other than 1, 2, 3
    ///   (type 1 also needs nMels > 1), or a negative lifter.
    public init(nMFCC: Int = 20, nMels: Int, dctType: Int = 2, norm: DCTNorm = .ortho, lifter: Double = 0) throws {
        guard nMFCC >= 1 else { throw PerceptError.invalidArgument(field: "n_mfcc", "n_mfcc=\(nMFCC) must be > 0") }
        guard nMFCC <= nMels else {
            throw PerceptError.invalidArgument(field: "n_mfcc", "n_mfcc=\(nMFCC) exceeds n_mels=\(nMels): the DCT has only n_mels coefficients")
        }
        guard [1, 2, 3].contains(dctType) else {
            throw PerceptError.invalidArgument(field: "dct_type", "dct_type=\(dctType) must be 1, 2 or 3")
        }
        guard dctType != 1 || nMels > 1 else {
            throw PerceptError.invalidArgument(field: "dct_type", "a type 1 DCT needs n_mels > 1")
        }
        guard lifter >= 0, lifter.isFinite else {
            throw PerceptError.invalidArgument(field: "lifter", "MFCC lifter=\(lifter) must be a non-negative number")
        }
        self.nMFCC = nMFCC; self.nMels = nMels; self.dctType = dctType; self.norm = norm; self.lifter = lifter
        let n = nMels
        var m = [Float](repeating: 0, count: nMFCC * n)
        for k in 0..<nMFCC {
            let lift = lifter > 0 ? 1 + (lifter / 2) * sin(Double.pi * Double(k + 1) / lifter) : 1
            for j in 0..<n {
                m[k * n + j] = Float(MFCC.dctCoefficient(type: dctType, norm: norm, n: n, k: k, j: j) * lift)
            }
        }
        matrix = m
    }

    /// Coefficient of input j in output k of scipy.fft.dct(type, norm) of length n.
    static func dctCoefficient(type: Int, norm: DCTNorm, n: Int, k: Int, j: Int) -> Double {
        let N = Double(n), K = Double(k), J = Double(j)
        switch type {
        case 1:
            let c = cos(Double.pi * K * J / (N - 1))
            let ends = j == 0 || j == n - 1
            if norm == .none { return ends ? c : 2 * c }
            let ck = (k == 0 || k == n - 1) ? 1 / 2.0.squareRoot() : 1
            let cj = ends ? 1 / 2.0.squareRoot() : 1
            return (2 / (N - 1)).squareRoot() * ck * cj * c
        case 2:
            let c = cos(Double.pi * K * (2 * J + 1) / (2 * N))
            if norm == .none { return 2 * c }
            return (k == 0 ? (1 / (4 * N)).squareRoot() : (1 / (2 * N)).squareRoot()) * 2 * c
        default:
            let c = cos(Double.pi * J * (2 * K + 1) / (2 * N))
            if norm == .none { return j == 0 ? 1 : 2 * c }
            return j == 0 ? 1 / N.squareRoot() : (2 / N).squareRoot() * c
        }
    }

    /// MFCCs of a log-mel spectrogram [nMels, T] → [nMFCC, T]. Any other shape is an
    /// `invalidArgument` naming `log_mel`.
    ///
    ///     let c = try MFCC(nMFCC: 13, nMels: 40).apply(Tensor(shape: [40, 100]))   // [13, 100]
    public func apply(_ logMel: Tensor) throws -> Tensor {
        guard logMel.rank == 2 && logMel.shape[0] == nMels else {
            throw PerceptError.invalidArgument(field: "log_mel", "expected [n_mels, frames] = [\(nMels), frames], got \(logMel.shape)")
        }
        return transform(logMel)
    }

    /// `apply` for callers that built the [nMels, T] input themselves.
    func transform(_ logMel: Tensor) -> Tensor {
        let t = logMel.shape[1]
        var out = Tensor(shape: [nMFCC, t])
        logMel.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                guard let sp = s.baseAddress, let op = o.baseAddress else { return }
                applyRows(sp, rowStride: t, count: t, into: op, outStride: t)
            }
        }
        return out
    }

    /// `out[k, 0..<count] = Σ_m D[k,m] · s[m, 0..<count]`, summing m in ascending order for every
    /// element, so blocked and whole-signal calls agree bit for bit. Columns are processed in
    /// tiles that stay in cache while every coefficient is computed.
    @inline(__always)
    func applyRows(_ s: UnsafePointer<Float>, rowStride: Int, count: Int,
                   into out: UnsafeMutablePointer<Float>, outStride: Int) {
        let tile = 256
        matrix.withUnsafeBufferPointer { d in
            var c0 = 0
            while c0 < count {
                let w = Swift.min(tile, count - c0)
                for k in 0..<nMFCC {
                    let o = out + k * outStride + c0
                    o.update(repeating: 0, count: w)
                    for m in 0..<nMels {
                        let coef = d[k * nMels + m]
                        let row = s + m * rowStride + c0
                        for t in 0..<w { o[t] += coef * row[t] }
                    }
                }
                c0 += w
            }
        }
    }
}
