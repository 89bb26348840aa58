import Foundation
import PerceptCore

/// Element types Percept reads and writes in .npy files (little-endian, C order).
public enum NpyDType: String, Sendable, CaseIterable {
    case float32 = "<f4", float64 = "<f8", int64 = "<i8", uint8 = "|u1"

    public var size: Int {
        switch self {
        case .float32: return 4
        case .float64, .int64: return 8
        case .uint8: return 1
        }
    }

    /// numpy's name for the type.
    public var name: String {
        switch self {
        case .float32: return "float32"
        case .float64: return "float64"
        case .int64: return "int64"
        case .uint8: return "uint8"
        }
    }
}

/// One numpy array: shape, dtype and its raw little-endian bytes.
public struct NpyArray: Sendable, Equatable {
    public var shape: [Int]
    public var dtype: NpyDType
    public var bytes: [UInt8]

    public init(shape: [Int], dtype: NpyDType, bytes: [UInt8]) {
        precondition(Tensor.count(of: shape) * dtype.size == bytes.count)
        self.shape = shape; self.dtype = dtype; self.bytes = bytes
    }

    /// A float32 array holding a tensor.
    public init(_ t: Tensor) {
        shape = t.shape; dtype = .float32
        bytes = t.storage.withUnsafeBytes { [UInt8]($0) }
    }

    /// An int64 array (labels, indices).
    public init(int64 values: [Int64], shape: [Int]) {
        self.shape = shape; dtype = .int64
        bytes = values.withUnsafeBytes { [UInt8]($0) }
    }

    /// A uint8 array.
    public init(uint8 values: [UInt8], shape: [Int]) {
        self.shape = shape; dtype = .uint8; bytes = values
    }

    /// The values converted to Float (lossy for float64 and large int64).
    public func floats() -> [Float] {
        let n = Tensor.count(of: shape)
        return bytes.withUnsafeBytes { raw in
            switch dtype {
            case .float32: return (0..<n).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
            case .float64: return (0..<n).map { Float(raw.loadUnaligned(fromByteOffset: $0 * 8, as: Double.self)) }
            case .int64: return (0..<n).map { Float(raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
            case .uint8: return raw.map { Float($0) }
            }
        }
    }

    /// The values as Int64 (truncating floats).
    public func int64s() -> [Int64] {
        switch dtype {
        case .int64:
            return bytes.withUnsafeBytes { raw in (0..<Tensor.count(of: shape)).map { raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self) } }
        default: return floats().map { Int64($0) }
        }
    }

    public func tensor() -> Tensor { Tensor(unchecked: shape, data: floats()) }
}

/// NumPy's .npy format (version 1.0 written; 1.0–3.0 read), so outputs open with `numpy.load`.
public enum Npy {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]   // "\x93NUMPY"

    /// Reads a .npy file.
    ///
    ///     let a = try Npy.load("mfcc.npy")
    public static func load(_ path: String) throws -> NpyArray {
        try FileChecks.requireReadableFile(path)
        guard let data = FileManager.default.contents(atPath: path) else { throw PerceptError.badInput(file: path, "cannot read") }
        return try decode([UInt8](data), name: path)
    }

    /// Reads a .npy file of any supported dtype as a Float tensor.
    public static func loadTensor(_ path: String) throws -> Tensor { try load(path).tensor() }

    /// Writes a tensor as float32 .npy (atomically).
    ///
    ///     try Npy.save(t, to: "out.npy")
    /// The header, then the tensor's own storage: no copy of the data is made (for a 600 s
    /// spectrogram three 60 MB copies were most of the command's page faults).
    public static func save(_ t: Tensor, to path: String) throws {
        try withParts(t) { try AtomicFile.write($0, then: $1, to: path) }
    }

