import PerceptCore
import PerceptIO

/// TensorBoard's event file as the telemetry's sink: pictures are encoded as PNG on the way.
final class EventSink: SummarySink {
    let writer: EventFileWriter

    /// Starts a new event file in `directory` (a resumed run adds a second file; TensorBoard reads both).
    init(directory: String) throws { writer = try EventFileWriter(directory: directory) }

    func scalar(_ tag: String, _ value: Float, step: Int) throws { try writer.addScalar(tag, value: value, step: step) }

    func histogram(_ tag: String, _ values: UnsafeBufferPointer<Float>, step: Int) throws {
        try writer.addHistogram(tag, values: values, step: step)
    }

    func image(_ tag: String, _ picture: Tensor, step: Int) throws {
        try writer.addImage(tag, png: ImageFile.encodePNG(picture), height: picture.shape[1], width: picture.shape[2],
                            channels: picture.shape[0], step: step)
    }

    func flush() throws { try writer.flush() }

    deinit { try? writer.close() }
}
