import Foundation
import PerceptAugment
import PerceptCore
import PerceptIO
import PerceptPlot

/// One entry of a pipeline file's `exports`: the features of a few samples written as arrays
/// and as pictures, to look at what a chain does (the lectures' Sobel exercise: digits next to
/// their x and y derivatives). Random stages are skipped.
///
///     exports: {sobel: {data: digits, features: sobel, split: test, count: 8}}
public struct ExportSpec: Sendable {
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("data", .string, doc: "the data set (a name under `data`)"),
        ParameterSpec("features", .string, doc: "the feature chain (a name under `features`; none: the decoded input)"),
        ParameterSpec("split", .choice, default: "test", choices: ["train", "validation", "test"], doc: "which split's samples"),
        ParameterSpec("count", .int, default: 8, doc: "how many samples (the split's first ones)"),
        ParameterSpec("scale", .int, default: 0, doc: "enlarge pictures by this factor (0: so each tile is at least 112 pixels high)"),
    ]

    public let name: String
    public let path: String
    public let data: String
    public let features: String
    public let split: String
    public let count: Int
    public let scale: Int

    static func parse(_ value: Value, name: String, dataNames: [String], featureNames: [String], diagnostics d: Diagnostics) -> ExportSpec? {
        let path = "exports.\(name)"
        let before = d.errors.count
        guard let p = PipelineSpec.mapping(value, specs: parameters, owner: "export", path: path, expected: "data, features, split and count",
                                           diagnostics: d) else { return nil }
        let data = p.optionalString("data") ?? ""
        if data.isEmpty { d.record(p.invalid("data", "is required: the data set to export from")) } else if !dataNames.contains(data) {
            d.record(p.invalid("data", "no data set named '\(data)'\(didYouMean(data, in: dataNames))"))
        }
        let features = p.optionalString("features") ?? ""
        if !features.isEmpty, !featureNames.contains(features) {
            d.record(p.invalid("features", "no feature chain named '\(features)'\(didYouMean(features, in: featureNames))"))
        }
        let count = d.check { try p.int("count", atLeast: 1) }
        let scale = d.check { try p.int("scale", atLeast: 0) }
        let split = (try? p.string("split")) ?? "test"
        guard d.errors.count == before, let count, let scale else { return nil }
        return ExportSpec(name: name, path: path, data: data, features: features, split: split, count: count, scale: scale)
    }
}

/// Writes an export: `exports/<name>/NNNN_<class>.npy` (the chain's output) and `.png` (the
/// input beside each output channel), and `sheet.png` with one row per sample, rows labelled with
/// the class and columns with the channel names; small inputs enlarged by nearest neighbour.
enum FeatureExport {
    static func write(_ e: ExportSpec, dataset: Dataset, feature: FeatureSpec?, seed: UInt64, to dir: String) throws -> Int {
        let items: [DataItem]
        switch e.split {
        case "train": items = dataset.train
        case "validation": items = dataset.validation
        default: items = dataset.test
        }
        guard !items.isEmpty else {
            throw PerceptError.invalidArgument(field: "\(e.path).split", "data set '\(dataset.spec.name)' has no \(e.split) samples")
        }
        let chain = feature?.chain ?? AugmentationChain([])
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var rows: [[Tensor]] = [], labels: [String] = [], columns: [String] = []
        for (i, item) in items.prefix(e.count).enumerated() {
            let input = try dataset.sample(item)
            let out = try chain.apply(0..<chain.steps.count, to: input, randomStages: false, seed: seed, epoch: 0, index: i)
            let stem = String(format: "%04d_", i) + dataset.classes[item.label]
            try Npy.save(out.data, to: "\(dir)/\(stem).npy")
            let tiles = [ContactSheet.tile(input)] + channelTiles(out)
            let label = String(format: "%04d", i) + ": class " + dataset.classes[item.label]
            columns = ["input"] + channelNames(chain, count: tiles.count - 1)
            let minHeight = e.scale > 0 ? tiles[0].shape[1] * e.scale : PanelGrid.minTileHeight
            try ImageFile.write(PanelGrid.table([tiles], rowLabels: [label], columnLabels: columns, minTileHeight: minHeight), to: "\(dir)/\(stem).png")
            rows.append(tiles)
            labels.append(label)
        }
        let minHeight = e.scale > 0 ? (rows.first?.first?.shape[1] ?? 1) * e.scale : PanelGrid.minTileHeight
        let title = "export \(e.name): \(e.split) split" + (e.features.isEmpty ? "" : ", features '\(e.features)'")
        try ImageFile.write(PanelGrid.table(rows, rowLabels: labels, columnLabels: columns, title: title, minTileHeight: minHeight),
                            to: "\(dir)/sheet.png")
        return rows.count
    }

    /// Column headings for the output's channels, named after the chain's last stage
    /// (`sobel` in xy mode: gx and gy).
    static func channelNames(_ chain: AugmentationChain, count: Int) -> [String] {
        let last = chain.steps.last?.name ?? "output"
        if last == "sobel", count == 2 { return ["gx (Sobel kernel)", "gy (transposed)"] }
        return count == 1 ? [last] : (0..<count).map { "\(last) channel \($0)" }
    }

    /// One gray tile per channel of an image-like output; signed values (derivatives) put zero
    /// at mid gray, so positive and negative edges show as light and dark.
    static func channelTiles(_ s: Sample) -> [Tensor] {
        guard s.kind == .image || s.kind == .spectrogram, s.data.rank == 3 else { return [ContactSheet.tile(s)] }
        let c = s.data.shape[0], h = s.data.shape[1], w = s.data.shape[2], n = h * w
        return (0..<c).map { ch in
            let plane = Tensor(unchecked: [h, w], data: Array(s.data.storage[(ch * n)..<((ch + 1) * n)]))
            var tile = plane.min < 0 ? PictureTiles.signed(plane) : PictureTiles.unit(plane)
            if s.kind == .spectrogram {   // low frequencies at the bottom
                var flipped = tile.storage
                for k in 0..<h { for j in 0..<w { flipped[(h - 1 - k) * w + j] = tile.storage[k * w + j] } }
                tile = Tensor(unchecked: [1, h, w], data: flipped)
            }
            return tile
        }
    }
}
