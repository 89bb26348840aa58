import PerceptCore
import PerceptIO
import PerceptVision

/// What the image features share: a PNG read as one gray plane [1, H, W] in [0, 1] (16-bit / 65535,
/// RGB by BT.601 luma on the float values — the `gray` stage — alpha dropped), with the size
/// check every feature needs.
///
///     let gray = try ImageInput.gray("photo.png")
enum ImageInput {
    /// The gray plane of the PNG at `path`; images with fewer than 2 pixels are bad input.
    static func gray(_ path: String) throws -> Sample {
        let image = try ImageFile.read(path)
        let (h, w) = (image.height, image.width)
        guard h * w >= 2 else {
            throw PerceptError.badInput(file: path, "the image is \(h) × \(w) pixels; image features need at least 2 pixels")
        }
        return try GrayStage().apply(Sample(image: image.pixels))
    }

    /// The one plane of a gray sample as [H, W].
    static func plane(_ s: Sample) -> Tensor { Tensor(unchecked: [s.data.shape[1], s.data.shape[2]], data: s.data.storage) }
}
