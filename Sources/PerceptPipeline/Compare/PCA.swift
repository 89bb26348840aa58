import COpenBLAS
import Foundation
import PerceptCore
import PerceptNN

/// Principal component analysis of [N, D] rows, as scikit-learn's `PCA(n_components: k)`:
/// the rows are centred, the top-k eigenvectors of their covariance are the components (signs
/// as sklearn ≥ 1.5's `svd_flip(u_based_decision=False)`: each component's largest-magnitude
/// entry is positive), so `transform` matches sklearn's `fit_transform`.
///
/// The D × D covariance (or, when D > N, the N × N Gram matrix, whose eigenvectors map back to
/// the same components) comes from OpenBLAS's GEMM in fixed column blocks, and its top
/// eigenpairs from LAPACK's `dsyevr`, so the result is deterministic and does not depend on
/// the thread count.
///
///     let pca = try PCA(fitting: x); let xy = try pca.transform(x)   // xy: [N, 2]
public struct PCA: Sendable {
    /// [k, D] unit-length principal axes, largest variance first.
    public let components: Tensor
    /// The column means that were subtracted.
    public let mean: [Float]
    /// Variance along each component (ddof 1, as sklearn's `explained_variance_`).
    public let explainedVariance: [Double]
    /// Each component's share of the total variance (sklearn's `explained_variance_ratio_`).
    public let explainedVarianceRatio: [Double]

    /// Fits `components` principal axes to the rows of `x` ([N, D], N ≥ 2, components ≤ min(N, D)).
    ///
    ///     let pca = try PCA(fitting: features, components: 2)
    public init(fitting x: Tensor, components k: Int = 2) throws {
        guard x.rank == 2, x.shape[0] >= 2, x.shape[1] >= 1 else {
            throw PerceptError.invalidArgument(field: "x", "PCA needs [N, D] rows with N ≥ 2 and D ≥ 1, got shape \(x.shape)")
        }
        let n = x.shape[0], d = x.shape[1]
        guard k >= 1, k <= Swift.min(n, d) else {
            throw PerceptError.invalidArgument(field: "components", "must be in 1...\(Swift.min(n, d)) (min of rows and columns), got \(k)")
        }
        guard x.storage.allSatisfy(\.isFinite) else {
            throw PerceptError.invalidArgument(field: "x", "contains NaN or infinite values")
        }
        // Means and total variance in Double: the GEMM then only sees centred values.
        var meanD = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { meanD[j] += Double(x.storage[i * d + j]) } }
        for j in 0..<d { meanD[j] /= Double(n) }
        var centred = [Float](repeating: 0, count: n * d)
        var total = 0.0
        for i in 0..<n {
            for j in 0..<d {
                let v = Double(x.storage[i * d + j]) - meanD[j]
                centred[i * d + j] = Float(v); total += v * v
            }
        }
        total /= Double(n - 1)

        // Eigenpairs of the smaller of XᵀX (D × D) and XXᵀ (N × N); both hold the same non-zero spectrum.
        let useGram = d > n
        let m = useGram ? n : d
        let gram = Self.crossProducts(centred, rows: n, cols: d, gram: useGram)
        let (values, vectors) = try Self.topEigenpairs(gram, size: m, count: k)

