import COpenBLAS
import Foundation
import PerceptCore
import PerceptNN

/// Exact t-SNE (van der Maaten & Hinton 2008), step for step as scikit-learn's
/// `TSNE(method="exact")`: squared Euclidean distances; a binary search per point for the
/// Gaussian precision that gives the perplexity; symmetrised, normalised joint P; a Student-t
/// kernel in the embedding; gradient descent with early exaggeration (× 12 for 250 iterations,
/// momentum 0.5), then momentum 0.8 to `maxIterations`; sklearn's delta-bar-delta gains
/// (+0.2 / × 0.8, at least 0.01); learning rate "auto" = max(N / exaggeration / 4, 50);
/// initialisation from PCA scaled so the first coordinate's standard deviation is 1e-4.
///
/// Time and memory are O(N²), so at most `TSNE.maxSamples` rows are accepted. The gradient
/// is computed row by row on all cores; every row's sum runs in a fixed order, so the result
/// is the same on any thread count, and the same for the same seed.
///
///     let r = try TSNE().fit(features)   // r.embedding: [N, 2], r.klDivergence
public struct TSNE: Sendable {
    /// The most rows `fit` accepts: the N × N joint probabilities alone take 8·N² bytes (200 MB at 5,000).
    public static let maxSamples = 5_000

    /// Where the embedding starts.
    public enum Initialization: Sendable, Equatable {
        /// The first principal components, scaled to standard deviation 1e-4 (sklearn's default, no randomness).
        case pca
        /// Gaussian noise of standard deviation 1e-4 drawn from `seed`.
        case random
    }

    /// Dimensions of the embedding.
    public var components = 2
    /// Effective number of neighbours each point's Gaussian covers (2^entropy); must be below N.
    public var perplexity = 30.0
    /// Factor on P for the first 250 iterations, which pulls clusters apart early.
    public var earlyExaggeration = 12.0
    /// nil: sklearn's "auto", max(N / earlyExaggeration / 4, 50).
    public var learningRate: Double?
    /// Total iterations, the 250 with early exaggeration included (at least 250, as sklearn).
    public var maxIterations = 1000
    public var initialization = Initialization.pca
    /// Seed of the random initialisation (PCA initialisation uses no randomness).
    public var seed: UInt64 = 0
    /// Stop when the (gain-scaled) gradient norm falls to this, checked every 50 iterations.
    public var minGradNorm = 1e-7
    /// Stop when the KL divergence has not improved for this many iterations (after the exaggeration).
    public var iterationsWithoutProgress = 300

    /// Iterations with early exaggeration and the checking interval (sklearn's fixed values).
    static let explorationIterations = 250, checkInterval = 50
    static let machineEpsilon = Double.ulpOfOne

    ///     var tsne = TSNE(perplexity: 20); tsne.maxIterations = 500
    public init(perplexity: Double = 30, maxIterations: Int = 1000, initialization: Initialization = .pca, seed: UInt64 = 0) {
        self.perplexity = perplexity; self.maxIterations = maxIterations; self.initialization = initialization; self.seed = seed
    }

    public struct Result: Sendable, Equatable {
        /// [N, components] coordinates.
        public let embedding: Tensor
        /// KL(P ‖ Q) at the last evaluation, as sklearn's `kl_divergence_`.
        public let klDivergence: Double
        /// KL(P ‖ Q) of the starting embedding (without exaggeration), for comparison.
        public let initialKLDivergence: Double
        /// Index of the last iteration run (sklearn's `n_iter_`).
        public let iterations: Int
        /// The learning rate used (resolved from "auto").
        public let learningRate: Double
    }

