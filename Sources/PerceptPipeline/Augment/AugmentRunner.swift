import Foundation
import PerceptAugment
import PerceptCore
import PerceptIO

/// `percept augment`: N variants of each PNG or WAV input plus a contact sheet per input
/// (variants a transform turned into spectrograms or vectors are written as .npy).
/// Variant k of input i is the chain applied as sample i of epoch k, so the files depend only
/// on the seed, the inputs' order and the chain. Inputs, options and shapes are all read and
/// checked before the first file is written: a bad input or option leaves the output folder
/// untouched. Variants are then written as they are made, so memory does not grow with
/// `copies`: what stays is the inputs, the contact sheets' first `ContactSheet.maxVariants`
/// tiles of the inputs in progress, and, with `log`, each variant's draw records.
///
///     let r = try AugmentRunner(chain: AugmentConfig.load("aug.yaml"), copies: 4, seed: 0)
///     let written = try r.run(inputs: ["a.png"], outputDir: "out")
public struct AugmentRunner: Sendable {
    public let chain: AugmentationChain
    public let copies: Int
    public let seed: UInt64
    /// Most variants per input (docs/augment.md, Bounds).
    public static let maxCopies = 10_000

    public init(chain: AugmentationChain, copies: Int, seed: UInt64) throws {
        guard copies >= 1 else { throw PerceptError.invalidArgument(field: "--copies", "must be ≥ 1, got \(copies)") }
        guard copies <= AugmentRunner.maxCopies else {
            throw PerceptError.invalidArgument(field: "--copies", "at most \(AugmentRunner.maxCopies), got \(copies)")
        }
        for step in chain.steps {
            if case .batch = step {
                throw PerceptError.invalidArgument(field: step.name, "is a batch stage (it needs labels); percept augment transforms files one by one")
            }
        }
        self.chain = chain; self.copies = copies; self.seed = seed
    }

