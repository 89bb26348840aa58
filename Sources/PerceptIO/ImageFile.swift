import CPNGRaw
import Foundation
import PerceptCore

/// A decoded image: raw samples in [0, 1] (8-bit / 255, 16-bit / 65535), laid out [C, H, W].
/// C is 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA); palettes are expanded to RGB(A).
public struct ImageData: Sendable {
    public var pixels: Tensor
    /// Bit depth of the file's samples (1, 2, 4, 8 or 16).
    public var bitDepth: Int
    public var channels: Int { pixels.shape[0] }
    public var height: Int { pixels.shape[1] }
    public var width: Int { pixels.shape[2] }

    public init(pixels: Tensor, bitDepth: Int) {
        precondition(pixels.rank == 3)
        self.pixels = pixels
        self.bitDepth = bitDepth
    }

    /// One gray channel [1, H, W]: BT.601 luma 0.299 R + 0.587 G + 0.114 B on the float values
    /// (not rounded back to 8 bits); alpha is dropped.
    ///
    ///     let g = try ImageFile.read("Samples/images/coffee.png").gray()
    public func gray() -> Tensor { pixels.luma() }
}

/// PNG header facts, read without decoding the pixels.
public struct ImageInfo: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public var bitDepth: Int
    public var colorType: String
}

/// PNG files through libpng's low-level API, so sample values come back raw: the simplified
/// API would apply gamma from gAMA/sRGB chunks, which OpenCV and scikit-image do not.
public enum ImageFile {
    /// Largest decoded image accepted, in samples (w × h × channels): 2^28 (1 GiB of floats).
    public static let maxSamples = 1 << 28

    /// Reads a PNG into [C, H, W] floats in [0, 1].
    ///
    ///     let img = try ImageFile.read("Samples/images/camera.png")
    public static func read(_ path: String) throws -> ImageData {
        try FileChecks.requireReadableFile(path)
        var img = cpng_image()
        var err = [CChar](repeating: 0, count: 256)
        let limit = Swift.min(maxSamples, ResourceLimits.maxMemory.value / MemoryLayout<Float>.size)
        func failure() -> PerceptError {
            let why = message(err)
            return .badInput(file: path, why.contains("above the limit") && limit < maxSamples ? why + " set by the memory limit (--max-memory)" : why)
        }
        // The header first, so the samples are decoded straight into the tensor's storage (huge
        // pages for a big image) with no second copy.
        guard cpng_read_header(path, &img, &err, err.count) == 0 else { throw failure() }
        guard cpng_check_size(&img, limit, &err, err.count) == 0 else { throw failure() }
        let c = Int(img.channels), h = Int(img.height), w = Int(img.width), n = c * h * w   // checked: ≤ limit
        var rc: Int32 = 0
        let values: [Float] = HugePages.array(capacity: n) { buf, count in
            rc = cpng_read(path, limit, &img, buf.baseAddress, n, &err, err.count)
            count = rc == 0 ? n : 0
        }
        guard rc == 0 else { throw failure() }
        return ImageData(pixels: Tensor(unchecked: [c, h, w], data: values), bitDepth: Int(img.bit_depth))
    }

    /// Reads only the header.
    public static func info(_ path: String) throws -> ImageInfo {
        try FileChecks.requireReadableFile(path)
        var img = cpng_image()
        var err = [CChar](repeating: 0, count: 256)
        guard cpng_read_header(path, &img, &err, err.count) == 0 else { throw PerceptError.badInput(file: path, message(err)) }
        let names = [0: "gray", 2: "RGB", 3: "palette", 4: "gray+alpha", 6: "RGBA"]
        return ImageInfo(width: Int(img.width), height: Int(img.height), channels: Int(img.channels),
                         bitDepth: Int(img.bit_depth), colorType: names[Int(img.color_type)] ?? "type \(img.color_type)")
    }

    /// Writes [C, H, W] values in [0, 1] (clipped; NaN written as 0) as an 8- or 16-bit PNG:
    /// C = 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.
    ///
    ///     try ImageFile.write(gray, to: "out.png", bitDepth: 16)
    public static func write(_ image: Tensor, to path: String, bitDepth: Int = 8) throws {
        try checkLayout(image)
        guard bitDepth == 8 || bitDepth == 16 else {
            throw PerceptError.invalidArgument(field: "bitDepth", "must be 8 or 16, got \(bitDepth)")
        }
        let c = image.shape[0], h = image.shape[1], w = image.shape[2]
        let samples: [UInt16] = interleaved(image, maxLevel: bitDepth == 8 ? 255 : 65535)
        try AtomicFile.write(to: path) { tmp in
            var err = [CChar](repeating: 0, count: 256)
            guard cpng_write(tmp, Int32(w), Int32(h), Int32(c), Int32(bitDepth), samples, &err, err.count) == 0 else {
                throw PerceptError.runtime("\(path): cannot write PNG: \(message(err))")
            }
        }
    }

    /// Encodes [C, H, W] values in [0, 1] (clipped; NaN as 0) as an 8-bit PNG in memory:
    /// C = 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA. For TensorBoard images and HTML reports.
    ///
    ///     let png = try ImageFile.encodePNG(filters)   // [UInt8], starts with 0x89 "PNG"
    public static func encodePNG(_ image: Tensor) throws -> [UInt8] {
        try checkLayout(image)
        let c = image.shape[0], h = image.shape[1], w = image.shape[2]
        let samples: [UInt8] = interleaved(image, maxLevel: 255)
        var out: UnsafeMutablePointer<UInt8>?
        var count = 0
        var err = [CChar](repeating: 0, count: 256)
        guard cpng_encode(Int32(w), Int32(h), Int32(c), samples, &out, &count, &err, err.count) == 0, let out else {
            throw PerceptError.runtime("cannot encode PNG: \(message(err))")
        }
        defer { cpng_buffer_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: count))
    }

    private static func checkLayout(_ image: Tensor) throws {
        guard image.rank == 3, (1...4).contains(image.shape[0]), image.shape[1] > 0, image.shape[2] > 0 else {
            throw PerceptError.invalidArgument(field: "image", "expected [C, H, W] with C in 1…4, got \(image.shape)")
        }
    }

    /// Planar [C, H, W] floats to interleaved integer samples 0...maxLevel (clipped, NaN as 0, rounded).
    private static func interleaved<T: FixedWidthInteger>(_ image: Tensor, maxLevel: Float) -> [T] {
        let c = image.shape[0], plane = image.shape[1] * image.shape[2]
        var samples = [T](repeating: 0, count: c * plane)
        image.withUnsafeBufferPointer { p in
            samples.withUnsafeMutableBufferPointer { s in
                for i in 0..<plane {
                    for k in 0..<c {
                        let v = p[k * plane + i]
                        let clipped = v.isNaN ? 0 : Swift.min(1, Swift.max(0, v))
                        // Through Int32: the generic Float → T initialiser is a slow library call per sample.
                        s[i * c + k] = T(truncatingIfNeeded: Int32((clipped * maxLevel).rounded()))
                    }
                }
            }
        }
        return samples
    }

    private static func message(_ err: [CChar]) -> String {
        let s = err.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        if s.isEmpty { return "corrupt PNG" }
        // libpng's wording for running out of bytes.
        if s == "Read Error" { return "truncated PNG (the data ends early)" }
        return s.hasPrefix("IDAT") || s.hasPrefix("IHDR") || s.contains("CRC") ? "corrupt PNG (\(s))" : s
    }
}