    /// Embeds the rows of `x` ([N, D], 2 ≤ N ≤ `maxSamples`, perplexity < N).
    ///
    ///     let xy = try TSNE(perplexity: 30).fit(x).embedding
    public func fit(_ x: Tensor) throws -> Result {
        try validate(x)
        let n = x.shape[0], dims = components
        let p = Self.jointProbabilities(x, perplexity: perplexity)
        let rate = learningRate ?? Swift.max(Double(n) / earlyExaggeration / 4, 50)

        var y = [Double](repeating: 0, count: n * dims)
        switch initialization {
        case .pca:
            let start = try PCA(fitting: x, components: dims).transform(x).storage
            var m = 0.0, s = 0.0
            for i in 0..<n { m += Double(start[i * dims]) }
            m /= Double(n)
            for i in 0..<n { s += (Double(start[i * dims]) - m) * (Double(start[i * dims]) - m) }
            let std = (s / Double(n)).squareRoot()
            // Identical rows: all at the origin (nothing to separate) rather than NaN.
            let scale = std > 0 ? 1e-4 / std : 0
            for i in 0..<(n * dims) { y[i] = Double(start[i]) * scale }
        case .random:
            var rng = RandomStream(seed: seed)
            for i in 0..<(n * dims) { y[i] = Double(rng.normal()) * 1e-4 }
        }

        var grad = [Double](repeating: 0, count: n * dims), rows = [Double](repeating: 0, count: n)
        let initialKL = Self.objective(y, p, n: n, dims: dims, pScale: 1, computeError: true, grad: &grad, rows: &rows)
        var state = Descent(y: y, n: n, dims: dims, rate: rate, minGradNorm: minGradNorm)
        var it = state.run(p, from: 0, to: Self.explorationIterations, momentum: 0.5, pScale: earlyExaggeration,
                           patience: Self.explorationIterations, grad: &grad, rows: &rows)
        it = state.run(p, from: it + 1, to: maxIterations, momentum: 0.8, pScale: 1,
                       patience: iterationsWithoutProgress, grad: &grad, rows: &rows)
        return Result(embedding: Tensor(unchecked: [n, dims], data: state.y.map(Float.init)), klDivergence: state.error,
                      initialKLDivergence: initialKL, iterations: it, learningRate: rate)
    }

    func validate(_ x: Tensor) throws {
        guard x.rank == 2, x.shape[0] >= 2, x.shape[1] >= 1 else {
            throw PerceptError.invalidArgument(field: "x", "t-SNE needs [N, D] rows with N ≥ 2, got shape \(x.shape)")
        }
        let n = x.shape[0]
        guard n <= Self.maxSamples else {
            throw PerceptError.invalidArgument(field: "x", "exact t-SNE takes O(N²) time and memory: at most \(Self.maxSamples) rows, got \(n); subsample first")
        }
        guard x.storage.allSatisfy(\.isFinite) else { throw PerceptError.invalidArgument(field: "x", "contains NaN or infinite values") }
        guard perplexity > 0, perplexity < Double(n) else {
            throw PerceptError.invalidArgument(field: "perplexity", "must be > 0 and less than the number of rows (\(n)), got \(perplexity)")
        }
        guard components >= 1, initialization != .pca || components <= Swift.min(n, x.shape[1]) else {
            throw PerceptError.invalidArgument(field: "components", "must be ≥ 1 (and ≤ min(N, D) with PCA initialisation), got \(components)")
        }
        guard earlyExaggeration >= 1 else {
            throw PerceptError.invalidArgument(field: "early_exaggeration", "must be ≥ 1, got \(earlyExaggeration)")
        }
        guard maxIterations >= Self.explorationIterations else {
            throw PerceptError.invalidArgument(field: "max_iterations", "must be ≥ \(Self.explorationIterations), got \(maxIterations)")
        }
        if let r = learningRate, !(r > 0) { throw PerceptError.invalidArgument(field: "learning_rate", "must be > 0, got \(r)") }
    }

    // MARK: joint probabilities

