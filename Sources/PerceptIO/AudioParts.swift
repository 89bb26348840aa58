import CSndFile
import Foundation
import PerceptCore

/// A long audio file read in parts, by position, on several threads at once: each `reader()` has
/// a handle of its own. Only containers where a frame's byte offset is arithmetic (integer PCM or
/// float WAV): a seek lands exactly and the conversion is per sample, so the parts give the same
/// samples as one whole `AudioFile.read`, bit for bit.
///
///     if let parts = AudioParts(path: "long.wav"), let r = parts.reader() { _ = r.read(0..<4096, into: p) }
public final class AudioParts: Sendable {
    public let path: String
    public let sampleRate: Int
    public let channels: Int
    public let frames: Int
    private let format: Int32

    /// nil when the file is not such a container, or anything about it is off (unreadable,
    /// truncated, no frames): `AudioFile.read` then reads it whole and says what is wrong.
    public init?(path: String) {
        guard let memory = SndFileMemory(path: path) else { return nil }
        var info = SF_INFO()
        guard let h = memory.open(&info) else { return nil }
        defer { sf_close(h); withExtendedLifetime(memory) {} }
        guard info.channels > 0, info.samplerate > 0, info.frames > 0, AudioFile.seeksExactly(info),
              (try? AudioFile.checkNotTruncated(h, path)) != nil else { return nil }
        self.path = path
        sampleRate = Int(info.samplerate); channels = Int(info.channels); frames = Int(info.frames)
        format = info.format
    }

    /// A reader with its own handle, or nil when the file changed since `init` (the caller then
    /// reads the whole file, which reports it).
    public func reader() -> AudioPartReader? {
        var info = SF_INFO()
        info.format = format; info.channels = Int32(channels); info.frames = sf_count_t(frames); info.samplerate = Int32(sampleRate)
        return AudioPartReader(path: path, like: info)
    }
}

/// One thread's handle on an `AudioParts` file.
public final class AudioPartReader {
    private let memory: SndFileMemory
    private let handle: OpaquePointer
    private let channels: Int, frames: Int
    /// Interleaved frames of a multi-channel file before the mixdown, grown as needed.
    private var interleaved: UnsafeMutablePointer<Float>?
    private var interleavedCapacity = 0

    /// Frames one read of the file's window holds: reads of about this many frames cost one
    /// `pread` each.
    public let preferredReadLength: Int

    /// The file at `path` opened again through a handle of its own, or nil when it no longer
    /// matches `like` (format, channels, frames, rate). Also `AudioFile.read`'s parts.
    init?(path: String, like: SF_INFO) {
        guard let m = SndFileMemory(path: path) else { return nil }
        var info = SF_INFO()
        guard let h = m.open(&info) else { return nil }
        guard info.format == like.format, info.channels == like.channels, info.frames == like.frames,
              info.samplerate == like.samplerate else {
            sf_close(h)
            return nil
        }
        memory = m; handle = h
        channels = Int(info.channels); frames = Int(info.frames)
        let sub = info.format & Int32(SF_FORMAT_SUBMASK)
        let bytes = sub == Int32(SF_FORMAT_PCM_16) ? 2 : sub == Int32(SF_FORMAT_PCM_24) ? 3 : 4
        preferredReadLength = SndFileMemory.windowBytes / (bytes * channels)
    }

    deinit {
        sf_close(handle)
        withExtendedLifetime(memory) {}
        interleaved?.deallocate()
    }

    /// Frames `range` mixed to mono as `AudioData.mono()` mixes them (the same bits) into `out`;
    /// false when they cannot be read whole.
    ///
    ///     guard reader.read(48_000..<96_000, into: p) else { … }
    public func read(_ range: Range<Int>, into out: UnsafeMutablePointer<Float>) -> Bool {
        if channels == 1 { return readFrames(range, into: out) }
        let n = range.count, c = channels
        if interleavedCapacity < n * c {
            interleaved?.deallocate()
            interleaved = .allocate(capacity: n * c)
            interleavedCapacity = n * c
        }
        guard let buf = interleaved, readFrames(range, into: buf) else { return false }
        let inv = 1 / Float(c)
        for i in 0..<n {
            var sum: Float = 0
            for ch in 0..<c { sum += buf[i * c + ch] }
            out[i] = sum * inv
        }
        return true
    }

    /// Frames `range` as the file holds them (channels interleaved) into `out`; false when they
    /// cannot be read whole.
    func readFrames(_ range: Range<Int>, into out: UnsafeMutablePointer<Float>) -> Bool {
        guard range.lowerBound >= 0, range.upperBound <= frames else { return false }
        guard !range.isEmpty else { return true }
        return sf_seek(handle, sf_count_t(range.lowerBound), SEEK_SET) == range.lowerBound
            && sf_readf_float(handle, out, sf_count_t(range.count)) == range.count && sf_error(handle) == 0
    }
}