    /// Input files: files as given, directories expanded to their PNG and WAV files (sorted).
    public static func expand(_ inputs: [String]) throws -> [String] {
        var out = [String]()
        for path in inputs {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
                throw PerceptError.badInput(file: path, "no such file or directory")
            }
            if isDir.boolValue {
                let found = try DirectoryTree.files(under: path, extensions: ["png", "wav"])
                guard !found.isEmpty else { throw PerceptError.badInput(file: path, "no PNG or WAV files in this directory") }
                out += found.map { (path as NSString).appendingPathComponent($0) }
            } else {
                guard ["png", "wav"].contains(URL(fileURLWithPath: path).pathExtension.lowercased()) else {
                    throw PerceptError.badInput(file: path, "unsupported format (percept augment reads .png and .wav)")
                }
                out.append(path)
            }
        }
        return out
    }

    struct Loaded { var sample: Sample; var bitDepth: Int }

    static func load(_ path: String) throws -> Loaded {
        if URL(fileURLWithPath: path).pathExtension.lowercased() == "wav" {
            let a = try AudioFile.read(path)
            return Loaded(sample: try Sample(audio: a.samples, sampleRate: a.sampleRate), bitDepth: 0)
        }
        let img = try ImageFile.read(path)
        // Alpha is dropped: stages work on gray or RGB.
        let c = img.channels, keep = c >= 3 ? 3 : 1, plane = img.height * img.width
        let pixels = keep == c ? img.pixels : Tensor(unchecked: [keep, img.height, img.width], data: Array(img.pixels.storage[0..<(keep * plane)]))
        return Loaded(sample: try Sample(image: pixels), bitDepth: img.bitDepth)
    }

    /// What one run produced.
    public struct Output: Sendable {
        public var files: [String] = []
        /// A line for stderr when temporary files of an earlier, killed run were removed.
        public var note: String?
    }

    /// Reads and checks everything, then augments, writing `DIR/<stem>_<k>.<ext>` (k = 1…N) as
    /// each variant is made, `DIR/<stem>_sheet.png` once its tiles are made and, when `log` is
    /// given, the drawn parameters as JSON. Should a variant fail after others were written (the
    /// checks make that unlikely), the files this run created are removed again.
    public func run(inputs: [String], outputDir: String, log: String? = nil) throws -> Output {
        let files = try AugmentRunner.expand(inputs)
        var stems = [String: String]()
        for f in files {
            let stem = (URL(fileURLWithPath: f).lastPathComponent as NSString).deletingPathExtension
            if let other = stems[stem] { throw PerceptError.badInput(file: f, "has the same name as \(other); their outputs would collide") }
            stems[stem] = f
        }
        let loaded = try files.map { try AugmentRunner.load($0) }
        var kinds = [SampleKind]()
        for (f, l) in zip(files, loaded) {
            do { kinds.append(try chain.outputShape(for: l.sample.shape).kind) } catch let e as PerceptError {
                // Name the stage and field, and the file whose shape broke it.
                throw PerceptError.invalidArgument(field: e.field ?? "chain", "\(e.message) (input \(f))")
            }
        }
        // Audio tiles share the original's dB scale: its top, computed once per input.
        let tops = try loaded.map { $0.sample.kind == .audio ? try ContactSheet.spectrogram($0.sample, top: nil).1 : nil }
        let bases = files.map { (outputDir as NSString).appendingPathComponent((URL(fileURLWithPath: $0).lastPathComponent as NSString).deletingPathExtension) }

        let createdDir = !FileManager.default.fileExists(atPath: outputDir)
        try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
        let leftovers = TemporaryFiles.note(removed: TemporaryFiles.removeLeftovers(in: [outputDir]), in: outputDir)
        let progress = Streamed(inputs: files.count, copies: copies, logging: log != nil)
        // Job j = (input j / copies, copy j % copies), handed out in order: the inputs in progress
        // are about as many as the workers, and so are the sheets' tiles held.
        Parallel.forEachDynamic(count: files.count * copies, state: { () }) { _, j in
            let i = j / copies, k = j % copies
            guard !progress.failed else { return }
            do {
                let variant = try chain.apply(to: loaded[i].sample, seed: seed, epoch: k, index: i)
                let path = "\(bases[i])_\(k + 1).\(AugmentRunner.fileExtension(variant.kind))"
                let existed = FileManager.default.fileExists(atPath: path)
                try AugmentRunner.write(variant, to: path, bitDepth: loaded[i].bitDepth)
                progress.wrote(j, path, existed: existed)
                let draws = try chain.draw(for: loaded[i].sample.shape, seed: seed, epoch: k, index: i)
                if log != nil { progress.logged(j, try JSONEncoder().encode(draws)) }
                if k < progress.shown {
                    let tile = try ContactSheet.picture(variant, top: tops[i])
                    if let tiles = progress.tile(i, k, tile, notes: ContactSheet.describe(draws)) {
                        let sheet = "\(bases[i])_sheet.png"
                        let existed = FileManager.default.fileExists(atPath: sheet)
                        let original = try ContactSheet.picture(loaded[i].sample, top: tops[i])
                        let image = try ContactSheet.assemble(original: original, originalKind: loaded[i].sample.kind, variants: tiles.images,
                                                              variantKind: kinds[i], stages: tiles.notes, total: copies,
                                                              name: URL(fileURLWithPath: files[i]).lastPathComponent)
                        try ImageFile.write(image, to: sheet)
                        progress.wroteSheet(i, sheet, existed: existed)
                    }
                }
            } catch { progress.fail(j, error) }
        }
        if let error = progress.error {
            progress.removeCreated()
            if createdDir { rmdir(outputDir) }   // only when empty: nothing of anyone else's goes
            throw error
        }
        var output = Output(files: progress.orderedFiles(), note: leftovers)
        if let log {
            // The same records, in the same order and layout, as when every variant was kept.
            var draws = [[String: Any]]()
            for j in 0..<(files.count * copies) {
                guard let data = progress.log(j) else { continue }
                draws.append(["input": files[j / copies], "copy": j % copies + 1, "stages": try JSONSerialization.jsonObject(with: data)])
            }
            let data = try JSONSerialization.data(withJSONObject: draws, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: log), options: .atomic)
            output.files.append(log)
        }
        return output
    }

    /// The file extension of a variant: PNG for images, WAV for audio, .npy for what a transform made.
    static func fileExtension(_ kind: SampleKind) -> String {
        switch kind {
        case .audio: return "wav"
        case .image: return "png"
        case .spectrogram, .vector: return "npy"
        }
    }

    /// Writes one variant: float WAV, PNG at the input's bit depth, or .npy for data (a log-mel, a
    /// HOG vector), which is not a picture.
    static func write(_ v: Sample, to path: String, bitDepth: Int) throws {
        switch v.kind {
        case .audio: try AudioFile.write(v.data, sampleRate: v.sampleRate, to: path, format: .wavFloat)
        case .image: try ImageFile.write(ContactSheet.normalised(v.data), to: path, bitDepth: bitDepth == 16 ? 16 : 8)
        case .spectrogram, .vector: try Npy.save(v.data, to: path)
        }
    }
}

