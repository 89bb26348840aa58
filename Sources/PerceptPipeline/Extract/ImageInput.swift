import PerceptCore
import PerceptIO

/// What the image features share: a PNG read as one gray plane [H, W] in [0, 1] (16-bit / 65535,
/// RGB by BT.601 luma on the float values, alpha dropped), with the size check every feature needs.
///
///     let gray = try ImageInput.gray("photo.png")
enum ImageInput {
    /// The gray plane of the PNG at `path`; images with fewer than 2 pixels are bad input.
    static func gray(_ path: String) throws -> Tensor {
        let image = try ImageFile.read(path)
        let (h, w) = (image.height, image.width)
        guard h * w >= 2 else {
            throw PerceptError.badInput(file: path, "the image is \(h) × \(w) pixels; image features need at least 2 pixels")
        }
        return Tensor(unchecked: [h, w], data: image.gray().storage)
    }
}
