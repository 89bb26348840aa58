import Foundation
import PerceptCore

/// Draws a feature space in 2-D for the comparison report: the chosen test rows, standardised
/// per column, by PCA (always) and by exact t-SNE (when asked), with seeded starts so a rerun
/// draws the same picture.
///
///     let records = try FeatureProjector(seed: 3, tsne: true, log: { _ in }).project(space: "hog", x, rows: Array(0..<1000), labels: y)
struct FeatureProjector {
    let seed: UInt64
    let tsne: Bool
    let log: (String) -> Void

    func project(space: String, _ x: Tensor, rows: [Int], labels: [Int]) throws -> [CompareRecord.ProjectionRecord] {
        guard rows.count >= 3, x.shape.count == 2, x.shape[1] >= 2 else { return [] }
        let d = x.shape[1]
        var picked = [Float](repeating: 0, count: rows.count * d)
        x.withUnsafeBufferPointer { xb in
            picked.withUnsafeMutableBufferPointer { pb in
                for (k, i) in rows.enumerated() { (pb.baseAddress! + k * d).update(from: xb.baseAddress! + i * d, count: d) }
            }
        }
        let raw = Tensor(unchecked: [rows.count, d], data: picked)
        let (mean, std) = FeatureProbe.columnStats(raw)
        let z = FeatureProbe.standardised(raw, mean, std)
        let y = rows.map { labels[$0] }
        let pca = try PCA(fitting: z, components: 2)
        let p = try pca.transform(z)
        var out = [CompareRecord.ProjectionRecord(space: space, method: "pca", x: Self.column(p, 0), y: Self.column(p, 1), labels: y,
                                                  detail: pca.explainedVarianceRatio)]
        if tsne {
            let started = Date()
            // Perplexity 30, as sklearn's default, needs more than 90 points; small sets get less.
            let t = try TSNE(perplexity: Swift.min(30, Double(rows.count - 1) / 3), seed: seed).fit(z)
            log("compare: t-SNE of '\(space)' (\(rows.count) samples) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s\n")
            out.append(CompareRecord.ProjectionRecord(space: space, method: "tsne", x: Self.column(t.embedding, 0), y: Self.column(t.embedding, 1),
                                                      labels: y, detail: [Double(t.klDivergence)]))
        }
        return out
    }

    static func column(_ t: Tensor, _ c: Int) -> [Float] {
        let n = t.shape[0], w = t.shape[1]
        return (0..<n).map { t.storage[$0 * w + c] }
    }
}
