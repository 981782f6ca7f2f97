package import Foundation

/// The checks every append-only cache file makes (the evaluation caches, the dataset tools'
/// embedding store): whether a path may be taken as a cache, and the repair of a last line an
/// interrupted write cut short. `package`, not `public`: they serve Visage's own modules, not
/// users of the library.
package enum CacheFile {
    /// Whether `path` is missing, empty, or starts with `magic` (a cache of that kind, of any
    /// models): only such a file may be replaced. A mistyped cache option must not overwrite
    /// or delete someone's file.
    package static func isMissingOrStarts(_ path: String, with magic: String) -> Bool {
        guard FileManager.default.fileExists(atPath: path) else { return true }
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let start = (try? handle.read(upToCount: magic.utf8.count)) ?? Data()
        return start.isEmpty || start == Data(magic.utf8)
    }

    /// Leaves `handle` at the end of the file's last whole line, ready to append. A last line
    /// without its newline was cut short by an interrupted write: it is truncated away (readers
    /// ignore it), so that the next line appended starts a line of its own instead of being
    /// glued onto it, which lost both. A file with no newline at all (a header cut short) gets
    /// one instead, so that its first line is kept.
    ///
    /// Only the tail is read, backwards from the end in blocks of `block` bytes until a newline
    /// turns up, so a cache of any size costs about one line's bytes.
    ///
    /// ```swift
    /// let handle = try FileHandle(forUpdating: url)
    /// try CacheFile.dropLineCutShort(handle)
    /// try handle.write(contentsOf: Data(line.utf8))
    /// ```
    package static func dropLineCutShort(_ handle: FileHandle, block: UInt64 = 65_536) throws {
        let size = try handle.seekToEnd()
        guard size > 0 else { return }
        var end = size
        var lastByte = true
        while end > 0 {
            let start = end > block ? end - block : 0
            try handle.seek(toOffset: start)
            let chunk = try handle.read(upToCount: Int(end - start)) ?? Data()
            if lastByte {
                guard chunk.last != UInt8(ascii: "\n") else { try handle.seekToEnd(); return }
                lastByte = false
            }
            if let newline = chunk.lastIndex(of: UInt8(ascii: "\n")) {
                try handle.truncate(atOffset: start + UInt64(newline - chunk.startIndex + 1))
                return
            }
            end = start
        }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("\n".utf8))
    }
}
