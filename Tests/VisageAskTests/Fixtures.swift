import Foundation
import Testing
import Visage
import VisageAsk

/// Real photos from the set-up step's samples and the shared data; analysed once per process.
enum Fixtures {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var visageHome: String {
        if let home = ProcessInfo.processInfo.environment["VISAGE_HOME"], !home.isEmpty { return home }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/visage").path
    }

    /// A photo provisioned by `scripts/setup`; missing is a failure (run `make setup`).
    static func sample(_ name: String) throws -> String {
        let path = visageHome + "/samples/" + name
        guard FileManager.default.fileExists(atPath: path) else {
            Issue.record("sample \(path) is missing: run `make setup` (scripts/setup) first")
            throw CancellationError()
        }
        return path
    }

    /// `$VISAGE_DATA`, else `<repo>/../shared/data`; nil when absent (tests using it skip).
    static var dataDirectory: String? {
        let env = ProcessInfo.processInfo.environment["VISAGE_DATA"].flatMap { $0.isEmpty ? nil : $0 }
        let path = env ?? repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    static func data(_ relative: String) -> String? {
        guard let root = dataDirectory else { return nil }
        let path = root + "/" + relative
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    static var hasData: Bool { dataDirectory != nil }

    static let analyzer: FaceAnalyzer? = try? FaceAnalyzer()

    /// The measured analysis of a sample photo, as `visage ask` builds it.
    static func photo(_ name: String) async throws -> PhotoAnalysis {
        let path = try sample(name)
        let analyzer = try #require(analyzer, "models missing: run `make setup`")
        let analyzed = try await analyzer.analyze(contentsOf: path)
        return PhotoAnalysis(faces: analyzed.faces, width: analyzed.width, height: analyzed.height)
    }

    static let fixtureDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
}
