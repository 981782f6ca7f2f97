import VisageCore

/// One of `count` disjoint parts of a dataset, chosen by a stable hash of each image's relative
/// path, so that `n` batch jobs (a Kubernetes indexed Job, a Slurm array) each embed their own
/// part without talking to each other, and a re-run puts every image in the same shard.
///
/// The index is 0-based, as Kubernetes' `JOB_COMPLETION_INDEX`; with Slurm use
/// `--array=0-(n-1)`. The hash is 64-bit FNV-1a of the path's UTF-8 bytes, the same on every
/// platform and Swift version (unlike `Hasher`, which is seeded per process).
///
/// ```swift
/// let shard = try Shard(parsing: "3/8")
/// let mine = listing.images.filter { shard.contains($0.relativePath) }
/// ```
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    /// 0-based position, `0..<count`.
    public var index: Int
    /// How many shards in all; 1 means the whole dataset.
    public var count: Int

    /// The whole dataset as one shard.
    public static let all = Shard(uncheckedIndex: 0, count: 1)

    public init(index: Int, count: Int) throws(DatasetError) {
        guard count >= 1, index >= 0, index < count else { throw .invalidShard("\(index)/\(count)") }
        self.init(uncheckedIndex: index, count: count)
    }

    private init(uncheckedIndex index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses `"i/n"`.
    public init(parsing text: String) throws(DatasetError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else { throw .invalidShard(text) }
        do { try self.init(index: i, count: n) } catch { throw .invalidShard(text) }
    }

    public var description: String { "\(index)/\(count)" }

    /// Whether the image at `relativePath` belongs to this shard.
    public func contains(_ relativePath: String) -> Bool {
        Self.shard(of: relativePath, count: count) == index
    }

    /// The shard, out of `count`, an image at `relativePath` belongs to.
    public static func shard(of relativePath: String, count: Int) -> Int {
        Int(stableHash(relativePath) % UInt64(max(1, count)))
    }

    /// 64-bit FNV-1a of the UTF-8 bytes (``Swift/String/stableHash``).
    public static func stableHash(_ text: String) -> UInt64 { text.stableHash }
}