/// What a streaming run has written and what it still holds, shared by the workers under a lock:
/// the paths written, the contact-sheet tiles of inputs whose sheet is not made yet, the log
/// records, and the first failure.
private final class Streamed: @unchecked Sendable {
    /// Variants per sheet: the first `ContactSheet.maxVariants` copies.
    let shown: Int
    private let copies: Int
    private let lock = NSLock()
    private var paths: [String?], sheets: [String?]
    private var created = [String]()
    private var records: [Data?]
    private var pending = [Int: (images: [Tensor?], notes: [[String]], left: Int)]()
    private var firstFailure: (index: Int, error: Error)?

    init(inputs: Int, copies: Int, logging: Bool) {
        self.copies = copies
        shown = Swift.min(copies, ContactSheet.maxVariants)
        paths = [String?](repeating: nil, count: inputs * copies)
        sheets = [String?](repeating: nil, count: inputs)
        records = logging ? [Data?](repeating: nil, count: inputs * copies) : []
    }

    private func locked<T>(_ body: () -> T) -> T { lock.lock(); defer { lock.unlock() }; return body() }

    var failed: Bool { locked { firstFailure != nil } }
    var error: Error? { locked { firstFailure?.error } }

    func fail(_ j: Int, _ e: Error) {
        locked { if firstFailure.map({ j < $0.index }) ?? true { firstFailure = (j, e) } }
    }

    func wrote(_ j: Int, _ path: String, existed: Bool) {
        locked { paths[j] = path; if !existed { created.append(path) } }
    }

    func wroteSheet(_ i: Int, _ path: String, existed: Bool) {
        locked { sheets[i] = path; if !existed { created.append(path) } }
    }

    func logged(_ j: Int, _ data: Data) { locked { records[j] = data } }
    func log(_ j: Int) -> Data? { locked { records[j] } }

    /// Keeps tile `k` of input `i`; returns the input's tiles and notes once all are in (and forgets them).
    func tile(_ i: Int, _ k: Int, _ image: Tensor, notes: [String]) -> (images: [Tensor], notes: [[String]])? {
        locked {
            var p = pending[i] ?? ([Tensor?](repeating: nil, count: shown), [[String]](repeating: [], count: shown), shown)
            p.images[k] = image; p.notes[k] = notes; p.left -= 1
            guard p.left == 0 else { pending[i] = p; return nil }
            pending[i] = nil
            return (p.images.compactMap { $0 }, p.notes)
        }
    }

    /// Removes the files this run created (outputs it replaced keep this run's complete content).
    func removeCreated() {
        for path in locked({ created }) { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Per input: its variants in order, then its sheet.
    func orderedFiles() -> [String] {
        locked {
            sheets.indices.flatMap { i in (0..<copies).compactMap { paths[i * copies + $0] } + (sheets[i].map { [$0] } ?? []) }
        }
    }
}
