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

/// A named feature `percept extract NAME` can compute from one file.
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

    /// Reads `path` and computes the feature. Bad content throws `PerceptError.badInput(file: path, …)`.
    func extract(path: String) throws -> FeatureOutput

    /// A picture for people (`--png`): [C,H,W] (C = 1 or 3) with values in [0, 1], or nil if
    /// the feature has none.
    func picture(of output: FeatureOutput, path: String) throws -> Tensor?
}

public extension FeatureExtractor {
    func picture(of output: FeatureOutput, path: String) throws -> Tensor? { nil }
}
