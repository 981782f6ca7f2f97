import Foundation
import Testing

/// Scratch datasets, the set-up step's models and samples, and the shared data when present;
/// tests that need data or models skip, saying why, when they are absent.
enum Fixtures {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var visageHome: String {
        let env = ProcessInfo.processInfo.environment["VISAGE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
        return env ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/visage").path
    }

    /// `$VISAGE_DATA`, else `<repo>/../shared/data`; nil when absent.
    static var dataDirectory: String? {
        let env = ProcessInfo.processInfo.environment["VISAGE_DATA"].flatMap { $0.isEmpty ? nil : $0 }
        let path = env ?? repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    static var cfpImages: String? {
        guard let root = dataDirectory else { return nil }
        let path = root + "/cfp/Data/Images"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    static var hasModels: Bool {
        FileManager.default.fileExists(atPath: visageHome + "/models/yunet_2023mar.onnx")
            && FileManager.default.fileExists(atPath: visageHome + "/models/sface_2021dec.onnx")
    }

    static func sample(_ name: String) -> String? {
        let path = visageHome + "/samples/" + name
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("visage-dataset-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes `bytes` to `root/relative`, creating folders.
    static func write(_ bytes: [UInt8], _ root: String, _ relative: String) throws {
        let path = root + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}
