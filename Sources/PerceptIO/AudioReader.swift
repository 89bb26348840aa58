import CSndFile
import PerceptCore

/// Reads an audio file in blocks, so long recordings are processed with bounded memory
/// (libsndfile decodes on demand). Blocks are mono mixdowns, as `AudioData.mono()`.
///
///     let r = try AudioReader("hour.wav"); while let block = try r.readMono(frames: 16000) { … }
public final class AudioReader {
    public let path: String
    public let sampleRate: Int
    public let channels: Int
    /// Total frames the header announces.
    public let frames: Int
    public private(set) var position = 0
    private let handle: OpaquePointer
    private var interleaved: [Float] = []
    /// MPEG input: libmpg123's stderr lines are captured (`LibraryChatter`) around each decode.
    private let quiet: Bool

    public init(_ path: String) throws {
        _ = try AudioFile.info(path)   // validates: exists, decodable header, not truncated
        var info = SF_INFO()
        quiet = LibraryChatter.looksLikeMPEG(path)
        guard let h = try LibraryChatter.folding(if: quiet, { sf_open(path, Int32(SFM_READ), &info) }) else { throw AudioFile.unreadable(path) }
        guard info.channels > 0, info.samplerate > 0 else {
            sf_close(h)
            throw PerceptError.badInput(file: path, "no channels or no sample rate in header")
        }
        handle = h
        self.path = path
        sampleRate = Int(info.samplerate)
        channels = Int(info.channels)
        frames = Int(info.frames)
    }

    deinit { sf_close(handle) }

    /// The next block of at most `frames` mono samples, or nil at the end of the file.
    public func readMono(frames n: Int) throws -> [Float]? {
        precondition(n > 0)
        if interleaved.count < n * channels { interleaved = [Float](repeating: 0, count: n * channels) }
        let got = try LibraryChatter.folding(if: quiet) { Int(interleaved.withUnsafeMutableBufferPointer { sf_readf_float(handle, $0.baseAddress, sf_count_t(n)) }) }
        if sf_error(handle) != 0 {
            throw PerceptError.badInput(file: path, "decoding failed: \(String(cString: sf_strerror(handle)))")
        }
        if got == 0 {
            guard position == frames else {
                throw PerceptError.badInput(file: path, "truncated: header promises \(frames) frames, only \(position) could be read")
            }
            return nil
        }
        position += got
        if channels == 1 { return Array(interleaved[0..<got]) }
        var out = [Float](repeating: 0, count: got)
        let c = channels, inv = 1 / Float(channels)
        interleaved.withUnsafeBufferPointer { src in
            for i in 0..<got {
                var s: Float = 0
                for ch in 0..<c { s += src[i * c + ch] }
                out[i] = s * inv
            }
        }
        return out
    }
}