    /// sklearn's `_joint_probabilities` on the rows' squared Euclidean distances: N × N, row-major,
    /// symmetric, summing to 1, zero on the diagonal and at least machine epsilon elsewhere.
    static func jointProbabilities(_ x: Tensor, perplexity: Double) -> [Double] {
        let n = x.shape[0]
        // Row i of the buffer holds the rows' dot products, then row i's conditional probabilities.
        var p = dotProducts(x)
        // sklearn's Cython keeps these as C floats.
        let desiredEntropy = Foundation.log(Double(Float(perplexity)))
        let tolerance = Double(Float(1e-5)), floorSum = Double(Float(1e-8))
        var norms = [Double](repeating: 0, count: n)
        for i in 0..<n { norms[i] = p[i * n + i] }
        norms.withUnsafeBufferPointer { nb in
            p.withUnsafeMutableBufferPointer { pb in
                let nx = nb.baseAddress!, ps = pb.baseAddress!
                Parallel.forEachDynamic(count: n, state: { [Float](repeating: 0, count: n) }) { dist, i in
                    // As sklearn's euclidean_distances (float32 rows are upcast): −2·x·y + |x|² + |y|², at
                    // least 0, 0 on the diagonal; then single precision, as _joint_probabilities casts them.
                    let row = ps + i * n
                    for j in 0..<n { dist[j] = j == i ? 0 : Float(Swift.max((-2 * row[j] + nx[i]) + nx[j], 0)) }
                    row[i] = 0
                    var beta = 1.0, betaMin = -Double.infinity, betaMax = Double.infinity
                    for _ in 0..<100 {
                        var sum = 0.0
                        for j in 0..<n where j != i { row[j] = Foundation.exp(-Double(dist[j]) * beta); sum += row[j] }
                        if sum == 0 { sum = floorSum }
                        var sumDistP = 0.0
                        for j in 0..<n { row[j] /= sum; sumDistP += Double(dist[j]) * row[j] }
                        let diff = Foundation.log(sum) + beta * sumDistP - desiredEntropy
                        if abs(diff) <= tolerance { break }
                        if diff > 0 {
                            betaMin = beta
                            beta = betaMax == .infinity ? beta * 2 : (beta + betaMax) / 2
                        } else {
                            betaMax = beta
                            beta = betaMin == -.infinity ? beta / 2 : (beta + betaMin) / 2
                        }
                    }
                }
            }
        }
        for i in 0..<n {
            for j in (i + 1)..<Swift.max(i + 1, n) {
                let v = p[i * n + j] + p[j * n + i]
                p[i * n + j] = v; p[j * n + i] = v
            }
        }
        let total = Swift.max(p.reduce(0, +), machineEpsilon)
        for i in 0..<n {
            for j in 0..<n { p[i * n + j] = i == j ? 0 : Swift.max(p[i * n + j] / total, machineEpsilon) }
        }
        return p
    }

