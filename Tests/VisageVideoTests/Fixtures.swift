import Foundation
import Testing

/// The shared clips (../shared/data/videos) and temporary files for the video tests.
enum Fixtures {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var visageHome: URL {
        if let home = ProcessInfo.processInfo.environment["VISAGE_HOME"], !home.isEmpty { return URL(fileURLWithPath: home) }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/visage")
    }

    /// `$VISAGE_DATA`, else `<repo>/../shared/data`; nil when absent (tests using it skip).
    static var dataDirectory: URL? {
        let env = ProcessInfo.processInfo.environment["VISAGE_DATA"].flatMap { $0.isEmpty ? nil : $0 }
        let url = env.map { URL(fileURLWithPath: $0) } ?? repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// A real clip from the shared data: LivePortrait's driving video d0 (MIT), 512×512, 25 fps.
    static var clip: String? {
        guard let path = dataDirectory?.appendingPathComponent("videos/liveportrait-d0.mp4").path,
              FileManager.default.fileExists(atPath: path) else { return nil }
        return path
    }

    static var hasClip: Bool { clip != nil }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("visage-video-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
