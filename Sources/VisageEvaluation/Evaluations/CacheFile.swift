import Foundation

/// The check every evaluation cache makes before it reads or replaces its file.
enum CacheFile {
    /// Whether `path` is missing, empty, or starts with `magic` (a cache of that kind, of any
    /// models): only such a file may be replaced. A mistyped cache option must not overwrite
    /// or delete someone's file.
    static func isMissingOrStarts(_ path: String, with magic: String) -> Bool {
        guard FileManager.default.fileExists(atPath: path) else { return true }
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let start = (try? handle.read(upToCount: magic.utf8.count)) ?? Data()
        return start.isEmpty || start == Data(magic.utf8)
    }
}
