import PerceptCore
import PerceptVision

/// How `random_crop` fills its padding, by torchvision's `padding_mode` names: `reflect` does
/// not repeat the edge pixel (OpenCV's reflect-101), `symmetric` does (OpenCV's reflect).
///
///     let crop = try RandomCrop(padding: 4, paddingMode: .reflect)
public enum PaddingMode: String, Sendable, CaseIterable, OptionValue {
    case constant, edge, reflect, symmetric

    /// The PerceptVision border that fills the same pixels.
    public var border: BorderMode {
        switch self {
        case .constant: return .constant
        case .edge: return .replicate
        case .reflect: return .reflect101
        case .symmetric: return .reflect
        }
    }
}

/// albumentations' `border_mode` (OpenCV names) for PerceptVision's `BorderMode`.
enum BorderChoice {
    /// `border_mode` choices, as albumentations spells them.
    static let names = ["constant", "replicate", "reflect", "reflect_101"]

    /// The OpenCV name of a border (`reflect101` → `reflect_101`).
    static func name(_ mode: BorderMode) -> String {
        switch mode {
        case .constant: return "constant"
        case .replicate: return "replicate"
        case .reflect: return "reflect"
        case .reflect101: return "reflect_101"
        }
    }

    /// The border an OpenCV name stands for, or nil.
    static func mode(_ name: String) -> BorderMode? { BorderMode.allCases.first { self.name($0) == name } }
}

extension Parameters {
    /// A `border_mode` option as PerceptVision's border.
    func borderMode(_ name: String) throws -> BorderMode {
        let text = try string(name)
        guard let mode = BorderChoice.mode(text) else { throw invalid(name, "'\(text)' is not one of \(BorderChoice.names.joined(separator: ", "))") }
        return mode
    }
}
