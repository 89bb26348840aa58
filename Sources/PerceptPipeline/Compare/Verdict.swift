import Foundation

/// The comparison's answer in words, generated from its numbers only: which kind of features
/// wins on the full data and by how much (with the interval of the difference), at what cost,
/// where the learning curve says the other kind wins, which feature space probes best, and
/// which contender a perturbation hurts least.
///
///     Verdict.sentences(record)   // ["On this data the best learned contender, cnn (99.1 %), beats ...", ...]
enum Verdict {
    static func sentences(_ r: CompareRecord) -> [String] {
        var out: [String] = []
        let n = Double(Swift.max(r.samples["test"] ?? 0, 1))
        let learned = r.rows.filter(\.learned), engineered = r.rows.filter { !$0.learned }
        func p(_ v: Double) -> String { String(format: "%.1f %%", v * 100) }
        if let l = learned.max(by: { $0.testAccuracy < $1.testAccuracy }), let h = engineered.max(by: { $0.testAccuracy < $1.testAccuracy }) {
            let diff = l.testAccuracy - h.testAccuracy
            // The two models are tested on the same samples; treating them as independent makes
            // this interval wider than a paired one, so "beats" is said only when it is clear.
            let ci = 1.96 * (l.testAccuracy * (1 - l.testAccuracy) / n + h.testAccuracy * (1 - h.testAccuracy) / n).squareRoot()
            let (win, lose) = diff >= 0 ? (l, h) : (h, l)
            let winKind = win.learned ? "learned" : "hand-engineered", loseKind = lose.learned ? "learned" : "hand-engineered"
            let cost = costPhrase(win.trainSeconds + win.featureSeconds, lose.trainSeconds + lose.featureSeconds)
            if abs(diff) <= ci {
                out.append("On this data the best learned contender, \(l.contender) (\(p(l.testAccuracy))), and the best hand-engineered one, \(h.contender) (\(p(h.testAccuracy))), are level: \(String(format: "%.1f", abs(diff) * 100)) points apart, within the ± \(String(format: "%.1f", ci * 100)) of the difference.")
            } else {
                out.append("On this data the best \(winKind) contender, \(win.contender) (\(p(win.testAccuracy))), beats the best \(loseKind) one, \(lose.contender) (\(p(lose.testAccuracy))), by \(String(format: "%.1f", abs(diff) * 100)) points (± \(String(format: "%.1f", ci * 100))) \(cost).")
            }
            out += curveSentences(r, learned: Set(learned.map(\.contender)), fullWinnerLearned: diff >= 0)
        } else if let best = r.rows.first {
            out.append("\(best.contender) has the best test accuracy, \(p(best.testAccuracy)) (± \(String(format: "%.1f", best.ci95 * 100))); every contender here is \(learned.isEmpty ? "hand-engineered" : "learned"), so the file answers no learned-against-hand-engineered question.")
        }
        // Feature quality apart from classifier capacity: the best linear probe of any space.
        var probes = r.rows.map { (space: "\($0.features) features", acc: $0.inputProbe.linearAccuracy) }
        probes += r.rows.compactMap { row in row.learnedProbe.map { (space: "\(row.contender)'s learned features", acc: $0.linearAccuracy) } }
        var seen = Set<String>()
        probes = probes.filter { seen.insert($0.space).inserted }.sorted { $0.acc > $1.acc }
        if probes.count >= 2 {
            out.append("Under the same linear probe, \(probes[0].space) score best (\(p(probes[0].acc))), ahead of \(probes[1].space) (\(p(probes[1].acc))).")
        }
        for name in r.perturbations {
            let drops = r.rows.compactMap { row in row.robustness[name].map { (row.contender, row.testAccuracy - $0) } }.sorted { $0.1 < $1.1 }
            guard let best = drops.first, let worst = drops.last, drops.count >= 2 else { continue }
            out.append("Under \(name), \(best.0) loses least (\(points(best.1))) and \(worst.0) most (\(points(worst.1))).")
        }
        return out
    }

    /// "at 12× the cost" / "in a third of the time": training plus feature extraction.
    static func costPhrase(_ winner: Double, _ loser: Double) -> String {
        guard loser > 0, winner > 0 else { return "" }
        let ratio = winner / loser
        if ratio >= 1.5 { return "at \(ratio >= 10 ? String(format: "%.0f", ratio) : String(format: "%.1f", ratio))× its time to extract and train" }
        if ratio <= 1 / 1.5 { return "in \(String(format: "%.0f", ratio * 100)) % of its time to extract and train" }
        return "in about the same time to extract and train"
    }

    static func points(_ drop: Double) -> String {
        drop >= 0 ? String(format: "%.1f points", drop * 100) : String(format: "gains %.1f points", -drop * 100)
    }

    /// Where the curve's winner differs from the full data's: "with 20 samples per class hog_linear is better".
    static func curveSentences(_ r: CompareRecord, learned: Set<String>, fullWinnerLearned: Bool) -> [String] {
        var out: [String] = []
        let sizes = Set(r.curve.compactMap(\.perClass)).sorted()
        var flips: [String] = []
        for size in sizes {
            let pts = r.curve.filter { $0.perClass == size }
            guard let l = pts.filter({ learned.contains($0.contender) }).max(by: { $0.accuracy < $1.accuracy }),
                  let h = pts.filter({ !learned.contains($0.contender) }).max(by: { $0.accuracy < $1.accuracy }) else { continue }
            let learnedWins = l.accuracy > h.accuracy
            if learnedWins != fullWinnerLearned {
                let (w, o) = learnedWins ? (l, h) : (h, l)
                flips.append("with \(size) samples per class \(w.contender) is better (\(String(format: "%.1f %%", w.accuracy * 100)) against \(o.contender)'s \(String(format: "%.1f %%", o.accuracy * 100)))")
            }
        }
        if !flips.isEmpty {
            let text = flips.joined(separator: "; ")
            out.append(text.prefix(1).uppercased() + text.dropFirst() + ".")
        } else if !sizes.isEmpty {
            out.append("The same kind wins at every point of the learning curve (\(sizes.map(String.init).joined(separator: ", ")) samples per class and all).")
        }
        return out
    }
}
