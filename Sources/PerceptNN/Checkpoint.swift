import Foundation
import PerceptCore

/// The safetensors format: 8-byte little-endian header length, a JSON header (tensor name →
/// dtype, shape, data_offsets; plus string-valued `__metadata__`), then raw little-endian data.
/// Files written here load in Python with `safetensors.numpy.load_file`.
///
///     try SafeTensors.write([("0.weight", w)], metadata: ["note": "hi"], to: "m.safetensors")
public enum SafeTensors {
    public struct File: Sendable {
        public var tensors: [String: Tensor]
        /// Tensor names in file (data offset) order.
        public var names: [String]
        public var metadata: [String: String]
    }

    /// Writes F32 tensors in the given order; atomic (a temporary file is renamed over `path`).
    public static func write(_ tensors: [(String, Tensor)], metadata: [String: String], to path: String) throws {
        var header: [String: Any] = [:]
        var offset = 0
        for (name, t) in tensors {
            guard name != "__metadata__", header[name] == nil else {
                throw PerceptError.invalidArgument(field: name, "duplicate or reserved tensor name")
            }
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + 4 * t.count]]
            offset += 4 * t.count
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes])
        // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
        while json.count % 8 != 0 { json.append(0x20) }
        var data = Data(capacity: 8 + json.count + offset)
        var len = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &len) { data.append(contentsOf: $0) }
        data.append(json)
        for (_, t) in tensors {
            t.withUnsafeBufferPointer { b in
                // x86-64 and arm64 are little-endian, matching the format.
                data.append(UnsafeBufferPointer(start: UnsafeRawPointer(b.baseAddress!).assumingMemoryBound(to: UInt8.self), count: 4 * b.count))
            }
        }
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw PerceptError.runtime("\(path): cannot write checkpoint (\(error.localizedDescription))")
        }
    }

    /// Reads a safetensors file holding F32 (or F64/F16/BF16, converted) tensors; malformed files are clear errors.
    public static func read(_ path: String) throws -> File {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PerceptError.badInput(file: path, "cannot read the checkpoint (missing or unreadable)")
        }
        guard data.count >= 8 else { throw PerceptError.badInput(file: path, "not a safetensors file (\(data.count) bytes)") }
        let n = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard n <= UInt64(data.count - 8), n < 100_000_000 else {
            throw PerceptError.badInput(file: path, "not a safetensors file (header length \(n) exceeds the file)")
        }
        let headerEnd = 8 + Int(n)
        guard let obj = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<headerEnd)), let header = obj as? [String: Any] else {
            throw PerceptError.badInput(file: path, "not a safetensors file (header is not a JSON object)")
        }
        let body = data.count - headerEnd
        var file = File(tensors: [:], names: [], metadata: [:])
        if let m = header["__metadata__"] {
            guard let meta = m as? [String: String] else { throw PerceptError.badInput(file: path, "__metadata__ must map strings to strings") }
            file.metadata = meta
        }
        var entries: [(String, Int)] = []
        for (name, value) in header where name != "__metadata__" {
            guard let e = value as? [String: Any], let dtype = e["dtype"] as? String,
                  let shape = e["shape"] as? [Int], let offs = e["data_offsets"] as? [Int], offs.count == 2 else {
                throw PerceptError.badInput(file: path, "tensor '\(name)' has a malformed header entry")
            }
            let width: Int
            switch dtype {
            case "F32": width = 4
            case "F64": width = 8
            case "F16", "BF16": width = 2
            default: throw PerceptError.badInput(file: path, "tensor '\(name)' has dtype \(dtype); only floating-point tensors are supported")
            }
            // Shape and offsets come from the file: checked arithmetic, offsets ordered before subtracting.
            let (count, overflow) = shape.reduce((1, !shape.allSatisfy { $0 >= 0 })) { acc, d in
                let (p, o) = acc.0.multipliedReportingOverflow(by: d); return (p, acc.1 || o)
            }
            let (size, sizeOverflow) = count.multipliedReportingOverflow(by: width)
            guard !overflow, !sizeOverflow, offs[0] >= 0, offs[1] <= body, offs[0] <= offs[1], offs[1] - offs[0] == size else {
                throw PerceptError.badInput(file: path, "tensor '\(name)' data_offsets \(offs) do not fit shape \(shape) \(dtype) in \(body) data bytes")
            }
            var values = [Float](repeating: 0, count: count)
            data.withUnsafeBytes { raw in
                let base = raw.baseAddress! + headerEnd + offs[0]
                for i in 0..<count {
                    switch dtype {
                    case "F32": values[i] = Float(bitPattern: UInt32(littleEndian: (base + 4 * i).loadUnaligned(as: UInt32.self)))
                    case "F64": values[i] = Float(Double(bitPattern: UInt64(littleEndian: (base + 8 * i).loadUnaligned(as: UInt64.self))))
                    case "BF16": values[i] = Float(bitPattern: UInt32(UInt16(littleEndian: (base + 2 * i).loadUnaligned(as: UInt16.self))) << 16)
                    default: values[i] = Float(Float16Bits(UInt16(littleEndian: (base + 2 * i).loadUnaligned(as: UInt16.self))))
                    }
                }
            }
            file.tensors[name] = Tensor(unchecked: shape, data: values)
            entries.append((name, offs[0]))
        }
        file.names = entries.sorted { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }.map(\.0)
        return file
    }
}

/// IEEE half → Float without relying on the `Float16` type (absent on some x86 toolchains).
@inline(__always) func Float16Bits(_ h: UInt16) -> Float {
    let sign: Float = h & 0x8000 != 0 ? -1 : 1
    let e = Int((h >> 10) & 0x1F), m = Float(h & 0x3FF)
    if e == 0 { return sign * m * pow(2, -24) }
    if e == 31 { return m == 0 ? sign * .infinity : .nan }
    return sign * (1 + m / 1024) * pow(2, Float(e - 15))
}

