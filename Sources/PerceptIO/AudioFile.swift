import CSndFile
import Foundation
import PerceptCore

/// Decoded audio: samples as Float32 in [-1, 1], laid out [channels, frames].
public struct AudioData: Sendable {
    public var samples: Tensor
    public var sampleRate: Int
    public var channels: Int { samples.shape[0] }
    public var frames: Int { samples.shape[1] }
    public var duration: Double { Double(frames) / Double(sampleRate) }

    public init(samples: Tensor, sampleRate: Int) {
        precondition(samples.rank == 2)
        self.samples = samples
        self.sampleRate = sampleRate
    }

    /// Mono mixdown by averaging the channels (librosa.to_mono).
    ///
    ///     let y = try AudioFile.read("a.wav").mono()
    public func mono() -> [Float] {
        let c = channels, n = frames
        if c == 1 { return samples.storage }
        var out = [Float](repeating: 0, count: n)
        samples.withUnsafeBufferPointer { s in
            for ch in 0..<c { for i in 0..<n { out[i] += s[ch * n + i] } }
        }
        let inv = 1 / Float(c)
        for i in 0..<n { out[i] *= inv }
        return out
    }
}

/// Container and codec metadata of an audio file, read without decoding.
public struct AudioInfo: Sendable, Equatable {
    public var container: String
    public var codec: String
    public var sampleRate: Int
    public var channels: Int
    public var frames: Int
    public var duration: Double { sampleRate > 0 ? Double(frames) / Double(sampleRate) : 0 }
}

/// Encodings `AudioFile.write` can produce.
public enum AudioFormat: String, Sendable, CaseIterable {
    case wav8, wav16, wav24, wav32, wavFloat, flac16, flac24, oggVorbis

    var sfFormat: Int32 {
        switch self {
        case .wav8: return Int32(SF_FORMAT_WAV) | Int32(SF_FORMAT_PCM_U8)
        case .wav24: return Int32(SF_FORMAT_WAV) | Int32(SF_FORMAT_PCM_24)
        case .wav32: return Int32(SF_FORMAT_WAV) | Int32(SF_FORMAT_PCM_32)
        case .flac24: return Int32(SF_FORMAT_FLAC) | Int32(SF_FORMAT_PCM_24)
        case .oggVorbis: return Int32(SF_FORMAT_OGG) | Int32(SF_FORMAT_VORBIS)
        case .wav16: return Int32(SF_FORMAT_WAV) | Int32(SF_FORMAT_PCM_16)
        case .wavFloat: return Int32(SF_FORMAT_WAV) | Int32(SF_FORMAT_FLOAT)
        case .flac16: return Int32(SF_FORMAT_FLAC) | Int32(SF_FORMAT_PCM_16)
        }
    }
}

/// Audio files through libsndfile: WAV, FLAC, OGG/Vorbis and the rest libsndfile reads.
public enum AudioFile {
    /// Reads the whole file into [channels, frames] Float32.
    ///
    ///     let a = try AudioFile.read("Samples/spoken/0/en+f1_200_80.wav")
    public static func read(_ path: String) throws -> AudioData {
        try withOpen(path) { handle, info in try read(handle, info, path) }
    }

    private static func read(_ handle: OpaquePointer, _ info: SF_INFO, _ path: String) throws -> AudioData {
        let c = Int(info.channels), n = Int(info.frames)
        guard c > 0, info.samplerate > 0 else { throw PerceptError.badInput(file: path, "no channels or no sample rate in header") }
        // The header's frame count is a claim (a 3.5 kB FLAC may claim 2·10⁹ samples): it must fit
        // the memory limit, and the buffer is left unwritten until decoded, so a lie costs address
        // space, not pages, and ends in "truncated" below.
        try ResourceLimits.require([n, c, c > 1 ? 2 : 1], elementSize: MemoryLayout<Float>.size, for: "decoding them",
                                   blame: { .badInput(file: path, "header claims \(n) frames; " + $0) })
        var got = 0
        // Huge pages: 600 s of 16 kHz mono is 38 MB, 9,400 first-touch faults in 4 KiB pages.
        let interleaved: [Float] = try HugePages.array(capacity: n * c) { buf, count in
            got = buf.baseAddress.map { decode(handle, info, path, into: $0, frames: n) } ?? 0   // none for 0 frames
            count = Swift.max(0, Swift.min(got, n)) * c
            if sf_error(handle) != 0 {
                throw PerceptError.badInput(file: path, "decoding failed: \(String(cString: sf_strerror(handle)))")
            }
        }
        guard got == n else {
            throw PerceptError.badInput(file: path, "truncated: header promises \(n) frames, only \(got) could be read")
        }
        try checkNotTruncated(handle, path)
        if c == 1 { return AudioData(samples: Tensor(unchecked: [1, n], data: interleaved), sampleRate: Int(info.samplerate)) }
        let planar: [Float] = HugePages.array(capacity: n * c) { dst, count in
            interleaved.withUnsafeBufferPointer { src in
                for i in 0..<n { for ch in 0..<c { dst[ch * n + i] = src[i * c + ch] } }
            }
            count = n * c
        }
        return AudioData(samples: Tensor(unchecked: [c, n], data: planar), sampleRate: Int(info.samplerate))
    }

