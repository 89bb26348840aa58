import Foundation
import PerceptAugment
import PerceptCore
import PerceptIO

/// `percept augment`: N variants of each PNG or WAV input plus a contact sheet per input
/// (variants a transform turned into spectrograms or vectors are written as .npy).
/// Variant k of input i is the chain applied as sample i of epoch k, so the files depend only
/// on the seed, the inputs' order and the chain. Everything is read, checked and computed
/// before the first file is written: a bad input or option leaves the output folder untouched.
///
///     let r = try AugmentRunner(chain: AugmentConfig.load("aug.yaml"), copies: 4, seed: 0)
///     let written = try r.run(inputs: ["a.png"], outputDir: "out")
public struct AugmentRunner: Sendable {
    public let chain: AugmentationChain
    public let copies: Int
    public let seed: UInt64

    public init(chain: AugmentationChain, copies: Int, seed: UInt64) throws {
        guard copies >= 1 else { throw PerceptError.invalidArgument(field: "--copies", "must be ≥ 1, got \(copies)") }
        guard copies <= 10_000 else { throw PerceptError.invalidArgument(field: "--copies", "at most 10000, got \(copies)") }
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
    public struct Output: Sendable { public var files: [String] = [] }

    /// Reads, checks and augments everything, then writes `DIR/<stem>_<k>.<ext>` (k = 1…N),
    /// `DIR/<stem>_sheet.png` and, when `log` is given, the drawn parameters as JSON.
    public func run(inputs: [String], outputDir: String, log: String? = nil) throws -> Output {
        let files = try AugmentRunner.expand(inputs)
        var stems = [String: String]()
        for f in files {
            let stem = (URL(fileURLWithPath: f).lastPathComponent as NSString).deletingPathExtension
            if let other = stems[stem] { throw PerceptError.badInput(file: f, "has the same name as \(other); their outputs would collide") }
            stems[stem] = f
        }
        let loaded = try files.map { try AugmentRunner.load($0) }
        for (f, l) in zip(files, loaded) {
            do { _ = try chain.outputShape(for: l.sample.shape) } catch let e as PerceptError {
                // Name the stage and field, and the file whose shape broke it.
                throw PerceptError.invalidArgument(field: e.field ?? "chain", "\(e.message) (input \(f))")
            }
        }
        // Every variant, in parallel; job j = (input j / copies, copy j % copies).
        let jobs = files.count * copies
        var variants = [Sample?](repeating: nil, count: jobs)
        let failure = FirstFailure()
        variants.withUnsafeMutableBufferPointer { buf in
            let out = UnsafeSendable(buf.baseAddress)
            Parallel.forEach(count: jobs) { j in
                let i = j / copies, k = j % copies
                do {
                    out.value?[j] = try chain.apply(to: loaded[i].sample, seed: seed, epoch: k, index: i)
                } catch { failure.record(j, error) }
            }
        }
        try failure.rethrow()
        // The replay records: the --log file and the stage lists under the contact sheets' tiles.
        var draws = [[String: Any]]()
        var sheets = [Tensor]()
        for (i, l) in loaded.enumerated() {
            var stages: [[String]] = [[]]
            for k in 0..<copies {
                let d = try chain.draw(for: l.sample.shape, seed: seed, epoch: k, index: i)
                stages.append(ContactSheet.describe(d))
                if log != nil {
                    let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(d))
                    draws.append(["input": files[i], "copy": k + 1, "stages": json])
                }
            }
            let mine = (0..<copies).compactMap { variants[i * copies + $0] }
            sheets.append(try ContactSheet.make([l.sample] + mine, stages: stages, name: URL(fileURLWithPath: files[i]).lastPathComponent))
        }

        try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
        var output = Output()
        for (i, f) in files.enumerated() {
            let stem = (URL(fileURLWithPath: f).lastPathComponent as NSString).deletingPathExtension
            let base = (outputDir as NSString).appendingPathComponent(stem)
            for k in 0..<copies {
                guard let v = variants[i * copies + k] else { continue }
                switch v.kind {
                case .audio:
                    let path = "\(base)_\(k + 1).wav"
                    try AudioFile.write(v.data, sampleRate: v.sampleRate, to: path, format: .wavFloat)
                    output.files.append(path)
                case .image:
                    let path = "\(base)_\(k + 1).png"
                    try ImageFile.write(ContactSheet.normalised(v.data), to: path, bitDepth: loaded[i].bitDepth == 16 ? 16 : 8)
                    output.files.append(path)
                case .spectrogram, .vector:
                    // What a transform made (a log-mel, a HOG vector) is data, not a picture.
                    let path = "\(base)_\(k + 1).npy"
                    try Npy.save(v.data, to: path)
                    output.files.append(path)
                }
            }
            let sheet = "\(base)_sheet.png"
            try ImageFile.write(sheets[i], to: sheet)
            output.files.append(sheet)
        }
        if let log {
            let data = try JSONSerialization.data(withJSONObject: draws, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: log), options: .atomic)
            output.files.append(log)
        }
        return output
    }
}
