import Foundation

/// What every registry shows, whatever it builds: `percept list`, docs/reference.md and the
/// JSON Schema iterate these.
public protocol RegistryListing: AnyObject, Sendable {
    /// `layer`, `loss`, `augmentation stage`…
    var kind: String { get }
    var listed: [Registry<Any>.Info] { get }
}

/// The one name → component table, used for every kind of component. Lookup ignores case and
/// treats `-` and `_` alike (`Conv2D`, `max-pool2d`), knows aliases, suggests the closest name
/// when none matches, and takes components a user registers at run time.
///
///     let layers = Registry<any Layer>(kind: "layer")
///     layers.register(Conv2D.self) { try Conv2D($0) }
///     let conv = try layers.make("conv2d", ["out_channels": 8, "kernel_size": 3])
public final class Registry<Product>: RegistryListing, @unchecked Sendable {
    /// A registered component's description.
    public struct Info: @unchecked Sendable {
        public let name: String
        public let summary: String
        public let parameters: [ParameterSpec]
        public let aliases: [String]
        /// A word shown beside the name (`audio`, `image`): what the component takes.
        public let detail: String?
        /// The registered type (so callers can reach its other static members).
        public let type: any Component.Type
    }

    public struct Entry {
        public let info: Info
        public let make: (Parameters) throws -> Product
        /// `info.name` normalised, computed once (every command registers its components at start).
        let key: String
    }

    public let kind: String
    private let lock = NSLock()
    private var table: [Entry] = []

    public init(kind: String) { self.kind = kind }

    /// Adds (or replaces, by name) a component; `detail` is shown in listings.
    public func register<C: Component>(_ type: C.Type, detail: String? = nil, make: @escaping (Parameters) throws -> Product) {
        // `type.name`, not `C.name`: a class hierarchy (optimizers) answers through the subclass.
        let info = Info(name: type.name, summary: type.summary, parameters: type.parameters, aliases: type.aliases, detail: detail, type: type)
        lock.lock(); defer { lock.unlock() }
        let key = Registry.normalized(info.name)
        table.removeAll { $0.key == key }
        table.append(Entry(info: info, make: make, key: key))
    }

    /// Removes a component by name (case and `-`/`_` ignored); nothing happens when none has it.
    /// Lets a test or plug-in undo its `register`, since registries are shared by the process.
    ///
    ///     LayerRegistry.shared.unregister("scale")
    public func unregister(_ name: String) {
        lock.lock(); defer { lock.unlock() }
        let key = Registry.normalized(name)
        table.removeAll { $0.key == key }
    }

    /// Every entry, in registration order.
    public var entries: [Entry] { lock.lock(); defer { lock.unlock() }; return table }
    public var names: [String] { entries.map(\.info.name) }
    public var listed: [Registry<Any>.Info] {
        entries.map { Registry<Any>.Info(name: $0.info.name, summary: $0.info.summary, parameters: $0.info.parameters,
                                         aliases: $0.info.aliases, detail: $0.info.detail, type: $0.info.type) }
    }

    /// `Max-Pool2D` → `max_pool2d`.
    /// (Without Foundation's `replacingOccurrences`, which bridges through NSString: a tenth of
    /// every command's start-up.)
    public static func normalized(_ name: String) -> String {
        String(String.UnicodeScalarView(name.lowercased().unicodeScalars.map { $0 == "-" ? "_" : $0 }))
    }

    /// The entry for a name or alias, or nil.
    public func entry(named name: String) -> Entry? {
        let key = Registry.normalized(name)
        let all = entries
        return all.first { $0.key == key }
            ?? all.first { $0.info.aliases.contains { Registry.normalized($0) == key } }
    }

    /// The entry for a name; an unknown name is an error naming `field` with the closest match.
    public func lookup(_ name: String, field: String? = nil) throws -> Entry {
        if let e = entry(named: name) { return e }
        let hint = didYouMean(name, in: names)
        guard let field else { throw PerceptError.invalidArgument(field: name, "unknown \(kind)\(hint)") }
        throw PerceptError.invalidArgument(field: field, "unknown \(kind) '\(name)'\(hint)")
    }

    /// Builds a component from checked values. `path` and `origin` say where it was written
    /// (`models.cnn.layers[3].conv2d`, line and column), so errors point there.
    public func make(_ name: String, _ values: [String: Value] = [:], naming: Parameters.Naming = .yaml,
                     path: String? = nil, origin: Origin = .code) throws -> Product {
        let e = try lookup(name, field: path.map { $0 + origin.suffix })
        let shownPath = path.map { $0.hasSuffix(e.info.name) ? $0 : "\($0).\(e.info.name)" }
        return try e.make(Parameters(owner: e.info.name, specs: e.info.parameters, values: values, naming: naming,
                                     path: shownPath, origin: origin))
    }
}

/// One item of a component list as written in a file: a name (`relu`) or a one-key map of name
/// to options (`{conv2d: {out_channels: 8}}`, `gain: ~`). `path` names the item in errors.
///
///     let (name, options) = try componentItem(["gain": ["p": 0.5]], path: "stages[0]")
public func componentItem(_ v: Value, path: String) throws -> (name: String, options: [String: Value]) {
    if let name = v.scalarText { return (name, [:]) }
    guard let entries = v.entries, entries.count == 1, let e = entries.first else {
        throw PerceptError.invalidArgument(field: path + v.origin.suffix, "write one item per list entry, as `name` or `name: {options}`")
    }
    if e.value.isNull { return (e.key, [:]) }
    guard let opts = e.value.entries else {
        throw PerceptError.invalidArgument(field: "\(path).\(e.key)" + e.value.origin.suffix, "options must be a mapping such as {p: 0.5}")
    }
    var options: [String: Value] = [:]
    for o in opts { options[o.key] = o.value }
    return (e.key, options)
}

extension Registry {
    /// Builds every item of a list value (`[relu, {dense: {out_features: 10}}]`); items are
    /// named `path[i]` in errors.
    public func makeList(_ value: Value, path: String) throws -> [Product] {
        guard let items = value.items else {
            throw PerceptError.invalidArgument(field: path + value.origin.suffix, "expected a list of \(kind)s, got \(value)")
        }
        return try items.enumerated().map { i, item in
            let (name, options) = try componentItem(item, path: "\(path)[\(i)]")
            return try make(name, options, path: "\(path)[\(i)]", origin: item.origin)
        }
    }
}