    /// Frames per part below which a file is decoded on one thread.
    static let minFramesPerPart = 1 << 18

    /// Decodes the `n` frames of an open file into `out` and returns how many were read. A long
    /// PCM or float WAV is decoded in parts on the workers, each through its own handle seeked to
    /// its first frame (the conversion is per sample, so the result is the same bit for bit); if
    /// any part falls short, the whole file is decoded again on this thread, which then reports
    /// what went wrong.
    private static func decode(_ handle: OpaquePointer, _ info: SF_INFO, _ path: String,
                               into out: UnsafeMutablePointer<Float>, frames n: Int) -> Int {
        let parts = Swift.min(Parallel.threads, n / minFramesPerPart)
        if parts > 1 && seeksExactly(info) {
            var ok = [Bool](repeating: false, count: parts)
            ok.withUnsafeMutableBufferPointer { okp in
                let okBox = UnsafeSendable(okp.baseAddress!), outBox = UnsafeSendable(out), handleBox = UnsafeSendable(handle)
                Parallel.forEach(count: parts) { k in
                    let lo = n * k / parts, hi = n * (k + 1) / parts
                    okBox.value[k] = decodePart(k == 0 ? handleBox.value : nil, path, like: info, from: lo, count: hi - lo,
                                                into: outBox.value + lo * Int(info.channels))
                }
            }
            if !ok.contains(false) { return n }
            guard sf_seek(handle, 0, SEEK_SET) == 0 else { return 0 }
        }
        return Int(sf_readf_float(handle, out, sf_count_t(n)))
    }

    /// WAV-family containers of integer PCM or float samples: a frame's byte offset is
    /// arithmetic, so a seek lands exactly.
    static func seeksExactly(_ info: SF_INFO) -> Bool {
        let major = Int32(info.format) & Int32(SF_FORMAT_TYPEMASK), sub = Int32(info.format) & Int32(SF_FORMAT_SUBMASK)
        return info.seekable != 0
            && [SF_FORMAT_WAV, SF_FORMAT_WAVEX, SF_FORMAT_W64, SF_FORMAT_RF64].map { Int32($0) }.contains(major)
            && [SF_FORMAT_PCM_16, SF_FORMAT_PCM_24, SF_FORMAT_PCM_32, SF_FORMAT_FLOAT].map { Int32($0) }.contains(sub)
    }

    /// Frames `from ..< from + count` into `out`, through `handle` (already at frame 0) or a handle
    /// of its own; false when the file no longer matches `info` or the part could not be read whole.
    private static func decodePart(_ handle: OpaquePointer?, _ path: String, like info: SF_INFO, from: Int, count: Int,
                                   into out: UnsafeMutablePointer<Float>) -> Bool {
        if let handle {
            return sf_readf_float(handle, out, sf_count_t(count)) == count && sf_error(handle) == 0
        }
        return AudioPartReader(path: path, like: info)?.readFrames(from..<(from + count), into: out) ?? false
    }

    /// Metadata only (container, codec, rate, channels, frames).
    public static func info(_ path: String) throws -> AudioInfo {
        try withOpen(path) { handle, info in
            try checkNotTruncated(handle, path)
            return AudioInfo(container: formatName(Int32(info.format) & Int32(SF_FORMAT_TYPEMASK), major: true),
                             codec: formatName(Int32(info.format) & Int32(SF_FORMAT_SUBMASK), major: false),
                             sampleRate: Int(info.samplerate), channels: Int(info.channels), frames: Int(info.frames))
        }
    }

