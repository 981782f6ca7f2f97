import Foundation

/// Shared data and models for the real-photo tests, which skip (saying why) when either is absent.
enum Fixtures {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `$VISAGE_DATA/<relative>`, else `<repo>/../shared/data/<relative>`; nil when absent.
    static func data(_ relative: String) -> String? {
        let env = ProcessInfo.processInfo.environment["VISAGE_DATA"].flatMap { $0.isEmpty ? nil : $0 }
        let root = env ?? repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data").path
        let path = root + "/" + relative
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// The model folder `scripts/setup` fills.
    static var models: String {
        let env = ProcessInfo.processInfo.environment
        return env["VISAGE_MODELS"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (env["VISAGE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/visage").path) + "/models"
    }

    /// Whether the model folder holds the detector (and so the set-up's models).
    static var hasModels: Bool { hasModel("yunet_2023mar.onnx") }

    static func hasModel(_ fileName: String) -> Bool {
        FileManager.default.fileExists(atPath: models + "/" + fileName)
    }

    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("visage-heads-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
