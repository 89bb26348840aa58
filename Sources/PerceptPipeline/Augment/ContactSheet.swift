import Foundation
import PerceptAudio
import PerceptAugment
import PerceptCore
import PerceptPlot

/// A labelled grid of an original and its variants, for people checking what a chain does:
/// images as they are (small ones enlarged), audio as log-power spectrograms (magma, low
/// frequencies at the bottom, one dB scale for the whole sheet), and what transforms make —
/// spectrograms, feature vectors — scaled to their own range. Tiles are captioned "original" and
/// "variant k", each variant with the stages it went through.
///
///     let sheet = try ContactSheet.make([original, variant], stages: [[], ["rotate angle=-7.3"]], name: "a.png")
public enum ContactSheet {
    /// Most variants one sheet shows (the first ones; the heading says how many there are), so a
    /// sheet's size and the tiles a run holds do not grow with `--copies`.
    public static let maxVariants = 15

    /// `samples[0]` is the original; `stages[i]` lists what was applied to `samples[i]`; `name`
    /// (the input file's) heads the sheet.
    public static func make(_ samples: [Sample], stages: [[String]] = [], name: String? = nil) throws -> Tensor {
        guard let first = samples.first else { throw PerceptError.invalidArgument(field: "samples", "a contact sheet needs at least the original") }
        let top = first.kind == .audio ? try spectrogram(first, top: nil).1 : nil
        let variants = try samples.dropFirst().map { try picture($0, top: top) }
        return try assemble(original: try picture(first, top: top), originalKind: first.kind, variants: variants,
                            variantKind: samples.count > 1 ? samples[1].kind : first.kind,
                            stages: Array(stages.dropFirst()), total: variants.count, name: name)
    }

    /// A sample's tile: audio as a spectrogram on the dB scale ending at `top` (nil: its own
    /// maximum), anything else as `tile` draws it.
    static func picture(_ s: Sample, top: Float?) throws -> Tensor {
        s.kind == .audio ? try spectrogram(s, top: top).0 : tile(s)
    }

    /// The sheet of an original's tile and its first variants' tiles (`stages[k]` captions
    /// variant k + 1), of `total` variants in all.
    static func assemble(original: Tensor, originalKind: SampleKind, variants: [Tensor], variantKind: SampleKind,
                         stages: [[String]], total: Int, name: String?) throws -> Tensor {
        let tiles = [Tile(original, caption: "original", notes: [])] + variants.enumerated().map { k, image in
            Tile(image, caption: "variant \(k + 1)", notes: k < stages.count ? stages[k] : [])
        }
        var heading = name
        if originalKind == .audio {
            let how = variants.isEmpty || variantKind == .audio ? "spectrograms in dB (80 dB range, low frequencies at the bottom)"
                : "the original as a spectrogram in dB, the variants as the chain made them (each over its own range)"
            heading = name.map { "\($0): \(how)" } ?? how
        }
        if total > variants.count {
            let shown = "variants 1–\(variants.count) of \(total) shown"
            heading = heading.map { "\($0) (\(shown))" } ?? shown
        }
        // Up to five tiles in one row; more in rows of four.
        return try PanelGrid.render(tiles, columns: tiles.count <= 5 ? tiles.count : 4, title: heading)
    }

    /// [3, F, T] magma picture of the power spectrogram in dB, 80 dB below `top` (default: its own max).
    static func spectrogram(_ s: Sample, top: Float?) throws -> (Tensor, Float) {
        let c = s.data.shape[0], n = s.data.shape[1]
        var mono = [Float](repeating: 0, count: n)
        for ch in 0..<c { for i in 0..<n { mono[i] += s.data.storage[ch * n + i] / Float(c) } }
        if mono.count < 512 { mono += [Float](repeating: 0, count: 512 - mono.count) }
        // About 300 frames whatever the length, so a one-second clip is as wide as it is high.
        let hop = Swift.max(32, mono.count / 300)
        let power = try STFT(nFFT: 512, hopLength: hop).spectrogram(mono)
        let f = power.shape[0], t = power.shape[1]
        var db = power.storage.map { 10 * Foundation.log10(Swift.max($0, 1e-10)) }
        let hi = top ?? (db.max() ?? 0)
        var flipped = db
        for k in 0..<f { for j in 0..<t { flipped[(f - 1 - k) * t + j] = db[k * t + j] } }
        db = flipped
        return (Colormap.magma.image(db, rows: f, cols: t, lo: hi - 80, hi: hi), hi)
    }

