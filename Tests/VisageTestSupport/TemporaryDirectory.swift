public import Foundation

/// Scratch folders for tests, removed when the test process exits, so that runs do not leave
/// `visage-*-tests-*` folders behind in /tmp. Tests run in parallel in one process, so a folder
/// is only removed at exit, never while another test may still use it.
public enum TemporaryDirectory {
    private nonisolated(unsafe) static var made: [URL] = []
    private static let lock = NSLock()
    private static let removesAtExit: Void = {
        atexit { TemporaryDirectory.removeAll() }
    }()

    /// A new empty folder `<tmp>/<prefix>-<UUID>`.
    public static func make(prefix: String) throws -> URL {
        _ = removesAtExit
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        lock.withLock { made.append(url) }
        return url
    }

    static func removeAll() {
        let folders = lock.withLock { made }
        for folder in folders { try? FileManager.default.removeItem(at: folder) }
    }
}
