import Foundation
import PerceptCore

/// Seeded, stratified choices over item indices: the per-class cap and the train / validation /
/// test splits. Every draw comes from a stream keyed by class or by purpose, so the result
/// depends only on the seed and the items (in their listed order), never on thread count.
enum DataSplitter {
    /// The indices kept when each class holds at most `max` items (a seeded choice per class),
    /// in their original order.
    static func cap(labels: [Int], max: Int, rng: RandomStream) -> [Int] {
        var byClass: [Int: [Int]] = [:]
        for (i, l) in labels.enumerated() { byClass[l, default: []].append(i) }
        var keep: [Int] = []
        for (label, idx) in byClass {
            if idx.count <= max { keep += idx; continue }
            var r = rng.split(label)
            keep += r.permutation(idx.count).prefix(max).map { idx[$0] }
        }
        return keep.sorted()
    }

    /// How many of `n` items a split of `fraction` takes: max(1, round(fraction · n)), 0 when not requested.
    static func share(_ fraction: Double?, of n: Int) -> Int {
        guard let f = fraction else { return 0 }
        return Swift.max(1, Int((f * Double(n)).rounded()))
    }

    /// Each class gives `share(validation)` and `share(test)` of its items (a seeded choice per class).
    static func stratified(labels: [Int], validation: Double?, test: Double?, rng: RandomStream) -> [DataPart] {
        var parts = [DataPart](repeating: .train, count: labels.count)
        var byClass: [Int: [Int]] = [:]
        for (i, l) in labels.enumerated() { byClass[l, default: []].append(i) }
        for (label, idx) in byClass {
            let nt = share(test, of: idx.count), nv = share(validation, of: idx.count)
            var r = rng.split(label)
            for (k, j) in r.permutation(idx.count).enumerated() {
                parts[idx[j]] = k < nt ? .test : (k < nt + nv ? .validation : .train)
            }
        }
        return parts
    }

    /// Whole groups go to one split: groups are taken in a seeded order, each joining test, then
    /// validation, while that brings the split closer to its share of the items; a requested
    /// split that got no group takes the first training group.
    static func grouped(groups: [String], validation: Double?, test: Double?, rng: RandomStream) -> [DataPart] {
        var sizes: [String: Int] = [:]
        for g in groups { sizes[g, default: 0] += 1 }
        let names = sizes.keys.sorted()
        var r = rng
        let order = r.permutation(names.count).map { names[$0] }
        var partOf: [String: DataPart] = [:]
        var filled = [0, 0, 0]
        let targets = [0, share(validation, of: groups.count), share(test, of: groups.count)]
        for g in order {
            let size = sizes[g]!
            var part = DataPart.train
            for p in [DataPart.test, .validation] where targets[p.rawValue] > 0 {
                let t = targets[p.rawValue], have = filled[p.rawValue]
                if abs(have + size - t) < abs(have - t) { part = p; break }
            }
            partOf[g] = part
            filled[part.rawValue] += size
        }
        for p in [DataPart.test, .validation] where targets[p.rawValue] > 0 && filled[p.rawValue] == 0 {
            let training = order.filter { partOf[$0] == .train }
            guard training.count > 1, let g = training.first else { continue }
            partOf[g] = p
        }
        return groups.map { partOf[$0]! }
    }
}