/// Model checkpoints on top of `SafeTensors`: weights named `<layer>.weight` / `<layer>.bias`, buffers
/// (BatchNorm running statistics) named `<layer>.running_mean` / `<layer>.running_var`, and the
/// architecture (input shape, layer list, seed) as JSON in `__metadata__["architecture"]`, so a
/// model can be rebuilt from the file alone.
///
///     try Checkpoint.save(model, to: "lenet.safetensors"); let m = try Checkpoint.loadModel("lenet.safetensors")
public enum Checkpoint {
    public static let format = "percept-checkpoint-1"

    /// Weights, buffers and architecture (no optimizer state); see `Trainer.saveCheckpoint` for resumable files.
    /// `metadata` adds entries of your own (a pipeline records its feature chain and class names).
    public static func save(_ model: Sequential, to path: String, metadata: [String: String] = [:]) throws {
        try SafeTensors.write(stateTensors(model), metadata: modelMetadata(model).merging(metadata) { a, _ in a }, to: path)
    }

    /// The metadata entries of a checkpoint (`architecture`, `format`, and whatever the writer added).
    ///
    ///     let classes = try Checkpoint.metadata("model.safetensors")["pipeline"]
    public static func metadata(_ path: String) throws -> [String: String] { try SafeTensors.read(path).metadata }

    /// The model's parameters then buffers as named tensors (`0.weight`, `1.running_mean`).
    static func stateTensors(_ model: Sequential) -> [(String, Tensor)] {
        model.namedState.map { ($0.name, $0.param.tensor) }
    }

    /// The recorded input shape, layer list and seed, or nil when the metadata has none.
    static func architecture(_ file: SafeTensors.File, path: String) throws -> (inputShape: [Int], layers: [LayerSpec], seed: UInt64)? {
        guard let a = file.metadata["architecture"] else { return nil }
        guard let arch = parse(a), let shape = arch["input_shape"] as? [Int], let layers = arch["layers"] as? [[String: Any]] else {
            throw PerceptError.badInput(file: path, "malformed architecture in the checkpoint metadata")
        }
        let specs = layers.compactMap { l -> LayerSpec? in
            guard let t = l["type"] as? String else { return nil }
            return LayerSpec(t, values(l["values"]) ?? [:])
        }
        guard specs.count == layers.count else { throw PerceptError.badInput(file: path, "malformed layer list in the architecture") }
        return (shape, specs, (arch["seed"] as? String).flatMap(UInt64.init) ?? 0)
    }

    /// Rebuilds the model recorded in a checkpoint and loads its weights.
    public static func loadModel(_ path: String) throws -> Sequential {
        let file = try SafeTensors.read(path)
        guard let (shape, specs, seed) = try architecture(file, path: path) else {
            throw PerceptError.badInput(file: path, "no model architecture in the checkpoint metadata (was it written by Percept?)")
        }
        let model: Sequential
        do { model = try Sequential(specs, inputShape: shape, seed: seed) } catch let e as PerceptError {
            throw PerceptError.badInput(file: path, "architecture does not build: \(e.description)")
        }
        try loadWeights(into: model, file: file, path: path)
        return model
    }

    /// Loads every parameter and buffer of `model` from a checkpoint; a missing tensor or a shape mismatch is an error.
    public static func loadWeights(into model: Sequential, from path: String) throws {
        try loadWeights(into: model, file: SafeTensors.read(path), path: path)
    }

    static func loadWeights(into model: Sequential, file: SafeTensors.File, path: String) throws {
        // Same tensors are not enough (an activation could differ): compare the recorded layer list too.
        if let (shape, specs, _) = try architecture(file, path: path), specs != model.architecture || shape != model.inputShape {
            let differs = zip(specs, model.architecture).enumerated().first { $0.element.0 != $0.element.1 }
            let what = differs.map { "layer \($0.offset) is \($0.element.0.type) \($0.element.0.values) in the checkpoint, \($0.element.1.type) \($0.element.1.values) in the model" }
                ?? (shape != model.inputShape ? "input shape \(shape) in the checkpoint, \(model.inputShape) in the model"
                                             : "\(specs.count) layers in the checkpoint, \(model.layers.count) in the model")
            throw PerceptError.badInput(file: path, "checkpoint architecture differs: \(what)")
        }
        for (name, p) in model.namedState {
            guard let t = file.tensors[name] else {
                throw PerceptError.badInput(file: path, "checkpoint has no tensor '\(name)' (does it belong to another architecture?)")
            }
            guard t.shape == p.shape else {
                throw PerceptError.badInput(file: path, "tensor '\(name)' has shape \(t.shape), the model expects \(p.shape)")
            }
            try p.load(t, as: name)
        }
    }

    static func modelMetadata(_ model: Sequential) -> [String: String] {
        let layers: [[String: Any]] = model.architecture.map { ["type": $0.type, "values": $0.values.mapValues(\.jsonObject)] }
        return ["format": format,
                "architecture": json(["input_shape": model.inputShape, "layers": layers, "seed": String(model.seed)])]
    }

    static func json(_ obj: Any) -> String {
        guard let d = try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .withoutEscapingSlashes]) else { return "{}" }
        return String(decoding: d, as: UTF8.self)
    }

    /// Option values recorded as a JSON object (numbers, flags, text, nested lists and maps).
    static func values(_ json: Any?) -> [String: Value]? {
        guard let json, let data = try? JSONSerialization.data(withJSONObject: json) else { return nil }
        return try? JSONDecoder().decode([String: Value].self, from: data)
    }

    static func parse(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }
}
