import Foundation
import PerceptCore

/// Gaussian kernels and blur with OpenCV's rules (`getGaussianKernel`, `GaussianBlur`).
///
///     let blurred = try Gaussian.blur(image, sigma: 1.3)
public enum Gaussian {
    /// OpenCV's fixed kernels for sigma ≤ 0 and odd sizes up to 7.
    private static let smallKernels: [[Double]] = [
        [1],
        [0.25, 0.5, 0.25],
        [0.0625, 0.25, 0.375, 0.25, 0.0625],
        [0.03125, 0.109375, 0.21875, 0.28125, 0.21875, 0.109375, 0.03125],
    ]

    /// `cv2.getGaussianKernel(size, sigma)`: sampled exp(−x²/2σ²) normalised to sum 1; sigma ≤ 0
    /// means 0.3 · ((size − 1) · 0.5 − 1) + 0.8.
    ///
    ///     let k = try Gaussian.kernel(size: 5, sigma: 1.1)
    public static func kernel(size n: Int, sigma: Double) throws -> [Double] {
        guard n > 0 else { throw PerceptError.invalidArgument(field: "ksize", "must be > 0, got \(n)") }
        if sigma <= 0, n % 2 == 1, n <= 7 { return smallKernels[n / 2] }
        let s = sigma > 0 ? sigma : ((Double(n) - 1) * 0.5 - 1) * 0.3 + 0.8
        let scale2 = -0.5 / (s * s)
        var k = (0..<n).map { i -> Double in
            let x = Double(i) - Double(n - 1) * 0.5
            return exp(scale2 * x * x)
        }
        let sum = k.reduce(0, +)
        for i in k.indices { k[i] /= sum }
        return k
    }

    /// The kernel size `GaussianBlur` picks for a float image when none is given: round(8σ + 1) | 1.
    ///
    ///     Gaussian.kernelSize(sigma: 1.3)   // 11
    public static func kernelSize(sigma: Double) -> Int {
        Int((sigma * 8 + 1).rounded(.toNearestOrEven)) | 1
    }

    /// `cv2.GaussianBlur(img, (size, size), sigma)`: a separable blur; `size` 0 derives it from sigma,
    /// sigma 0 derives it from size.
    ///
    ///     let b = try Gaussian.blur(image, sigma: 2)
    public static func blur(_ image: Tensor, sigma: Double, size: Int = 0, border: BorderMode = .reflect101) throws -> Tensor {
        guard sigma > 0 || size > 0 else {
            throw PerceptError.invalidArgument(field: "sigma", "give sigma > 0 or an odd kernel size")
        }
        let n = size > 0 ? size : kernelSize(sigma: sigma)
        guard n % 2 == 1 else { throw PerceptError.invalidArgument(field: "ksize", "must be odd, got \(n)") }
        let k = try kernel(size: n, sigma: sigma).map { Float($0) }
        return try Convolution.separable(image, rowKernel: k, columnKernel: k, border: border)
    }
}
