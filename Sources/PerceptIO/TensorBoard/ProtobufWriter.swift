/// A minimal protocol-buffers wire-format encoder: just what TensorBoard's Event, Summary and
/// HistogramProto need. Fields go out in the order they are written, so callers write them in
/// field-number order, as protobuf's own serializers do; proto3 scalars equal to zero are the
/// caller's to skip (`writeIfNonZero` helpers do it).
///
///     var w = ProtobufWriter()
///     w.writeDouble(field: 1, 1.5)
///     w.writeString(field: 3, "brain.Event:2")
///     let bytes = w.bytes
public struct ProtobufWriter: Sendable {
    /// Wire types of the encoding (the low three bits of a field key).
    public enum WireType: UInt64, Sendable {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    /// The encoded message so far.
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// Appends a base-128 varint (negative Int64 values take ten bytes, as protobuf writes them).
    public mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Appends a field key: field number and wire type.
    public mutating func writeKey(field: Int, _ type: WireType) {
        precondition(field > 0 && field < 1 << 29, "protobuf field numbers are 1 ..< 2^29")
        writeVarint(UInt64(field) << 3 | type.rawValue)
    }

    public mutating func writeFixed32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func writeFixed64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// An int32/int64/uint field (varint; negatives sign-extended to 64 bits).
    public mutating func writeInt(field: Int, _ value: Int64) {
        writeKey(field: field, .varint)
        writeVarint(UInt64(bitPattern: value))
    }

    public mutating func writeDouble(field: Int, _ value: Double) {
        writeKey(field: field, .fixed64)
        writeFixed64(value.bitPattern)
    }

    public mutating func writeFloat(field: Int, _ value: Float) {
        writeKey(field: field, .fixed32)
        writeFixed32(value.bitPattern)
    }

    /// A bytes field (also a string's UTF-8 or an embedded message).
    public mutating func writeBytes<C: Collection>(field: Int, _ value: C) where C.Element == UInt8 {
        writeKey(field: field, .lengthDelimited)
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    public mutating func writeString(field: Int, _ value: String) {
        writeBytes(field: field, Array(value.utf8))
    }

    /// An embedded message, built by `body` into its own writer.
    ///
    ///     w.writeMessage(field: 5) { $0.writeFloat(field: 2, 0.5) }
    public mutating func writeMessage(field: Int, _ body: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        body(&inner)
        writeBytes(field: field, inner.bytes)
    }

    /// A packed repeated double field (written only when `values` is non-empty, as protobuf does).
    public mutating func writePackedDoubles(field: Int, _ values: [Double]) {
        guard !values.isEmpty else { return }
        writeKey(field: field, .lengthDelimited)
        writeVarint(UInt64(values.count * 8))
        bytes.reserveCapacity(bytes.count + values.count * 8)
        for v in values { writeFixed64(v.bitPattern) }
    }

    /// Proto3 leaves out scalars equal to zero (bit pattern: -0.0 is written, as protobuf 3 does).
    public mutating func writeDoubleIfNonZero(field: Int, _ value: Double) {
        if value.bitPattern != 0 { writeDouble(field: field, value) }
    }

    public mutating func writeIntIfNonZero(field: Int, _ value: Int64) {
        if value != 0 { writeInt(field: field, value) }
    }
}