    /// A tile for a sample that is not audio: an image as it is; a spectrogram's first channel in
    /// magma with low rows at the bottom, or a vector as a strip, min to max.
    static func tile(_ s: Sample) -> Tensor {
        switch s.kind {
        case .image: return normalised(s.data)
        case .audio: return (try? spectrogram(s, top: nil).0) ?? Tensor(shape: [1, 1, 1])
        case .spectrogram:
            let f = s.data.shape[1], t = s.data.shape[2]
            let plane = Array(s.data.storage[0..<(f * t)])
            var flipped = plane
            for k in 0..<f { for j in 0..<t { flipped[(f - 1 - k) * t + j] = plane[k * t + j] } }
            return Colormap.magma.image(flipped, rows: f, cols: t, lo: plane.min() ?? 0, hi: plane.max() ?? 1)
        case .vector:
            // As high as a tile, so the grid does not enlarge a long vector's width.
            let v = s.data.storage, height = PanelGrid.minTileHeight
            let strip = Array((0..<height).map { _ in v }.joined())
            return Colormap.viridis.image(strip, rows: height, cols: v.count, lo: v.min() ?? 0, hi: v.max() ?? 1)
        }
    }

    /// Drops alpha / keeps 1 or 3 channels, clipped to [0, 1].
    static func normalised(_ t: Tensor) -> Tensor {
        let c = t.shape[0], h = t.shape[1], w = t.shape[2]
        let keep = c >= 3 ? 3 : 1
        return Tensor(unchecked: [keep, h, w], data: t.storage[0..<(keep * h * w)].map { Swift.min(1, Swift.max(0, $0)) })
    }

    /// One line per applied stage of a variant's drawn parameters (the replay log's records):
    /// `rotate angle=-7.31`, `random_erasing box.left=165 box.top=216 …`; RNG seeds are left out.
    ///
    ///     let lines = ContactSheet.describe(try chain.draw(for: shape, seed: 1, epoch: 0, index: 0))
    public static func describe(_ draws: [StageDraw]) -> [String] {
        let lines: [String] = draws.compactMap { d in
            guard d.applied else { return nil }
            guard let record = try? JSONDecoder().decode(Record.self, from: Data(d.json.utf8)), let params = record.params else { return d.stage }
            let fields = params.flattened(prefix: "").filter { !$0.0.hasSuffix("seed") }
            return ([d.stage] + fields.map { "\($0.0)=\($0.1)" }).joined(separator: " ")
        }
        return lines.isEmpty ? ["no random stage applied"] : lines
    }

    /// A draw record as JSON values (the stages' `Params` types differ; only their text is shown).
    struct Record: Decodable { let params: JSONValue? }

    indirect enum JSONValue: Decodable {
        case bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue]), null

        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) } else if let d = try? c.decode(Double.self) {
                self = .number(d)
            } else if let s = try? c.decode(String.self) { self = .string(s) } else if let a = try? c.decode([JSONValue].self) {
                self = .array(a)
            } else { self = .object(try c.decode([String: JSONValue].self)) }
        }

        /// Leaves as (dotted path, short text), keys sorted.
        func flattened(prefix: String) -> [(String, String)] {
            switch self {
            case let .object(d):
                return d.keys.sorted().flatMap { k in d[k]?.flattened(prefix: prefix.isEmpty ? k : "\(prefix).\(k)") ?? [] }
            case let .array(a):
                let items = a.prefix(4).map { $0.flattened(prefix: "").map(\.1).joined(separator: ",") }
                return [(prefix, "[" + items.joined(separator: ", ") + (a.count > 4 ? ", … \(a.count) values]" : "]"))]
            default: return [(prefix, text)]
            }
        }

        var text: String {
            switch self {
            case let .bool(b): return b ? "true" : "false"
            case let .number(d): return d == d.rounded() && abs(d) < 1e9 ? String(Int(d)) : String(format: "%.3g", d)
            case let .string(s): return s
            case .null: return "null"
            case .array, .object: return flattened(prefix: "").map { "\($0.0)=\($0.1)" }.joined(separator: " ")
            }
        }
    }
}
