import PerceptCore

/// What kind of file a feature reads.
public enum InputKind: String, Sendable {
    case audio, image

    /// File extensions (lower case) that directory mode picks up for this kind.
    public var extensions: Set<String> {
        switch self {
        case .audio: return ["wav", "flac", "ogg", "oga", "aiff", "aif"]
        case .image: return ["png"]
        }
    }

    /// What a file directory mode skips is not, in its summary: `53 skipped (not audio)`.
    public var noun: String { self == .audio ? "audio" : "PNG" }
}

/// What one extraction produces: one array (.npy) or named arrays (.npz).
public enum FeatureOutput: Sendable {
    case array(Tensor)
    case archive([(String, Tensor)])

    /// The file extension this output is written with.
    public var fileExtension: String {
        switch self {
        case .array: return "npy"
        case .archive: return "npz"
        }
    }
}

/// A named feature `percept extract NAME` can compute from one file: it reads the file once into
/// a `Sample` and runs transform stages (`SpectrogramStage`, `HOGStage`…) over it.
///
/// Each feature is one small type in one file, registered in `FeatureRegistry.shared`; its
/// `parameters` (reference-library names in snake_case) drive the CLI flags (kebab-case),
/// validation and help text.
///
///     let f = try MFCCFeature(Parameters(owner: "mfcc", specs: MFCCFeature.parameters, values: ["n_mfcc": 13]))
public protocol FeatureExtractor: Sendable, Component {
    static var inputKind: InputKind { get }

    /// Validates every parameter; errors name the option (`params.invalid("n_fft", "...")`).
    init(_ params: Parameters) throws

    /// Reads `path` into the sample the stages take (mono audio at the working rate, a gray
    /// image). Bad content throws `PerceptError.badInput(file: path, …)`.
    func load(path: String) throws -> Sample

    /// Computes the feature of a loaded sample; `path` names the file in errors.
    func extract(_ input: Sample, path: String) throws -> FeatureOutput

    /// A picture for people (`--png`) from the output and the input sample: [C,H,W] (C = 1 or 3)
    /// with values in [0, 1], or nil if the feature has none.
    func picture(of output: FeatureOutput, input: Sample) throws -> Tensor?
}

/// A feature that can compute a long file without ever holding its samples: the workers read
/// it in parts and write their frames straight into the output (`SpectralPipeline.compute(length:reader:)`).
/// `percept extract` on one file asks it first.
///
///     let out = try MelSpectrogramFeature(params).extractPartwise(path: "long.wav")   // nil: load it whole
public protocol PartwiseFeature: FeatureExtractor {
    /// The output for the file at `path`, or nil when computing it in parts does not apply (a
    /// compressed or short file, resampling): the caller then loads the file and calls `extract`.
    func extractPartwise(path: String) throws -> FeatureOutput?
}

public extension FeatureExtractor {
    func picture(of output: FeatureOutput, input: Sample) throws -> Tensor? { nil }

    /// Reads `path` and computes the feature.
    ///
    ///     let out = try MFCCFeature(MFCCFeature.parameters([:])).extract(path: "a.wav")
    func extract(path: String) throws -> FeatureOutput { try extract(load(path: path), path: path) }

    /// The picture of an output computed from the file at `path` (reads the file again; the CLI
    /// keeps the loaded sample and calls `picture(of:input:)`).
    func picture(of output: FeatureOutput, path: String) throws -> Tensor? { try picture(of: output, input: load(path: path)) }
}
