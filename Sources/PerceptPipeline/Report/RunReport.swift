import Foundation
import PerceptCore
import PerceptIO
import PerceptNN

/// `report.html` of a finished run: one self-contained page (inline SVG charts, PNG pictures as
/// data URIs, no script, no network) with, per model, the loss and accuracy curves, the
/// confusion matrix, per-class scores, the first-layer filters beside the Sobel kernels,
/// activation histograms over epochs and the misclassified test samples; then the resolved
/// pipeline and the machine it ran on. Built from the run folder alone, so `percept report`
/// rebuilds it at any time.
///
///     try RunReport.write(run: "runs/quickstart")   // runs/quickstart/report.html
public enum RunReport {
    /// Builds the report of the run in `run` and writes it atomically to `output` (default
    /// `<run>/report.html`); returns the path written.
    @discardableResult
    public static func write(run: String, to output: String? = nil) throws -> String {
        let html = try page(run: run)
        let path = output ?? RunOutputs(directory: run).reportPath
        try AtomicFile.write(Data(html.utf8), to: path)
        return path
    }

    /// The page's HTML.
    public static func page(run: String) throws -> String {
        let o = RunOutputs(directory: run)
        guard let data = FileManager.default.contents(atPath: o.metricsPath) else {
            var isDir: ObjCBool = false
            if !FileManager.default.fileExists(atPath: run, isDirectory: &isDir) || !isDir.boolValue {
                throw PerceptError.badInput(file: run, "no such run folder")
            }
            throw PerceptError.badInput(file: run, "holds no metrics.json: the run has not finished a model yet (percept run writes it after each model)")
        }
        let metrics: MetricsFile
        do { metrics = try JSONDecoder().decode(MetricsFile.self, from: data) } catch {
            throw PerceptError.badInput(file: o.metricsPath, "is not a metrics file written by percept")
        }
        let pipelineText = (try? String(contentsOfFile: o.pipelinePath, encoding: .utf8)) ?? ""
        let order = modelOrder(pipelineText, names: Array(metrics.models.keys))
        var body = header(metrics, environment: RunEnvironment.read(o.environmentPath), run: run)
        body += summaryTable(order.compactMap { n in metrics.models[n].map { (n, $0) } })
        for name in order {
            guard let result = metrics.models[name] else { continue }
            body += try modelSection(name, result, outputs: o)
        }
        body += "<section><h2 id=\"pipeline\">Pipeline</h2><p class=\"note\">The resolved file (after <code>--set</code>), as run: <code>\(SVGChart.escape(o.pipelinePath))</code>.</p><pre>\(SVGChart.escape(pipelineText))</pre></section>"
        if let env = RunEnvironment.read(o.environmentPath) { body += environmentSection(env) }
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(SVGChart.escape(metrics.pipeline)) · Percept run report</title>
        <style>\(style)</style></head>
        <body>\(body)
        <footer>Written by percept \(SVGChart.escape(PerceptVersion.string)) from <code>\(SVGChart.escape(run))</code>. Rebuild with <code>percept report \(SVGChart.escape(run))</code>.</footer>
        </body></html>

        """
    }

    // MARK: sections

    static func header(_ m: MetricsFile, environment: RunEnvironment?, run: String) -> String {
        var facts = ["seed \(m.seed)", "percept \(SVGChart.escape(m.perceptVersion))"]
        if let e = environment { facts += ["started \(SVGChart.escape(e.started))", "on \(SVGChart.escape(e.host))"] }
        return "<header><h1>\(SVGChart.escape(m.pipeline))</h1><p class=\"meta\">\(facts.joined(separator: " · "))</p></header>"
    }

    static func summaryTable(_ models: [(String, ModelResult)]) -> String {
        let best = models.compactMap(\.1.testAccuracy).max()
        var rows = ""
        for (name, r) in models {
            let acc = r.testAccuracy.map { String(format: "%.2f %%", $0 * 100) } ?? "–"
            let bold = r.testAccuracy != nil && r.testAccuracy == best && models.count > 1
            rows += "<tr><td><a href=\"#model-\(anchor(name))\">\(SVGChart.escape(name))</a></td><td class=\"num\">\(bold ? "<b>\(acc)</b>" : acc)</td>"
            rows += "<td class=\"num\">\(r.macroF1.map { String(format: "%.3f", $0) } ?? "–")</td><td class=\"num\">\(r.testLoss.map { String(format: "%.4f", $0) } ?? "–")</td>"
            rows += "<td class=\"num\">\(r.epochs)</td><td class=\"num\">\(String(format: "%.1f s", r.trainSeconds))</td><td class=\"num\">\(RunTables.grouped(r.params))</td>"
            rows += "<td class=\"num\">\(r.samples["train"] ?? 0) / \(r.samples["validation"] ?? 0) / \(r.samples["test"] ?? 0)</td></tr>"
        }
        return """
        <section><h2>Models</h2><table class="summary"><thead><tr><th>model</th><th>test accuracy</th><th>macro-F1</th><th>test loss</th><th>epochs</th><th>training</th><th>parameters</th><th>train / val / test</th></tr></thead><tbody>\(rows)</tbody></table></section>
        """
    }

    static func modelSection(_ name: String, _ r: ModelResult, outputs o: RunOutputs) throws -> String {
        var s = "<section class=\"model\" id=\"model-\(anchor(name))\"><h2>\(SVGChart.escape(name))"
        if let a = r.testAccuracy { s += " <span class=\"score\">\(String(format: "%.2f", a * 100)) % test accuracy</span>" }
        s += "</h2>"
        let history = HistoryTable.read(o.historyPath(name))
        s += "<h3>Training curves</h3><div class=\"row\">"
        s += figure(SVGChart.lines(history.series("loss", "val_loss"), xLabel: "epoch", yLabel: "loss", title: "Loss"),
                    caption: "Mean loss over each epoch's training batches (with dropout and augmentation) and over the validation split after the epoch.")
        s += figure(SVGChart.lines(history.series("accuracy", "val_accuracy"), xLabel: "epoch", yLabel: "accuracy", title: "Accuracy", yRange: 0...1),
                    caption: "Accuracy on training batches during the epoch and on the validation split after it.")
        s += "</div>"
        if let c = r.confusion, let per = r.perClass {
            s += "<h3>Test set</h3><div class=\"row\">"
            s += figure(SVGChart.confusion(c, classes: r.classes), caption: "Confusion matrix of the \(r.samples["test"] ?? 0) test samples; colour is the share of the true class's row.")
            s += "<figure>" + perClassTable(per) + "<figcaption>Per-class precision, recall and F1 (macro-F1 \(r.macroF1.map { String(format: "%.3f", $0) } ?? "–")).</figcaption></figure>"
            s += "</div>"
        }
        let telemetry = TelemetryRecord.read(o.telemetryPath(name))
        if FileManager.default.fileExists(atPath: o.modelPath(name)) {
            s += try filterSection(o.modelPath(name))
        }
        if let t = telemetry, !t.activations.isEmpty { s += activationSection(t) }
        if let t = telemetry { s += try misclassifiedSection(o.misclassifiedPath(name), classes: r.classes, kind: t.inputKind) }
        return s + "</section>"
    }

    static func perClassTable(_ per: [ModelResult.ClassScore]) -> String {
        func bar(_ v: Double) -> String {
            "<td class=\"num\"><span class=\"bar\"><span style=\"width:\(String(format: "%.0f", v * 100))%\"></span></span>\(String(format: "%.3f", v))</td>"
        }
        let rows = per.map { "<tr><td>\(SVGChart.escape($0.name))</td>\(bar($0.precision))\(bar($0.recall))\(bar($0.f1))<td class=\"num\">\($0.support)</td></tr>" }
        return "<table class=\"perclass\"><thead><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr></thead><tbody>\(rows.joined())</tbody></table>"
    }

    /// The first convolution's filters beside the Sobel kernels gx and gy = gxᵀ.
    static func filterSection(_ modelPath: String) throws -> String {
        let file = try SafeTensors.read(modelPath)
        guard let name = file.names.first(where: { $0.hasSuffix(".weight") && (file.tensors[$0]?.rank ?? 0) >= 3 }),
              let w = file.tensors[name] else { return "" }
        let types = architectureTypes(file.metadata["architecture"])
        let index = Int(name.prefix { $0 != "." }) ?? 0
        let layer = index < types.count ? LayerNames.of(types: types)[index] : name
        let sobelX: [[Float]] = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
        let sobelY: [[Float]] = [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]
        let shape = w.shape.map(String.init).joined(separator: " × ")
        var s = "<h3>First-layer filters</h3><div class=\"row filters\">"
        let tap = w.rank == 4 && w.shape[2] <= 5 ? 10 : 6
        s += "<figure>\(try img(ModelPictures.filterGrid(w, pixelsPerTap: tap), alt: "filters of \(layer)"))<figcaption>The \(w.shape[0]) filters of <code>\(SVGChart.escape(layer))</code> (\(shape)) after training; mid gray is 0, white positive, black negative, each filter scaled to its own largest weight.</figcaption></figure>"
        s += "<figure><div class=\"kernels\"><div>\(try img(ModelPictures.kernel(sobelX, pixelsPerTap: tap * 5 / 3), alt: "Sobel gx"))<br>gx</div><div>\(try img(ModelPictures.kernel(sobelY, pixelsPerTap: tap * 5 / 3), alt: "Sobel gy"))<br>gy = gxᵀ</div></div><figcaption>The Sobel kernels drawn the same way: gx responds to vertical edges, its transpose gy to horizontal ones. Learned first-layer filters that look like these are edge detectors.</figcaption></figure>"
        return s + "</div>"
    }

    static func activationSection(_ t: TelemetryRecord) -> String {
        var s = "<h3>Activations</h3><div class=\"row\">"
        for layer in t.activations.map(\.layer).uniqued() {
            let all = t.activations.filter { $0.layer == layer }
            guard let last = all.last else { continue }
            // At most 8 ridges: the first, the last and evenly spaced ones between.
            let keep = all.count <= 8 ? Array(all.indices) : (0..<8).map { Int((Double($0) * Double(all.count - 1) / 7).rounded()) }
            let hs = keep.map { all[$0] }
            let chart = SVGChart.ridges(hs.map { (label: "epoch \($0.epoch)", lo: Double($0.lo), hi: Double($0.hi), counts: $0.counts) },
                                        xLabel: "activation of \(layer)")
            s += figure(chart, caption: "Histograms of <code>\(SVGChart.escape(layer))</code>'s non-zero outputs on fixed validation samples after \(hs.count < all.count ? "\(hs.count) of the \(all.count) logged epochs" : "each logged epoch") (first on top; each up to its 99.5th percentile). After epoch \(last.epoch): mean \(String(format: "%.3g", last.mean)), std \(String(format: "%.3g", last.std)), and \(String(format: "%.1f", last.zeros * 100)) % of the outputs exactly zero (units that did not fire).")
        }
        return s + "</div>"
    }

    static func misclassifiedSection(_ path: String, classes: [String], kind: SampleKind) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else { return "" }
        let arrays = Dictionary(try Npz.load(path), uniquingKeysWith: { a, _ in a })
        guard let inputs = arrays["inputs"]?.tensor(), let truth = arrays["true"]?.int64s(), let predicted = arrays["predicted"]?.int64s() else {
            throw PerceptError.badInput(file: path, "lacks inputs, true or predicted")
        }
        let index = arrays["index"]?.int64s() ?? []
        guard !truth.isEmpty else { return "<h3>Misclassified test samples</h3><p>None: every test sample was classified right.</p>" }
        var s = "<h3>Misclassified test samples</h3><div class=\"samples\">"
        for i in 0..<truth.count where i < inputs.shape[0] {
            let t = Int(truth[i]), p = Int(predicted[i])
            let tile = ModelPictures.tile(inputs.slice(i), kind: kind, minSide: 84)
            let label = "true \(t < classes.count ? classes[t] : String(t)) → predicted \(p < classes.count ? classes[p] : String(p))"
            let which = i < index.count ? " (test #\(index[i]))" : ""
            s += "<figure>\(try img(tile, alt: label))<figcaption>\(SVGChart.escape(label))<br><small>\(which)</small></figcaption></figure>"
        }
        return s + "</div><p class=\"note\">The model's inputs (after the feature chain\(kind == .image ? "" : kind == .vector ? "; each vector wrapped row by row into a block" : "; low frequencies at the bottom")), each scaled to its own range; the first \(truth.count) mistakes in test order.</p>"
    }

    static func environmentSection(_ e: RunEnvironment) -> String {
        var rows = [("Percept", e.perceptVersion), ("started", e.started), ("host", e.host), ("system", e.os), ("CPU", e.cpu),
                    ("cores / threads", "\(e.cores) / \(e.threads)"), ("network kernels", e.nnKernel)]
        rows += e.libraries.keys.sorted().map { ($0, e.libraries[$0]!) }
        let body = rows.map { "<tr><th>\(SVGChart.escape($0.0))</th><td>\(SVGChart.escape($0.1))</td></tr>" }.joined()
        return "<section><h2>Environment</h2><table class=\"env\">\(body)</table></section>"
    }

    // MARK: helpers

    static func figure(_ svg: String, caption: String) -> String { "<figure>\(svg)<figcaption>\(caption)</figcaption></figure>" }

    /// A picture as an inline PNG, drawn with sharp pixels when the browser enlarges it.
    static func img(_ t: Tensor, alt: String) throws -> String {
        let png = try ImageFile.encodePNG(t)
        return "<img class=\"px\" width=\"\(t.shape[2])\" height=\"\(t.shape[1])\" alt=\"\(SVGChart.escape(alt))\" src=\"data:image/png;base64,\(Data(png).base64EncodedString())\">"
    }

    static func anchor(_ name: String) -> String { String(name.map { $0.isLetter || $0.isNumber ? $0 : "-" }) }

    /// Layer types from a checkpoint's architecture metadata.
    static func architectureTypes(_ json: String?) -> [String] {
        guard let json, let obj = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let layers = obj["layers"] as? [[String: Any]] else { return [] }
        return layers.compactMap { $0["type"] as? String }
    }

    /// Models in the order the pipeline file lists them (metrics.json sorts them by name).
    static func modelOrder(_ pipeline: String, names: [String]) -> [String] {
        let positions = names.map { n in (n, pipeline.range(of: "\n  \(n):")?.lowerBound) }
        return positions.sorted { a, b in
            switch (a.1, b.1) {
            case let (x?, y?): return x < y
            case (nil, nil): return a.0 < b.0
            case (nil, _): return false
            case (_, nil): return true
            }
        }.map(\.0)
    }

    static let style = """
    body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;color:#222;margin:0 auto;max-width:1100px;padding:0 24px 40px;line-height:1.4}
    header{border-bottom:2px solid #1f77b4;margin-bottom:8px}h1{margin:18px 0 4px;font-size:26px}.meta{color:#555;margin:0 0 10px}
    h2{font-size:20px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px;color:#333}
    .score{font-size:15px;font-weight:normal;color:#1f77b4;margin-left:8px}
    .row{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}figure{margin:0;max-width:520px}
    figcaption{font-size:12px;color:#555;margin-top:4px;max-width:480px}
    table{border-collapse:collapse;font-size:13px}th,td{padding:4px 10px;border-bottom:1px solid #e4e4e4;text-align:left}
    td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}thead th{border-bottom:2px solid #999}
    .bar{display:inline-block;width:60px;height:8px;background:#eee;margin-right:6px;vertical-align:middle}.bar span{display:block;height:8px;background:#1f77b4}
    img.px{image-rendering:pixelated;image-rendering:crisp-edges;border:1px solid #ccc}
    .samples{display:flex;flex-wrap:wrap;gap:10px}.samples figure{text-align:center;font-size:12px}.samples figcaption{font-size:12px;color:#b00;margin:2px auto 0}
    .kernels{display:flex;gap:16px;text-align:center;font-size:12px}pre{background:#f6f6f6;padding:10px;font-size:12px;overflow-x:auto;border:1px solid #e4e4e4}
    .note{font-size:12px;color:#555}.env th{width:160px;color:#555;font-weight:normal}footer{margin-top:30px;font-size:12px;color:#777}
    """
}

/// history.csv as columns, for the curves.
struct HistoryTable {
    var columns: [String: [Double?]] = [:]
    var epochs: [Double] = []

    /// The columns of a history.csv (none when the file is missing or unreadable: the charts say "no data").
    static func read(_ path: String) -> HistoryTable {
        var t = HistoryTable()
        guard let csv = try? CSV.read(path) else { return t }
        for row in csv.rows {
            for (i, key) in csv.header.enumerated() { t.columns[key, default: []].append(i < row.count ? Double(row[i]) : nil) }
        }
        t.epochs = (t.columns["epoch"] ?? []).map { $0 ?? 0 }
        return t
    }

    /// The training column and its validation twin as two series.
    func series(_ train: String, _ validation: String) -> [SVGChart.Series] {
        func points(_ key: String) -> [(x: Double, y: Double)] {
            zip(epochs, columns[key] ?? []).compactMap { e, v in v.map { (x: e, y: $0) } }
        }
        var s = [SVGChart.Series(name: "training", colour: SVGChart.blue, points: points(train))]
        let v = points(validation)
        if !v.isEmpty { s.append(SVGChart.Series(name: "validation", colour: SVGChart.orange, points: v)) }
        return s
    }
}

extension Array where Element: Hashable {
    /// The elements in order, each once.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