        var comps = [Float](repeating: 0, count: k * d)
        var variances = [Double](repeating: 0, count: k)
        for c in 0..<k {
            let lambda = Swift.max(values[c], 0)
            variances[c] = lambda / Double(n - 1)
            var v = [Double](repeating: 0, count: d)
            if useGram {
                // v = Xᵀu / ‖Xᵀu‖ (= Xᵀu / √λ when λ > 0).
                for i in 0..<n {
                    let ui = vectors[c * m + i]
                    for j in 0..<d { v[j] += Double(centred[i * d + j]) * ui }
                }
                let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
                if norm > 0 { for j in 0..<d { v[j] /= norm } }
            } else {
                for j in 0..<d { v[j] = vectors[c * m + j] }
            }
            // svd_flip on the rows of Vt: the first largest |entry| becomes positive.
            var big = 0
            for j in 1..<d where abs(v[j]) > abs(v[big]) { big = j }
            let sign: Double = v[big] < 0 ? -1 : 1
            for j in 0..<d { comps[c * d + j] = Float(v[j] * sign) }
        }
        components = Tensor(unchecked: [k, d], data: comps)
        mean = meanD.map(Float.init)
        explainedVariance = variances
        explainedVarianceRatio = variances.map { total > 0 ? $0 / total : 0 }
    }

    /// Projects [M, D] rows onto the components: (x − mean) · componentsᵀ, an [M, k] tensor.
    ///
    ///     let xy = try pca.transform(testRows)
    public func transform(_ x: Tensor) throws -> Tensor {
        let d = mean.count, k = components.shape[0]
        guard x.rank == 2, x.shape[1] == d else {
            throw PerceptError.invalidArgument(field: "x", "expected [M, \(d)] rows, got shape \(x.shape)")
        }
        let rows = x.shape[0]
        var out = [Float](repeating: 0, count: rows * k)
        x.withUnsafeBufferPointer { xb in
            components.withUnsafeBufferPointer { cb in
                out.withUnsafeMutableBufferPointer { ob in
                    let op = UnsafeSendable(ob)
                    Parallel.forEach(count: rows) { i in
                        for c in 0..<k {
                            var s = 0.0
                            for j in 0..<d { s += (Double(xb[i * d + j]) - Double(mean[j])) * Double(cb[c * d + j]) }
                            op.value[i * k + c] = Float(s)
                        }
                    }
                }
            }
        }
        return Tensor(unchecked: [rows, k], data: out)
    }

    /// Axis title for component `index` (0-based), e.g. "PC 1 (23.4 %)".
    ///
    ///     pca.axisLabel(0)   // "PC 1 (23.4 %)"
    public func axisLabel(_ index: Int) -> String {
        guard index >= 0, index < explainedVarianceRatio.count else { return "PC \(index + 1)" }
        return String(format: "PC %d (%.1f %%)", index + 1, explainedVarianceRatio[index] * 100)
    }

    // MARK: internals

    /// Columns per GEMM block: fixed, so each entry's sum runs the same way on any thread count.
    static let block = 128

    /// The upper triangle (row-major) of XᵀX (`gram` false, D × D) or XXᵀ (`gram` true, N × N)
    /// for a row-major [rows, cols] X, in Double, computed in fixed column blocks in parallel.
    static func crossProducts(_ x: [Float], rows: Int, cols: Int, gram: Bool) -> [Double] {
        let m = gram ? rows : cols
        var c = [Float](repeating: 0, count: m * m)
        let blocks = (m + block - 1) / block
        x.withUnsafeBufferPointer { xb in
            c.withUnsafeMutableBufferPointer { cb in
                let a = UnsafeSendable(xb.baseAddress!), out = UnsafeSendable(cb.baseAddress!)
                Parallel.forEachDynamic(count: blocks, state: { () }) { _, b in
                    // Block b fills rows 0..<hi of columns lo..<hi: the upper triangle and a little more.
                    let lo = b * block, hi = Swift.min(m, lo + block)
                    if gram {
                        // C[0..<hi, lo..<hi] = X[0..<hi, :] · X[lo..<hi, :]ᵀ
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(hi), Int32(hi - lo), Int32(cols), 1,
                                    a.value, Int32(cols), a.value + lo * cols, Int32(cols), 0, out.value + lo, Int32(m))
                    } else {
                        // C[0..<hi, lo..<hi] = X[:, 0..<hi]ᵀ · X[:, lo..<hi]
                        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(hi), Int32(hi - lo), Int32(rows), 1,
                                    a.value, Int32(cols), a.value + lo, Int32(cols), 0, out.value + lo, Int32(m))
                    }
                }
            }
        }
        return c.map(Double.init)
    }

    /// The `count` largest eigenvalues (descending) of the symmetric m × m matrix whose upper
    /// triangle (row-major) is in `a`, and their unit eigenvectors, one per row of m values.
    static func topEigenpairs(_ a: [Double], size m: Int, count k: Int) throws -> ([Double], [Double]) {
        // Row-major upper = column-major lower, hence uplo "L".
        var a = a
        var n = Int32(m), lda = Int32(m), il = Int32(m - k + 1), iu = Int32(m), ldz = Int32(m)
        var vl = 0.0, vu = 0.0, abstol = 0.0
        var found: Int32 = 0, info: Int32 = 0
        var w = [Double](repeating: 0, count: m)
        var z = [Double](repeating: 0, count: m * k)
        var isuppz = [Int32](repeating: 0, count: 2 * Swift.max(1, k))
        var lwork: Int32 = -1, liwork: Int32 = -1
        var workSize = 0.0
        var iworkSize: Int32 = 0
        let jobz: CChar = 86 /* V */, range: CChar = 73 /* I */, uplo: CChar = 76 /* L */
        withUnsafePointer(to: jobz) { jp in withUnsafePointer(to: range) { rp in withUnsafePointer(to: uplo) { up in
            dsyevr_(jp, rp, up, &n, &a, &lda, &vl, &vu, &il, &iu, &abstol, &found, &w, &z, &ldz, &isuppz,
                    &workSize, &lwork, &iworkSize, &liwork, &info, 1, 1, 1)
            if info == 0 {
                lwork = Int32(workSize); liwork = iworkSize
                var work = [Double](repeating: 0, count: Int(lwork))
                var iwork = [Int32](repeating: 0, count: Int(liwork))
                dsyevr_(jp, rp, up, &n, &a, &lda, &vl, &vu, &il, &iu, &abstol, &found, &w, &z, &ldz, &isuppz,
                        &work, &lwork, &iwork, &liwork, &info, 1, 1, 1)
            }
        } } }
        guard info == 0, Int(found) == k else {
            throw PerceptError.runtime("PCA: LAPACK dsyevr failed (info \(info), \(found) of \(k) eigenvalues)")
        }
        // dsyevr lists them ascending; column c of z (column-major) is eigenvector c.
        var values = [Double](), vectors = [Double]()
        for c in stride(from: k - 1, through: 0, by: -1) {
            values.append(w[c])
            vectors.append(contentsOf: z[(c * m)..<((c + 1) * m)])
        }
        return (values, vectors)
    }
}
