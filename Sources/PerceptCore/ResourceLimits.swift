#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The memory one command may ask for. Every size that comes from a file header or an option is
/// computed with checked arithmetic and compared with this limit before anything is allocated, so
/// a 33-byte file claiming 16 GB, or `--n-fft 1048576 --hop-length 1`, is one line and exit 2
/// instead of an out-of-memory kill.
///
/// The default is three quarters of physical memory, or of the address-space limit
/// (`ulimit -v`) when that is lower; `--max-memory 8G` (or `PERCEPT_MAX_MEMORY`) changes it.
///
///     try ResourceLimits.require([frames, bins], elementSize: 8, for: "the STFT", blame: { .invalidArgument(field: "--n-fft", $0) })
public enum ResourceLimits {
    /// Bytes a single request may take (scoped: `maxMemory.withValue(1 << 30) { ... }`).
    public static let maxMemory = ScopedSetting<Int>(defaultMaxMemory)

    /// Three quarters of the smaller of physical memory and the address-space limit, or the value of
    /// `PERCEPT_MAX_MEMORY` (a size such as `8G`) when it is set and valid.
    public static let defaultMaxMemory: Int = {
        if let s = ProcessInfo.processInfo.environment["PERCEPT_MAX_MEMORY"], let n = parseSize(s) { return n }
        return systemMemory / 4 * 3
    }()

    /// Physical memory, or the address-space / data-segment limit when lower.
    public static var systemMemory: Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        let physical = pages > 0 && pageSize > 0 ? Int(pages).multipliedReportingOverflow(by: Int(pageSize)) : (partialValue: Int.max, overflow: true)
        var limit = physical.overflow ? Int.max : physical.partialValue
        #if canImport(Glibc)
        for resource in [RLIMIT_AS, RLIMIT_DATA] {
            var rl = rlimit()
            if getrlimit(__rlimit_resource_t(resource.rawValue), &rl) == 0, rl.rlim_cur < UInt64(Int.max) {
                limit = Swift.min(limit, Int(rl.rlim_cur))
            }
        }
        #endif
        return limit
    }

    /// The product of `dims` times `elementSize`, or nil when it overflows or a dimension is negative.
    ///
    ///     ResourceLimits.bytes([1 << 40, 1 << 40], elementSize: 4)   // nil
    public static func bytes(_ dims: [Int], elementSize: Int = 4) -> Int? {
        var total = elementSize
        for d in dims {
            guard d >= 0 else { return nil }
            let (p, o) = total.multipliedReportingOverflow(by: d)
            if o { return nil }
            total = p
        }
        return total
    }

    /// Checks that an array of `dims` elements of `elementSize` bytes fits the limit; returns its byte
    /// count. The error (built by `blame` from the message) says what needs how much:
    /// `--orientations: the HoG blocks would need 13.8 GB, more than the memory limit of 17.4 GB (--max-memory)`.
    @discardableResult
    public static func require(_ dims: [Int], elementSize: Int = 4, for what: String,
                               blame: (String) -> PerceptError) throws -> Int {
        try require(bytes: bytes(dims, elementSize: elementSize), for: what, blame: blame)
    }

    /// As `require(_:elementSize:for:blame:)` for a byte count already computed (nil: it overflowed).
    @discardableResult
    public static func require(bytes: Int?, for what: String, blame: (String) -> PerceptError) throws -> Int {
        let limit = maxMemory.value
        guard let n = bytes else {
            throw blame("\(what) would need more memory than can be addressed (the limit is \(format(limit)); --max-memory)")
        }
        guard n <= limit else {
            throw blame("\(what) would need \(format(n)), more than the memory limit of \(format(limit)) (--max-memory)")
        }
        return n
    }

    /// A byte count for people: `512 B`, `1.5 MB`, `13.8 GB` (powers of 1000, like `ls -h --si`).
    ///
    ///     ResourceLimits.format(13_838_400_032)   // "13.8 GB"
    public static func format(_ bytes: Int) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
        var v = Double(bytes), i = 0
        while v >= 1000 && i < units.count - 1 { v /= 1000; i += 1 }
        return i == 0 ? "\(bytes) B" : String(format: v < 10 ? "%.1f" : "%.0f", v) + " " + units[i]
    }

    /// Parses a size such as `512M`, `8G`, `1.5GB`, `1000000` (bytes); k/M/G/T are powers of 1024
    /// like `ulimit` and `docker --memory`. Nil for anything else, zero or negative.
    ///
    ///     ResourceLimits.parseSize("8G")   // 8589934592
    public static func parseSize(_ text: String) -> Int? {
        var s = text.trimmingCharacters(in: .whitespaces).uppercased()
        if s.hasSuffix("B") { s.removeLast() }
        let scale: Double
        switch s.last {
        case "K": scale = 1024.0
        case "M": scale = 1048576.0
        case "G": scale = 1073741824.0
        case "T": scale = 1099511627776.0
        default: scale = 1
        }
        if scale != 1 { s.removeLast() }
        guard let v = Double(s), v.isFinite, v > 0, v * scale < 9.0e18 else { return nil }
        let n = Int(v * scale)
        return n > 0 ? n : nil
    }
}