    /// Calls `body` with the float32 .npy header of `t` and the data bytes that follow it: the
    /// tensor's own storage on a little-endian machine, not a copy. Writers (`Npy.save`,
    /// `AtomicWriter`) and digests take the two parts in turn.
    ///
    ///     try Npy.withParts(t) { head, data in try writer.write(head, then: data, to: "out/a.npy") }
    public static func withParts<R>(_ t: Tensor, _ body: ([UInt8], UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        #if _endian(little)
        let head = header(dtype: .float32, shape: t.shape)
        return try t.withUnsafeBufferPointer { try body(head, UnsafeRawBufferPointer($0)) }
        #else
        let a = NpyArray(t)
        return try a.bytes.withUnsafeBytes { try body(header(dtype: a.dtype, shape: a.shape), $0) }
        #endif
    }

    public static func save(_ a: NpyArray, to path: String) throws {
        try a.bytes.withUnsafeBytes { try AtomicFile.write(header(dtype: a.dtype, shape: a.shape), then: $0, to: path) }
    }

    /// The bytes of a .npy file holding `a`.
    public static func encode(_ a: NpyArray) -> [UInt8] { header(dtype: a.dtype, shape: a.shape) + a.bytes }

    /// Magic, version 1.0, header length and the header dict, padded with spaces and a newline so
    /// the data starts at a multiple of 64 bytes, as numpy writes it.
    static func header(dtype: NpyDType, shape dims: [Int]) -> [UInt8] {
        let shape = dims.count == 1 ? "(\(dims[0]),)" : "(" + dims.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(dtype.rawValue)', 'fortran_order': False, 'shape': \(shape), }"
        let total = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        let n = header.utf8.count
        return magic + [1, 0, UInt8(n & 0xFF), UInt8(n >> 8)] + Array(header.utf8)
    }

    /// Parses .npy bytes; `name` is used in error messages.
    public static func decode(_ b: [UInt8], name: String) throws -> NpyArray {
        func bad(_ m: String) -> PerceptError { .badInput(file: name, m) }
        guard b.count >= 10, Array(b[0..<6]) == magic else { throw bad("not a .npy file (bad magic)") }
        let major = b[6]
        var hlen: Int, start: Int
        switch major {
        case 1: hlen = Int(b[8]) | Int(b[9]) << 8; start = 10
        case 2, 3:
            guard b.count >= 12 else { throw bad("truncated header") }
            hlen = Int(b[8]) | Int(b[9]) << 8 | Int(b[10]) << 16 | Int(b[11]) << 24; start = 12
        default: throw bad("unsupported .npy version \(major)")
        }
        guard b.count >= start + hlen else { throw bad("truncated header") }
        guard let header = String(bytes: b[start..<(start + hlen)], encoding: .utf8) else { throw bad("header is not text") }
        // Exactly what numpy's read_array_header accepts: a dict literal with the keys descr,
        // fortran_order and shape, nothing else; a shape tuple of non-negative integers.
        guard let entries = dictEntries(header) else { throw bad("header is not a Python dict literal: \(escaped(header))") }
        guard Set(entries.keys) == ["descr", "fortran_order", "shape"], entries.count == 3 else {
            throw bad("header keys are \(entries.keys.sorted().joined(separator: ", ")); numpy requires exactly descr, fortran_order, shape")
        }
        let descr = entries["descr"]!, fortran = entries["fortran_order"]!, shapeText = entries["shape"]!
        guard descr.count >= 2, let q = descr.first, q == "'" || q == "\"", descr.last == q else { throw bad("descr \(escaped(descr)) is not a string") }
        let d = String(descr.dropFirst().dropLast())
        let aliases = ["<f4": NpyDType.float32, "<f8": .float64, "<i8": .int64, "|u1": .uint8, "<u1": .uint8, "u1": .uint8]
        guard let dtype = aliases[d] else { throw bad("unsupported dtype '\(escaped(d))' (float32, float64, int64, uint8 are)") }
        guard fortran == "False" || fortran == "True" else { throw bad("fortran_order \(escaped(fortran)) is not True or False") }
        guard fortran == "False" else { throw bad("Fortran-order arrays are not supported; save with C order") }
        guard shapeText.hasPrefix("("), shapeText.hasSuffix(")") else { throw bad("shape \(escaped(shapeText)) is not a tuple") }
        var parts = shapeText.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        // "()" is a scalar, "(5,)" one dimension: only one trailing empty part, after at least one number.
        if parts == [""] { parts = [] } else if parts.count >= 2, parts.last == "" { parts.removeLast() }
        var shape = [Int]()
        for t in parts {
            guard let v = Int(t), v >= 0 else { throw bad("bad shape \(escaped(shapeText))") }
            shape.append(v)
        }
        let (count, overflow) = shape.reduce((1, false)) { acc, d in
            let (p, o) = acc.0.multipliedReportingOverflow(by: d); return (p, acc.1 || o)
        }
        guard !overflow, count <= (Int.max / 8) else { throw bad("shape \(shape) is too large") }
        let need = count * dtype.size
        let body = start + hlen
        guard b.count - body >= need else {
            throw bad("truncated data: shape \(shape) needs \(need) bytes, file has \(b.count - body)")
        }
        return NpyArray(shape: shape, dtype: dtype, bytes: Array(b[body..<(body + need)]))
    }

    /// The entries of a header dict literal `{'k': v, ...}` (a trailing comma and the padding
    /// spaces and newline allowed), keys unquoted; nil when it is not one.
    static func dictEntries(_ header: String) -> [String: String]? {
        let t = header.trimmingCharacters(in: .whitespacesAndNewlines)
        guard t.hasPrefix("{"), t.hasSuffix("}") else { return nil }
        var items: [String] = [], cur = "", depth = 0, quote: Character? = nil
        for ch in t.dropFirst().dropLast() {
            if let q = quote { if ch == q { quote = nil } }
            else if ch == "'" || ch == "\"" { quote = ch }
            else if ch == "(" { depth += 1 } else if ch == ")" { depth -= 1; if depth < 0 { return nil } }
            else if ch == ",", depth == 0 { items.append(cur); cur = ""; continue }
            cur.append(ch)
        }
        guard quote == nil, depth == 0 else { return nil }
        if !cur.trimmingCharacters(in: .whitespaces).isEmpty { items.append(cur) }
        var out: [String: String] = [:]
        for item in items {
            guard let colon = item.firstIndex(of: ":") else { return nil }
            let k = item[..<colon].trimmingCharacters(in: .whitespaces), v = item[item.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard k.count >= 2, let q = k.first, q == "'" || q == "\"", k.last == q, !v.isEmpty else { return nil }
            let key = String(k.dropFirst().dropLast())
            guard out[key] == nil else { return nil }
            out[key] = v
        }
        return out
    }

    /// Header text for a one-line message: control characters escaped, at most 80 characters.
    static func escaped(_ s: String) -> String {
        let e = s.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? String(format: "\\x%02x", $0.value) : String($0) }.joined()
        return e.count > 80 ? String(e.prefix(80)) + "…" : e
    }
}
