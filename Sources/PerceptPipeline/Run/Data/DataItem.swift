/// One labelled sample of a `Dataset`: where it is and its class.
///
///     let item = DataItem(location: .file("Samples/spoken/3/en+f1_200_80.wav"), label: 3)
public struct DataItem: Sendable, Hashable {
    public enum Location: Sendable, Hashable {
        case file(String)
        /// Item `index` of an IDX images file.
        case idx(images: String, index: Int)
    }

    public let location: Location
    /// Index into `Dataset.classes`.
    public let label: Int
    /// The value of the `group_by` column (a speaker), when the data has one.
    public let group: String?

    public init(location: Location, label: Int, group: String? = nil) {
        self.location = location; self.label = label; self.group = group
    }

    /// The file's path, or `images.idx[17]` for an IDX item (for logs and errors).
    public var displayName: String {
        switch location {
        case let .file(p): return p
        case let .idx(images, index): return "\(images)[\(index)]"
        }
    }
}