    /// Writes [channels, frames] samples; PCM output is clipped to [-1, 1] rather than wrapped.
    ///
    ///     try AudioFile.write(a.samples, sampleRate: 16000, to: "out.flac", format: .flac16)
    public static func write(_ samples: Tensor, sampleRate: Int, to path: String, format: AudioFormat = .wav16) throws {
        guard samples.rank == 2, samples.shape[0] > 0 else {
            throw PerceptError.invalidArgument(field: "samples", "expected [channels, frames], got \(samples.shape)")
        }
        guard sampleRate > 0 else { throw PerceptError.invalidArgument(field: "sampleRate", "must be > 0") }
        let c = samples.shape[0], n = samples.shape[1]
        var interleaved = [Float](repeating: 0, count: n * c)
        for ch in 0..<c { for i in 0..<n { interleaved[i * c + ch] = samples.storage[ch * n + i] } }
        try AtomicFile.write(to: path) { tmp in
            var info = SF_INFO()
            info.samplerate = Int32(sampleRate)
            info.channels = Int32(c)
            info.format = format.sfFormat
            guard sf_format_check(&info) != 0 else {
                throw PerceptError.invalidArgument(field: "format", "\(format) cannot hold \(c) channels at \(sampleRate) Hz")
            }
            guard let h = sf_open(tmp, Int32(SFM_WRITE), &info) else {
                throw PerceptError.runtime("\(path): cannot write: \(String(cString: sf_strerror(nil)))")
            }
            if format != .wavFloat && format != .oggVorbis { sf_command(h, Int32(SFC_SET_CLIPPING), nil, Int32(SF_TRUE)) }
            let wrote = interleaved.withUnsafeBufferPointer { sf_writef_float(h, $0.baseAddress, sf_count_t(n)) }
            let closed = sf_close(h)
            guard Int(wrote) == n, closed == 0 else { throw PerceptError.runtime("\(path): write failed (disk full?)") }
        }
    }

    /// Opens `path` for `body` and closes it after: libsndfile reads it through `SndFileMemory`
    /// (one read for a small file, 256 KiB reads for a large one). What libmpg123 prints about
    /// MPEG-looking files is kept off stderr.
    private static func withOpen<T>(_ path: String, _ body: (OpaquePointer, SF_INFO) throws -> T) throws -> T {
        try FileChecks.requireReadableFile(path)
        let memory = SndFileMemory(path: path)
        return try LibraryChatter.folding(if: LibraryChatter.looksLikeMPEG(path, head: memory?.head)) {
            var info = SF_INFO()
            let handle = memory.map { $0.open(&info) } ?? sf_open(path, Int32(SFM_READ), &info)
            guard let h = handle else { throw unreadable(path) }
            defer { sf_close(h); withExtendedLifetime(memory) {} }
            return try body(h, info)
        }
    }

    /// libsndfile's reason a file did not open, for a file already known to exist: its virtual
    /// I/O says "File does not exist or is not a regular file" of any content it cannot decode.
    static func unreadable(_ path: String) -> PerceptError {
        var why = String(cString: sf_strerror(nil))
        if why.contains("does not exist") { why = "unrecognised or corrupt audio data" }
        return PerceptError.badInput(file: path, "not a readable audio file (\(why))")
    }

    /// libsndfile silently shortens a file whose data chunk is cut off, logging
    /// `data : 17640 (should be 8798)`. A cut-off file is corrupt input, so report it rather than
    /// return fewer samples than the header promised. Streaming writers' placeholder sizes
    /// (0 or 0xFFFFFFFF) are not truncation.
    static func checkNotTruncated(_ handle: OpaquePointer, _ path: String) throws {
        var log = [CChar](repeating: 0, count: 8192)
        sf_command(handle, Int32(SFC_GET_LOG_INFO), &log, Int32(log.count))
        guard strstr(log, "(should be") != nil else { return }   // the common case, without building strings
        let text = log.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        for line in text.split(separator: "\n") where line.hasPrefix("data") && line.contains("(should be") {
            let numbers = line.split(whereSeparator: { !$0.isNumber && $0 != "-" }).compactMap { Int64($0) }
            guard numbers.count >= 2 else { continue }
            let claimed = numbers[numbers.count - 2], actual = numbers[numbers.count - 1]
            if claimed > actual && claimed != 0xFFFF_FFFF && claimed > 0 {
                throw PerceptError.badInput(file: path, "truncated: the data chunk promises \(claimed) bytes, the file holds \(actual)")
            }
        }
    }

    private static func formatName(_ code: Int32, major: Bool) -> String {
        var fi = SF_FORMAT_INFO()
        fi.format = code
        let cmd = major ? Int32(SFC_GET_FORMAT_INFO) : Int32(SFC_GET_FORMAT_INFO)
        if sf_command(nil, cmd, &fi, Int32(MemoryLayout<SF_FORMAT_INFO>.size)) == 0, let name = fi.name {
            return String(cString: name)
        }
        return String(format: "0x%X", code)
    }
}
