import Foundation
import Testing

/// Real photos the tests decode. None are stored in the repository: the samples come
/// from `scripts/setup` and the data sets from `../shared/data`, and variants (rotated,
/// truncated, relabelled) are derived from them in a temporary folder at test time.
enum Fixtures {
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    /// `$VISAGE_HOME/samples` (default `~/.cache/visage/samples`), filled by `scripts/setup`.
    static func sample(_ name: String) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let home = environment["VISAGE_HOME"] ?? (NSHomeDirectory() + "/.cache/visage")
        let path = home + "/samples/" + name
        guard FileManager.default.fileExists(atPath: path) else {
            throw Missing(description: "sample \(path) is missing: run scripts/setup (make test runs it first)")
        }
        return path
    }

    static func sampleBytes(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: URL(fileURLWithPath: sample(name))))
    }

    /// `$VISAGE_DATA` (default `<repo>/../shared/data`); tests that need it are skipped when absent.
    static let sharedData: String? = {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()  // Support
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = ProcessInfo.processInfo.environment["VISAGE_DATA"] ?? repository.appendingPathComponent("../shared/data").path
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue ? path : nil
    }()

    static let hasSharedData = sharedData != nil
    static let noSharedData: Comment = "shared data not found: set VISAGE_DATA or place it at ../shared/data"

    /// The first few files (sorted, for repeatability) in a folder of the shared data.
    static func sharedFiles(in folder: String, suffix: String, limit: Int) throws -> [String] {
        let directory = try #require(sharedData) + "/" + folder
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(suffix) }.sorted().prefix(limit)
        try #require(!names.isEmpty, "no \(suffix) files in \(directory)")
        return names.map { directory + "/" + $0 }
    }
}

/// A fresh folder under the system's temporary directory, removed when the test ends.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "visage-core-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `bytes` to a file called `name` in the folder and returns its path.
    func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = path + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }
}
