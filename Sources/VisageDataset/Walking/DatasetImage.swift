/// One image of an identity-folder dataset: where it is, relative to the dataset's root, and
/// which identity its top-level folder claims.
public struct DatasetImage: Sendable, Hashable, Comparable {
    /// Path below the root, `/`-separated: `"0042/frontal/01.jpg"`.
    public var relativePath: String
    /// The first path component: the identity the folder claims.
    public var identity: String

    public init(relativePath: String, identity: String) {
        self.relativePath = relativePath
        self.identity = identity
    }

    /// Byte order of the relative path, so every machine sorts the same way.
    public static func < (a: DatasetImage, b: DatasetImage) -> Bool {
        a.relativePath.utf8.lexicographicallyPrecedes(b.relativePath.utf8)
    }
}