    /// X·Xᵀ in Double for [N, D] rows, by OpenBLAS's DGEMM in fixed blocks of rows (the same sums
    /// on any thread count).
    static func dotProducts(_ x: Tensor) -> [Double] {
        let n = x.shape[0], d = x.shape[1], block = 64
        let xd = x.storage.map(Double.init)
        var g = [Double](repeating: 0, count: n * n)
        xd.withUnsafeBufferPointer { xb in
            g.withUnsafeMutableBufferPointer { gb in
                let a = xb.baseAddress!, out = gb.baseAddress!
                Parallel.forEachDynamic(count: (n + block - 1) / block, state: { () }) { _, b in
                    let lo = b * block, rows = Swift.min(n, lo + block) - lo
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(n), Int32(d), 1,
                                a + lo * d, Int32(d), a, Int32(d), 0, out + lo * n, Int32(n))
                }
            }
        }
        return g
    }

    // MARK: objective and descent

    /// sklearn's `_kl_divergence`: fills `grad` with dKL/dy and returns KL(P' ‖ Q) for P' = pScale·P
    /// (NaN when `computeError` is false). Student-t kernel with max(dims − 1, 1) degrees of freedom.
    /// `rows` is N scratch values.
    static func objective(_ y: [Double], _ p: [Double], n: Int, dims: Int, pScale: Double, computeError: Bool,
                          grad: inout [Double], rows: inout [Double]) -> Double {
        let dof = Double(Swift.max(dims - 1, 1)), power = (dof + 1) / -2
        let eps = machineEpsilon
        @inline(__always) func kernel(_ yp: UnsafePointer<Double>, _ i: Int, _ j: Int) -> Double {
            var d2 = 0.0
            for k in 0..<dims { let t = yp[i * dims + k] - yp[j * dims + k]; d2 += t * t }
            return dof == 1 ? 1 / (1 + d2) : Foundation.pow(1 + d2 / dof, power)
        }
        let planar = dims == 2   // the usual case: a branch-free loop over plain coordinates
        y.withUnsafeBufferPointer { yb in
            rows.withUnsafeMutableBufferPointer { rb in
                let yp = yb.baseAddress!, rp = rb.baseAddress!
                Parallel.forEach(count: n) { i in
                    var s = 0.0
                    if planar {
                        let a = yp[2 * i], b = yp[2 * i + 1]
                        @inline(__always) func add(_ j: Int) {
                            let dx = a - yp[2 * j], dy = b - yp[2 * j + 1]
                            s += 1 / (1 + (dx * dx + dy * dy))
                        }
                        for j in 0..<i { add(j) }
                        for j in (i + 1)..<n { add(j) }
                    } else {
                        for j in 0..<n where j != i { s += kernel(yp, i, j) }
                    }
                    rp[i] = s
                }
            }
        }
        var z = 0.0
        for v in rows { z += v }
        let c = 2 * (dof + 1) / dof
        y.withUnsafeBufferPointer { yb in
            p.withUnsafeBufferPointer { pb in
                grad.withUnsafeMutableBufferPointer { gb in
                    rows.withUnsafeMutableBufferPointer { rb in
                        let yp = yb.baseAddress!, pp = pb.baseAddress!, gp = gb.baseAddress!, rp = rb.baseAddress!
                        Parallel.forEachDynamic(count: n, state: { [Double](repeating: 0, count: dims) }) { g, i in
                            var kl = 0.0
                            let prow = pp + i * n
                            if planar {
                                // j == i adds exact zeros (p_ii = 0, y_i − y_i = 0), so it needs no branch.
                                let a = yp[2 * i], b = yp[2 * i + 1]
                                var gx = 0.0, gy = 0.0
                                for j in 0..<n {
                                    let dx = a - yp[2 * j], dy = b - yp[2 * j + 1]
                                    let num = 1 / (1 + (dx * dx + dy * dy))
                                    let q = Swift.max(num / z, eps), pij = prow[j] * pScale
                                    let w = (pij - q) * num
                                    gx += w * dx; gy += w * dy
                                    if computeError { kl += pij * Foundation.log(Swift.max(pij, eps) / q) }
                                }
                                gp[2 * i] = gx * c; gp[2 * i + 1] = gy * c
                            } else {
                                for k in 0..<dims { g[k] = 0 }
                                for j in 0..<n where j != i {
                                    let num = kernel(yp, i, j)
                                    let q = Swift.max(num / z, eps), pij = prow[j] * pScale
                                    let w = (pij - q) * num
                                    for k in 0..<dims { g[k] += w * (yp[i * dims + k] - yp[j * dims + k]) }
                                    if computeError { kl += pij * Foundation.log(Swift.max(pij, eps) / q) }
                                }
                                for k in 0..<dims { gp[i * dims + k] = g[k] * c }
                            }
                            rp[i] = kl
                        }
                    }
                }
            }
        }
        guard computeError else { return .nan }
        var kl = 0.0
        for v in rows { kl += v }
        return kl
    }

    /// sklearn's `_gradient_descent` state: the embedding, the last update and the per-coordinate gains.
    struct Descent {
        var y: [Double]
        let n: Int, dims: Int, rate: Double, minGradNorm: Double
        var update: [Double] = [], gains: [Double] = []
        /// The last KL divergence computed (sklearn's `error`).
        var error = Double.greatestFiniteMagnitude
        static let minGain = 0.01

        init(y: [Double], n: Int, dims: Int, rate: Double, minGradNorm: Double) {
            self.y = y; self.n = n; self.dims = dims; self.rate = rate; self.minGradNorm = minGradNorm
        }

        /// Iterations `from..<to`; returns the index of the last one run. Updates and gains start afresh, as
        /// each of sklearn's two `_gradient_descent` calls does.
        mutating func run(_ p: [Double], from start: Int, to end: Int, momentum: Double, pScale: Double, patience: Int,
                          grad: inout [Double], rows: inout [Double]) -> Int {
            update = [Double](repeating: 0, count: n * dims)
            gains = [Double](repeating: 1, count: n * dims)
            var best = Double.greatestFiniteMagnitude, bestIteration = start
            var i = start
            guard start < end else { return start }
            while i < end {
                let check = (i + 1) % TSNE.checkInterval == 0
                let kl = TSNE.objective(y, p, n: n, dims: dims, pScale: pScale, computeError: check || i == end - 1, grad: &grad, rows: &rows)
                if check || i == end - 1 { error = kl }
                var norm2 = 0.0
                for k in 0..<(n * dims) {
                    if update[k] * grad[k] < 0 { gains[k] += 0.2 } else { gains[k] *= 0.8 }
                    gains[k] = Swift.max(gains[k], Self.minGain)
                    let g = grad[k] * gains[k]
                    norm2 += g * g
                    update[k] = momentum * update[k] - rate * g
                    y[k] += update[k]
                }
                if check {
                    if error < best { best = error; bestIteration = i } else if i - bestIteration > patience { break }
                    if norm2.squareRoot() <= minGradNorm { break }
                }
                i += 1
            }
            return Swift.min(i, end - 1)
        }
    }

    // MARK: quality

    /// How well an embedding keeps local structure, as sklearn's `manifold.trustworthiness`: 1 − a
    /// penalty for every embedding neighbour (of `neighbors`) that is not among the same number of
    /// nearest neighbours in the original space, weighted by how far down that rank it is.
    ///
    ///     let t = try TSNE.trustworthiness(x, r.embedding, neighbors: 5)   // 1 is perfect
    public static func trustworthiness(_ x: Tensor, _ embedding: Tensor, neighbors k: Int = 5) throws -> Double {
        guard x.rank == 2, embedding.rank == 2, x.shape[0] == embedding.shape[0] else {
            throw PerceptError.invalidArgument(field: "embedding", "needs one row per row of x: \(embedding.shape) vs \(x.shape)")
        }
        let n = x.shape[0]
        guard k >= 1, k < n / 2 else { throw PerceptError.invalidArgument(field: "neighbors", "must be in 1..<\(n / 2) (N / 2), got \(k)") }
        func sortedNeighbours(_ t: Tensor, _ i: Int) -> [Int] {
            let d = t.shape[1]
            let dist = (0..<n).map { j -> Double in
                var s = 0.0
                for c in 0..<d { let v = Double(t.storage[i * d + c]) - Double(t.storage[j * d + c]); s += v * v }
                return s
            }
            return (0..<n).filter { $0 != i }.sorted { dist[$0] != dist[$1] ? dist[$0] < dist[$1] : $0 < $1 }
        }
        var penalties = [Int](repeating: 0, count: n)
        penalties.withUnsafeMutableBufferPointer { pb in
            let out = pb.baseAddress!
            Parallel.forEach(count: n) { i in
                // rank[j]: j's place (1-based) among i's neighbours in the original space.
                var rank = [Int](repeating: 0, count: n)
                for (r, j) in sortedNeighbours(x, i).enumerated() { rank[j] = r + 1 }
                var t = 0
                for j in sortedNeighbours(embedding, i).prefix(k) where rank[j] > k { t += rank[j] - k }
                out[i] = t
            }
        }
        let total = Double(penalties.reduce(0, +))
        return 1 - total * (2 / (Double(n) * Double(k) * (2 * Double(n) - 3 * Double(k) - 1)))
    }
}
