import Foundation
import PerceptCore

/// Analysis windows as `scipy.signal.get_window` makes them: periodic by default
/// (`fftbins=True`, what librosa uses), symmetric on request. Computed in double precision.
///
///     let w = Window.hann.values(length: 400)          // periodic Hann, as librosa.stft
///     let s = Window.hamming.values(length: 5, periodic: false)
public enum Window: String, Sendable, CaseIterable {
    case hann, hamming, blackman, rectangular

    /// Parses a window name, accepting scipy's aliases (`hanning`, `boxcar`, `rect`, `ones`).
    public init?(name: String) {
        switch name.lowercased() {
        case "hann", "hanning": self = .hann
        case "hamming", "hamm": self = .hamming
        case "blackman", "black": self = .blackman
        case "rectangular", "rect", "boxcar", "box", "ones": self = .rectangular
        default: return nil
        }
    }

    /// The generalised-cosine coefficients scipy uses for this window.
    private var cosineTerms: [Double] {
        switch self {
        case .hann: return [0.5, 0.5]
        case .hamming: return [0.54, 0.46]
        case .blackman: return [0.42, 0.50, 0.08]
        case .rectangular: return [1]
        }
    }

    /// The window of `length` samples in double precision.
    public func doubleValues(length: Int, periodic: Bool = true) -> [Double] {
        guard length > 0 else { return [] }
        if length == 1 { return [1] }
        // scipy: a periodic window is the symmetric one of length + 1 with the last sample dropped.
        let m = periodic ? length + 1 : length
        let a = cosineTerms
        var w = [Double](repeating: 0, count: length)
        for i in 0..<length {
            // scipy.signal.windows.general_cosine: fac = linspace(-pi, pi, m)
            let fac = -Double.pi + 2 * Double.pi * Double(i) / Double(m - 1)
            var v = 0.0
            for (k, ak) in a.enumerated() { v += ak * cos(Double(k) * fac) }
            w[i] = v
        }
        return w
    }

    /// The window of `length` samples, rounded to single precision.
    public func values(length: Int, periodic: Bool = true) -> [Float] {
        doubleValues(length: length, periodic: periodic).map { Float($0) }
    }

    /// `values` zero-padded on both sides to `size` and centred as `librosa.util.pad_center`
    /// (the extra sample of an odd difference goes to the right). A window longer than `size`
    /// is an `invalidArgument` naming `win_length`.
    ///
    ///     let w = try Window.hann.centered(length: 400, size: 512)
    public func centered(length: Int, size: Int, periodic: Bool = true) throws -> [Float] {
        guard length >= 0 && length <= size else {
            throw PerceptError.invalidArgument(field: "win_length", "win_length=\(length) must be in 0...\(size) (the frame size)")
        }
        var out = [Float](repeating: 0, count: size)
        let left = (size - length) / 2
        for (i, v) in values(length: length, periodic: periodic).enumerated() { out[left + i] = v }
        return out
    }
}
