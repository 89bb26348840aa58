import Foundation
import PerceptCore
import PerceptIO

/// The pages of a comparison, drawn from its `CompareRecord` alone: compare.md (the table, the
/// verdict, the curve and robustness numbers), compare.csv (one row per contender) and
/// compare.html (self-contained: inline SVG charts and PNG pictures, no script, no network).
///
///     try CompareReport.write(record, run: "runs/compare-mnist")
public enum CompareReport {
    /// Writes compare.json, compare.md, compare.csv and compare.html into `run`, each atomically.
    public static func write(_ r: CompareRecord, run: String) throws {
        try r.write("\(run)/compare.json")
        try AtomicFile.write(Data(markdown(r).utf8), to: "\(run)/compare.md")
        try AtomicFile.write(Data(csv(r).utf8), to: "\(run)/compare.csv")
        try AtomicFile.write(Data(try html(r, run: run).utf8), to: "\(run)/compare.html")
    }

    static func pct(_ v: Double) -> String { String(format: "%.2f", v * 100) }
    static func mb(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / 1_048_576) }
    static func e(_ s: String) -> String { SVGChart.escape(s) }

    /// Curve sizes in order, "all" last.
    static func curveSizes(_ r: CompareRecord) -> [Int?] { Set(r.curve.compactMap(\.perClass)).sorted().map { Optional($0) } + [nil] }

    static func curveAccuracy(_ r: CompareRecord, _ contender: String, _ size: Int?) -> Double? {
        r.curve.first { $0.contender == contender && $0.perClass == size }?.accuracy
    }

    // MARK: markdown and CSV

    static func markdown(_ r: CompareRecord) -> String {
        let best = r.rows.map(\.testAccuracy).max()
        var s = "# \(r.pipeline): contenders compared\n\n"
        s += "Every contender trained on the same split (\(r.samples["train"] ?? 0) train / \(r.samples["validation"] ?? 0) validation / \(r.samples["test"] ?? 0) test samples) with seed \(r.seed). "
        s += "The comparison took \(String(format: "%.0f", r.seconds)) s; peak memory \(mb(r.peakRSS)) MB. Accuracies in %.\n\n"
        if !r.verdict.isEmpty { s += r.verdict.map { "> \($0)" }.joined(separator: "\n>\n") + "\n\n" }
        s += "| contender | features | test accuracy | ± 95 % | macro-F1 | feature dim | params | features s | train s | inference / s | train memory MB | linear probe | k-NN | learned dim | learned: linear probe | learned: k-NN |\n"
        s += "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        for x in r.rows {
            let acc = x.testAccuracy == best ? "**\(pct(x.testAccuracy))**" : pct(x.testAccuracy)
            s += "| \(x.contender) | \(x.features) | \(acc) | \(pct(x.ci95)) | \(String(format: "%.3f", x.macroF1)) | \(x.featureDimension) | \(RunTables.grouped(x.params)) | "
            s += "\(String(format: "%.1f", x.featureSeconds)) | \(String(format: "%.1f", x.trainSeconds)) | \(String(format: "%.0f", x.inferencePerSecond)) | \(mb(x.trainingMemory)) | "
            s += "\(pct(x.inputProbe.linearAccuracy)) | \(pct(x.inputProbe.knnAccuracy)) | "
            s += "\(x.learnedDimension.map(String.init) ?? "–") | \(x.learnedProbe.map { pct($0.linearAccuracy) } ?? "–") | \(x.learnedProbe.map { pct($0.knnAccuracy) } ?? "–") |\n"
        }
        let sizes = curveSizes(r)
        if sizes.count > 1 {
            s += "\n## Learning curve\n\nTest accuracy (%) of each contender retrained from scratch on n training samples per class.\n\n"
            s += "| contender | " + sizes.map { $0.map { "\($0) / class" } ?? "all" }.joined(separator: " | ") + " |\n"
            s += "|---|" + String(repeating: "---|", count: sizes.count) + "\n"
            for x in r.rows {
                s += "| \(x.contender) | " + sizes.map { n in curveAccuracy(r, x.contender, n).map(pct) ?? "–" }.joined(separator: " | ") + " |\n"
            }
        }
        if !r.perturbations.isEmpty {
            s += "\n## Robustness\n\nTest accuracy (%) when every test sample is perturbed before the feature chain (the models are not retrained).\n\n"
            s += "| contender | clean | " + r.perturbations.joined(separator: " | ") + " |\n|---|---|" + String(repeating: "---|", count: r.perturbations.count) + "\n"
            for x in r.rows {
                s += "| \(x.contender) | \(pct(x.testAccuracy)) | " + r.perturbations.map { x.robustness[$0].map(pct) ?? "–" }.joined(separator: " | ") + " |\n"
            }
        }
        s += """

        - **test accuracy**: the contender's own model on the test split; ± is the 95 % interval of a binomial proportion (1.96 √(p(1−p)/n)).
        - **features s**: computing the chain for every sample of every split, on all cores, without the feature cache. **train memory**:
          weights, gradients, optimizer moments and one batch's activations with their gradients, from the layer shapes.
        - **linear probe / k-NN** of the features its chain feeds the model: standardised features, L2-regularised softmax regression
          with the strength chosen on the validation split; L2-normalised features, cosine similarity, k nearest neighbours, votes
          weighted exp(sim / 0.07). Contenders with the same chain share these numbers.
        - **learned**: the same probes on the penultimate layer's activations of the trained network (frozen), so the quality of
          learned and hand-engineered features compares without the classifiers' capacity.

        """
        return s
    }

    static func csv(_ r: CompareRecord) -> String {
        var head = ["contender", "features", "learned", "test_accuracy", "ci95", "macro_f1", "feature_dim", "params", "feature_seconds", "train_seconds",
                    "inference_per_second", "train_memory_bytes", "linear_probe", "knn", "linear_probe_l2", "learned_dim", "learned_linear_probe", "learned_knn"]
        let sizes = curveSizes(r).compactMap { $0 }
        head += sizes.map { "curve_\($0)_per_class" } + r.perturbations.map { "robust_" + $0 }
        var s = head.map(CSV.field).joined(separator: ",") + "\n"
        for x in r.rows {
            var f: [String] = [x.contender, x.features, x.learned ? "true" : "false", String(format: "%.6f", x.testAccuracy), String(format: "%.6f", x.ci95),
                               String(format: "%.6f", x.macroF1), String(x.featureDimension), String(x.params), String(format: "%.3f", x.featureSeconds),
                               String(format: "%.3f", x.trainSeconds), String(format: "%.1f", x.inferencePerSecond), String(x.trainingMemory),
                               String(format: "%.6f", x.inputProbe.linearAccuracy), String(format: "%.6f", x.inputProbe.knnAccuracy),
                               String(format: "%g", x.inputProbe.chosenStrength), x.learnedDimension.map(String.init) ?? "",
                               x.learnedProbe.map { String(format: "%.6f", $0.linearAccuracy) } ?? "", x.learnedProbe.map { String(format: "%.6f", $0.knnAccuracy) } ?? ""]
            f += sizes.map { n in curveAccuracy(r, x.contender, n).map { String(format: "%.6f", $0) } ?? "" }
            f += r.perturbations.map { x.robustness[$0].map { String(format: "%.6f", $0) } ?? "" }
            s += f.map(CSV.field).joined(separator: ",") + "\n"
        }
        return s
    }

    // MARK: HTML

    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    static func html(_ r: CompareRecord, run: String) throws -> String {
        let o = RunOutputs(directory: run)
        var body = "<header><h1>\(e(r.pipeline)): do learned features beat hand-engineered ones?</h1><p class=\"meta\">"
        body += ["seed \(r.seed)", "\(r.samples["train"] ?? 0) train / \(r.samples["validation"] ?? 0) validation / \(r.samples["test"] ?? 0) test samples",
                 "\(r.classes.count) classes", "started \(e(r.started))", "\(String(format: "%.0f", r.seconds)) s", "peak memory \(mb(r.peakRSS)) MB"].joined(separator: " · ")
        body += "</p></header>"
        if !r.verdict.isEmpty {
            body += "<section class=\"verdict\"><h2>Verdict</h2>" + r.verdict.map { "<p>\(e($0))</p>" }.joined() + "</section>"
        }
        body += contenderTable(r)
        body += curveSection(r)
        body += robustnessSection(r)
        body += confusionSection(r)
        body += projectionSection(r)
        body += try filterSection(r, outputs: o)
        let pipelineText = (try? String(contentsOfFile: o.pipelinePath, encoding: .utf8)) ?? ""
        body += "<section><h2>Pipeline</h2><p class=\"note\">The resolved file (after <code>--set</code>), as run: <code>\(e(o.pipelinePath))</code>. Per-model curves, filters and mistakes are in <a href=\"report.html\">report.html</a>.</p><pre>\(e(pipelineText))</pre></section>"
        if let env = RunEnvironment.read(o.environmentPath) { body += RunReport.environmentSection(env) }
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(e(r.pipeline)) · Percept comparison</title>
        <style>\(RunReport.style)\(style)</style></head>
        <body>\(body)
        <footer>Written by percept \(e(PerceptVersion.string)) from <code>\(e(run))/compare.json</code>. Rerun with <code>percept compare \(e(o.pipelinePath)) --force</code>.</footer>
        </body></html>

        """
    }

    static let style = """
    .verdict p{font-size:15px;margin:6px 0;padding:6px 10px;background:#f3f7fb;border-left:3px solid #1f77b4}
    table.compare td,table.compare th{padding:4px 7px}table.compare th{font-size:12px;vertical-align:bottom}
    .kind{font-size:11px;color:#777}.small figure{max-width:340px}.small svg{max-width:100%;height:auto}.proj figure{max-width:560px}
    """

    static func contenderTable(_ r: CompareRecord) -> String {
        let best = r.rows.map(\.testAccuracy).max()
        var s = "<section><h2>Contenders</h2><table class=\"compare\"><thead><tr><th>contender</th><th>features</th><th>test accuracy</th><th>macro-F1</th><th>feature dim</th><th>parameters</th><th>features</th><th>training</th><th>inference</th><th>train memory</th><th>linear probe</th><th>k-NN</th><th>learned: probe</th><th>learned: k-NN</th></tr></thead><tbody>"
        for x in r.rows {
            let acc = "\(pct(x.testAccuracy)) % <span class=\"kind\">± \(pct(x.ci95))</span>"
            s += "<tr><td>\(e(x.contender))<br><span class=\"kind\">\(x.learned ? "learns its features" : "hand-engineered")</span></td><td>\(e(x.features))</td>"
            s += "<td class=\"num\">\(x.testAccuracy == best ? "<b>\(acc)</b>" : acc)</td><td class=\"num\">\(String(format: "%.3f", x.macroF1))</td>"
            s += "<td class=\"num\">\(RunTables.grouped(x.featureDimension))</td><td class=\"num\">\(RunTables.grouped(x.params))</td>"
            s += "<td class=\"num\">\(String(format: "%.1f s", x.featureSeconds))</td><td class=\"num\">\(String(format: "%.1f s", x.trainSeconds))</td>"
            s += "<td class=\"num\">\(RunTables.grouped(Int(x.inferencePerSecond.rounded()))) /s</td><td class=\"num\">\(mb(x.trainingMemory)) MB</td>"
            s += "<td class=\"num\">\(pct(x.inputProbe.linearAccuracy)) %</td><td class=\"num\">\(pct(x.inputProbe.knnAccuracy)) %</td>"
            s += "<td class=\"num\">\(x.learnedProbe.map { pct($0.linearAccuracy) + " %" } ?? "–")</td><td class=\"num\">\(x.learnedProbe.map { pct($0.knnAccuracy) + " %" } ?? "–")</td></tr>"
        }
        s += "</tbody></table><p class=\"note\">Sorted by test accuracy, the best in bold; ± is the 95 % interval from the test-set size. "
        s += "<b>features</b>: the chain for every sample of every split on all cores, without the cache; <b>inference</b>: test samples per second through the model; "
        s += "<b>train memory</b>: weights, gradients, optimizer moments and one batch's activations, from the layer shapes. "
        s += "<b>linear probe / k-NN</b>: the same protocol on the chain's output and on each network's penultimate activations (<b>learned</b>), frozen: "
        s += "standardised features with L2-regularised softmax regression (strength chosen on the validation split), and cosine k-NN with votes weighted exp(sim / 0.07).</p></section>"
        return s
    }

    static func curveSection(_ r: CompareRecord) -> String {
        let sizes = curveSizes(r)
        guard sizes.count > 1 else { return "" }
        let all = r.samples["train"] ?? 0, k = Swift.max(r.classes.count, 1)
        // A log axis: the points span 5 … thousands per class.
        func x(_ n: Int?) -> Double { log10(Double(n ?? Swift.max(all / k, 1))) }
        let series = r.rows.enumerated().map { i, row in
            SVGChart.Series(name: row.contender, colour: palette[i % palette.count],
                            points: sizes.compactMap { n in curveAccuracy(r, row.contender, n).map { (x: x(n), y: $0) } }, dashed: !row.learned)
        }
        let ticks = sizes.map { n in (x: x(n), label: n.map(String.init) ?? "all") }
        var s = "<section><h2>Learning curve</h2><div class=\"row\">"
        s += RunReport.figure(SVGChart.lines(series, xLabel: "training samples per class (log scale)", yLabel: "test accuracy", title: "Accuracy against training data",
                                             width: 520, height: 400, yRange: 0...1, xTickLabels: ticks),
                              caption: "“all” is the whole training split (\(all) samples, about \(all / k) per class). Every contender retrained from scratch on the same seeded subset of n samples per class (at least \(r.curve.filter { $0.perClass != nil }.map(\.epochs).min().map { "\($0) epochs" } ?? "the file's epochs") on small subsets), tested on the whole test split. Solid lines learn their features; dashed ones classify hand-engineered features.")
        s += "<figure><table><thead><tr><th>contender</th>" + sizes.map { "<th>\($0.map { "\($0) / class" } ?? "all")</th>" }.joined() + "</tr></thead><tbody>"
        for row in r.rows {
            s += "<tr><td>\(e(row.contender))</td>" + sizes.map { n in "<td class=\"num\">\(curveAccuracy(r, row.contender, n).map { pct($0) + " %" } ?? "–")</td>" }.joined() + "</tr>"
        }
        return s + "</tbody></table></figure></div></section>"
    }

    static func robustnessSection(_ r: CompareRecord) -> String {
        guard !r.perturbations.isEmpty else { return "" }
        var s = "<section><h2>Robustness</h2><table><thead><tr><th>contender</th><th>clean</th>" + r.perturbations.map { "<th>\(e($0))</th>" }.joined() + "</tr></thead><tbody>"
        for row in r.rows {
            s += "<tr><td>\(e(row.contender))</td><td class=\"num\">\(pct(row.testAccuracy)) %</td>"
            for p in r.perturbations {
                guard let a = row.robustness[p] else { s += "<td>–</td>"; continue }
                let drop = (row.testAccuracy - a) * 100
                s += "<td class=\"num\">\(pct(a)) % <span class=\"kind\">(\(drop >= 0 ? "−" : "+")\(String(format: "%.1f", abs(drop))))</span></td>"
            }
            s += "</tr>"
        }
        return s + "</tbody></table><p class=\"note\">Test accuracy when every test sample is perturbed (seeded draws, the same for every contender) before its feature chain; the models are not retrained. In brackets: points lost against the clean test set. Invariant features lose little.</p></section>"
    }

    static func confusionSection(_ r: CompareRecord) -> String {
        var s = "<section><h2>Confusion matrices</h2><div class=\"row small\">"
        for row in r.rows where !row.confusion.isEmpty {
            s += RunReport.figure(SVGChart.confusion(row.confusion, classes: r.classes, side: 230), caption: "<b>\(e(row.contender))</b>: \(pct(row.testAccuracy)) % (rows true, columns predicted).")
        }
        return s + "</div></section>"
    }

    static func projectionSection(_ r: CompareRecord) -> String {
        guard !r.projections.isEmpty else { return "" }
        var s = "<section><h2>Feature spaces in 2-D</h2><div class=\"row proj\">"
        for p in r.projections {
            let points = zip(p.x, p.y).map { ($0, $1) }
            let title = p.method == "pca" ? "\(p.space): PCA" : "\(p.space): t-SNE"
            let axes = p.method == "pca" && p.detail.count >= 2
                ? (String(format: "PC 1 (%.1f %%)", p.detail[0] * 100), String(format: "PC 2 (%.1f %%)", p.detail[1] * 100)) : ("t-SNE 1", "t-SNE 2")
            let note = p.method == "pca" ? "The first two principal components of the standardised features." : "Exact t-SNE (perplexity min(30, (N − 1) / 3), seeded)\(p.detail.first.map { String(format: ", final KL divergence %.3f", $0) } ?? "")."
            s += RunReport.figure(ScatterChart.svg(points: points.map { (x: $0.0, y: $0.1) }, labels: p.labels, classNames: r.classes, title: title, xLabel: axes.0, yLabel: axes.1, width: 500, height: 400),
                                  caption: "\(note) \(p.labels.count) test samples, coloured by class.")
        }
        return s + "</div><p class=\"note\">Classes that form separate clusters here are easy for a linear probe or k-NN in that space.</p></section>"
    }

    /// The first convolution's filters of every learned contender beside the Sobel kernels.
    static func filterSection(_ r: CompareRecord, outputs o: RunOutputs) throws -> String {
        var s = ""
        for row in r.rows where row.learned && FileManager.default.fileExists(atPath: o.modelPath(row.contender)) {
            let part = try RunReport.filterSection(o.modelPath(row.contender))
            if !part.isEmpty { s += "<h3>\(e(row.contender))</h3>" + part }
        }
        return s.isEmpty ? "" : "<section><h2>First-layer filters and the Sobel kernels</h2>\(s)</section>"
    }
}
