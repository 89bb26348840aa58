import Foundation
import PerceptCore

/// Writes TensorBoard event files, like torch.utils.tensorboard's SummaryWriter: one file
/// `events.out.tfevents.<unix seconds>.<host>.<pid>` per writer, whose first event carries
/// `file_version: "brain.Event:2"`, then one event per scalar, histogram or image. Events are
/// buffered until `flush()` (call it once per epoch) or `close()`.
///
///     let tb = try EventFileWriter(directory: "runs/mnist/tensorboard/cnn")
///     try tb.addScalar("train/loss", value: 0.31, step: 1)
///     try tb.addHistogram("weights/dense_1/weight", values: weights, step: 1)
///     try tb.flush()
public final class EventFileWriter {
    /// The event file's path.
    public var path: String { records.path }
    private let records: TFRecordWriter

    /// Creates `directory` (and its parents) and the event file in it. `wallTime` (seconds since
    /// 1970; default now) stamps the file-version event and names the file; a name already taken
    /// (a second writer in the same second) gets a suffix ".1", ".2", …
    public init(directory: String, wallTime: Double? = nil) throws {
        let time = wallTime ?? Self.now()
        try AtomicFile.makeFolder(directory, for: directory)
        let base = (directory as NSString).appendingPathComponent(
            "events.out.tfevents.\(String(format: "%010d", Int(time))).\(Self.hostName()).\(getpid())")
        var name = base, suffix = 0
        while FileManager.default.fileExists(atPath: name) {
            suffix += 1
            name = base + ".\(suffix)"
        }
        records = try TFRecordWriter(path: name)
        // As tensorboard's EventFileWriter: file_version (3) and source_metadata (10) naming the writer.
        try records.write(Self.event(wallTime: time, step: 0) { event in
            event.writeString(field: 3, "brain.Event:2")
            event.writeMessage(field: 10) { $0.writeString(field: 1, Self.writerName) }
        })
        try records.flush()
    }

    /// The `SourceMetadata.writer` of the first event.
    public static let writerName = "percept"

    /// A scalar (Summary.Value.simple_value).
    ///
    ///     try tb.addScalar("validation/accuracy", value: 0.98, step: epoch)
    public func addScalar(_ tag: String, value: Float, step: Int, wallTime: Double? = nil) throws {
        try addSummaryValue(tag, step: step, wallTime: wallTime) { $0.writeFloat(field: 2, value) }
    }

    /// A histogram of `values`, bucketed as torch's `add_histogram` does (see `TensorBoardHistogram`).
    /// Throws when no value is finite within ±1e20.
    ///
    ///     try tb.addHistogram("weights/conv2d_1/weight", values: layer.weight.storage, step: epoch)
    public func addHistogram(_ tag: String, values: UnsafeBufferPointer<Float>, step: Int, wallTime: Double? = nil) throws {
        let histogram: TensorBoardHistogram
        do { histogram = try TensorBoardHistogram(values: values) } catch let e as PerceptError {
            throw PerceptError.invalidArgument(field: tag, e.message)
        }
        try addHistogram(tag, histogram, step: step, wallTime: wallTime)
    }

    public func addHistogram(_ tag: String, values: [Float], step: Int, wallTime: Double? = nil) throws {
        try values.withUnsafeBufferPointer { try addHistogram(tag, values: $0, step: step, wallTime: wallTime) }
    }

    /// A histogram already computed.
    public func addHistogram(_ tag: String, _ histogram: TensorBoardHistogram, step: Int, wallTime: Double? = nil) throws {
        let proto = histogram.encoded()
        try addSummaryValue(tag, step: step, wallTime: wallTime) { $0.writeBytes(field: 5, proto) }
    }

    /// An image from encoded PNG bytes (Summary.Image; colorspace = channels: 1 gray, 3 RGB, 4 RGBA).
    ///
    ///     try tb.addImage("filters/conv2d_1", png: try ImageFile.encodePNG(grid), height: 28, width: 56, channels: 1, step: epoch)
    public func addImage(_ tag: String, png: [UInt8], height: Int, width: Int, channels: Int, step: Int,
                         wallTime: Double? = nil) throws {
        guard height > 0, width > 0, [1, 2, 3, 4].contains(channels), !png.isEmpty else {
            throw PerceptError.invalidArgument(field: tag, "image needs PNG bytes, height and width > 0 and 1–4 channels, got \(height)x\(width)x\(channels)")
        }
        try addSummaryValue(tag, step: step, wallTime: wallTime) { value in
            value.writeMessage(field: 4) { image in
                image.writeInt(field: 1, Int64(height))
                image.writeInt(field: 2, Int64(width))
                image.writeInt(field: 3, Int64(channels))
                image.writeBytes(field: 4, png)
            }
        }
    }

    /// Writes the buffered events to the file.
    public func flush() throws { try records.flush() }

    /// Flushes and closes the file; later additions throw.
    public func close() throws { try records.close() }

    /// One Event holding a Summary with one Value: tag (field 1), then what `body` writes.
    private func addSummaryValue(_ tag: String, step: Int, wallTime: Double?, _ body: (inout ProtobufWriter) -> Void) throws {
        try records.write(Self.event(wallTime: wallTime ?? Self.now(), step: step) { event in
            event.writeMessage(field: 5) { summary in
                summary.writeMessage(field: 1) { value in
                    value.writeString(field: 1, tag)
                    body(&value)
                }
            }
        })
    }

    /// Event bytes: wall_time (1), step (2), then the rest (fields 3 or 5), in field order.
    static func event(wallTime: Double, step: Int, _ body: (inout ProtobufWriter) -> Void) -> [UInt8] {
        var w = ProtobufWriter()
        w.writeDoubleIfNonZero(field: 1, wallTime)
        w.writeIntIfNonZero(field: 2, Int64(step))
        body(&w)
        return w.bytes
    }

    private static func now() -> Double { Date().timeIntervalSince1970 }

    /// The host name as Python's socket.gethostname() gives it (the kernel's node name).
    private static func hostName() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        guard gethostname(&buf, buf.count - 1) == 0 else { return "localhost" }
        return buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
