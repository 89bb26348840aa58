import PerceptCore
import PerceptVision

/// torchvision / albumentations spellings of how pixels outside an image are filled.
enum BorderChoice {
    /// `padding_mode` choices (torchvision): constant, edge, reflect (no edge repeat), symmetric.
    static let paddingModes = ["constant", "edge", "reflect", "symmetric"]

    static func mode(_ name: String) -> BorderMode {
        switch name {
        case "edge", "replicate": return .replicate
        case "reflect", "reflect101", "reflect_101": return .reflect101
        case "symmetric": return .reflect
        default: return .constant
        }
    }

    /// `border_mode` choices (OpenCV names, as albumentations).
    static let borderModes = ["constant", "replicate", "reflect", "reflect_101"]

    static func cvMode(_ name: String) -> BorderMode {
        switch name {
        case "replicate": return .replicate
        case "reflect": return .reflect
        case "reflect_101": return .reflect101
        default: return .constant
        }
    }
}
