import PerceptAugment
import PerceptCore

/// A pipeline file's `compare:` section: how `percept compare` judges its contenders (the
/// models). Every key has a default, so a file without the section compares with the learning
/// curve at 5, 20 and 100 samples per class, the kind's default perturbations, k-NN with k = 20
/// and 2-D projections of 1,000 test samples.
///
///     compare: {learning_curve: [10, 50], robustness: {blur: [{gaussian_blur: {sigma_limit: 1, p: 1}}]}, knn_k: 10}
public struct CompareSpec: Sendable {
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("learning_curve", .list, default: "[5, 20, 100]",
                      doc: "training samples per class at which every contender is retrained from scratch (besides all of them); [] for none"),
        ParameterSpec("curve_min_steps", .int, default: 200,
                      doc: "each learning-curve model trains for at least this many optimizer steps (more epochs on small subsets)"),
        ParameterSpec("robustness", .map,
                      doc: "named test-time perturbations, each a stage list applied before the chain (default per kind: images noise, rotation, brightness; audio noise at 10 dB SNR, gain); false for none"),
        ParameterSpec("knn_k", .int, default: 20, doc: "neighbours of the k-NN probe (cosine similarity, votes weighted exp(sim / 0.07))"),
        ParameterSpec("probe_strengths", .list, default: "[1e-4, 1e-3, 1e-2, 1e-1, 1]",
                      doc: "L2 strengths tried by the linear probe; the one best on the validation split is kept"),
        ParameterSpec("projection_samples", .int, default: 1000, doc: "test samples projected to 2-D (PCA and t-SNE) per feature space; 0 for none"),
        ParameterSpec("tsne", .bool, default: true, doc: "also draw an exact t-SNE (perplexity 30, seeded) of each feature space"),
    ]

    /// A named perturbation: stages applied to a clean test sample before the feature chain.
    public struct Perturbation: Sendable {
        public let name: String
        public let items: Value
        public let chain: AugmentationChain
    }

    /// t-SNE's memory and time grow as N², so projections stop here.
    public static let maxProjectionSamples = TSNE.maxSamples

    public var learningCurve = [5, 20, 100]
    public var curveMinSteps = 200
    /// nil: the data kind's defaults (`defaultPerturbations`).
    public var robustness: [Perturbation]? = nil
    public var knnK = 20
    public var probeStrengths: [Float] = [1e-4, 1e-3, 1e-2, 1e-1, 1]
    public var projectionSamples = 1000
    public var tsne = true
    /// Where `compare:` stood, for errors found once the data is read.
    public var origin = Origin.code
    public var learningCurveOrigin = Origin.code

    public init() {}

    /// Parses `compare:`, recording every error; absent means the defaults.
    static func parse(_ value: Value?, diagnostics d: Diagnostics) -> CompareSpec {
        var s = CompareSpec()
        guard let value else { return s }
        s.origin = value.origin
        guard let p = PipelineSpec.mapping(value, specs: parameters, owner: "compare", path: "compare",
                                           expected: parameters.map(\.name).joined(separator: ", "), diagnostics: d) else { return s }
        // List defaults are documentation text; only lists the file gives are read.
        let given = Set(value.entries?.map(\.key) ?? [])
        if given.contains("learning_curve"), let v = p.value("learning_curve") {
            s.learningCurveOrigin = v.origin
            s.learningCurve = p.list("learning_curve").compactMap { item in
                guard let n = Parameters.int(item), n >= 1 else {
                    d.record(p.invalid("learning_curve", "expected whole numbers of samples per class (≥ 1), got \(item)")); return nil
                }
                return n
            }
            s.learningCurve = Array(Set(s.learningCurve)).sorted()
        }
        s.curveMinSteps = d.check { try p.int("curve_min_steps", atLeast: 1) } ?? s.curveMinSteps
        s.knnK = d.check { try p.int("knn_k", atLeast: 1) } ?? s.knnK
        s.projectionSamples = d.check { try p.int("projection_samples", atLeast: 0) } ?? s.projectionSamples
        if s.projectionSamples > maxProjectionSamples {
            d.record(p.invalid("projection_samples", "at most \(maxProjectionSamples) samples are projected (t-SNE is O(N²)), got \(s.projectionSamples)"))
        }
        s.tsne = d.check { try p.bool("tsne") } ?? s.tsne
        if given.contains("probe_strengths") {
            s.probeStrengths = p.list("probe_strengths").compactMap { item in
                guard let f = Parameters.float(item), f.isFinite, f >= 0 else {
                    d.record(p.invalid("probe_strengths", "expected L2 strengths ≥ 0, got \(item)")); return nil
                }
                return f
            }
            if s.probeStrengths.isEmpty { d.record(p.invalid("probe_strengths", "needs at least one strength")) }
        }
        if let r = p.value("robustness") {
            if case .bool(false) = r.content {
                s.robustness = []
            } else if let entries = r.entries {
                s.robustness = entries.compactMap { e in
                    d.check { try perturbation(e.key, e.value, path: "compare.robustness.\(e.key)") }
                }
            } else {
                d.record(.invalidArgument(field: "compare.robustness" + r.origin.suffix,
                                          "expected a mapping of names to stage lists (noise: [{gauss_noise: {std_range: 0.1, p: 1}}]) or false"))
            }
        }
        return s
    }

    /// A perturbation from its stage list; batch stages cannot perturb one sample.
    static func perturbation(_ name: String, _ items: Value, path: String) throws -> Perturbation {
        let steps = try StageRegistry.steps(items, path: path)
        if let b = steps.first(where: { if case .batch = $0 { return true } else { return false } }) {
            throw PerceptError.invalidArgument(field: path + items.origin.suffix, "\(b.name) mixes samples of a batch; a perturbation changes one test sample")
        }
        return Perturbation(name: name, items: items, chain: AugmentationChain(steps))
    }

    /// Test-time perturbations per data kind, as the lectures' "search for invariance" asks:
    /// images get pixel noise, a small rotation and a brightness shift; audio white noise at
    /// 10 dB SNR and a 12 dB quieter gain. Pixel values are in [0, 1].
    public static func defaultPerturbations(for kind: SampleKind) -> [Perturbation] {
        let table: [(String, Value)]
        switch kind {
        case .image:
            table = [("noise σ 0.1", [["gauss_noise": ["std_range": 0.1, "p": 1]]]),
                     ("rotation ±15°", [["rotate": ["limit": 15, "p": 1]]]),
                     ("brightness +0.2", [["random_brightness_contrast": ["brightness_limit": [0.2, 0.2], "contrast_limit": 0, "p": 1]]])]
        case .audio:
            table = [("noise 10 dB SNR", [["add_gaussian_snr": ["min_snr_db": 10, "max_snr_db": 10, "p": 1]]]),
                     ("gain −12 dB", [["gain": ["min_gain_db": -12, "max_gain_db": -12, "p": 1]]])]
        default:
            table = []
        }
        // Known-good stage lists (a test builds every one), so nothing is dropped in practice.
        return table.compactMap { try? perturbation($0.0, $0.1, path: "compare.robustness") }
    }
}
