import Foundation
import Testing

/// Where the shared data sets and models are, and scratch folders; tests that need data or
/// models skip (with the reason) when they are absent.
enum Fixtures {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `$VISAGE_DATA`, else `<repo>/../shared/data`; nil when absent.
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

    /// The model folder `scripts/setup` fills, when it holds the detector.
    static var hasModels: Bool {
        let env = ProcessInfo.processInfo.environment
        let models = env["VISAGE_MODELS"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (env["VISAGE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/visage").path) + "/models"
        return FileManager.default.fileExists(atPath: models + "/yunet_2023mar.onnx")
    }

    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("visage-eval-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
