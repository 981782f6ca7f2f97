public import Foundation

/// Where the test targets find what they read, in one place: the models and sample photos that
/// `scripts/setup` puts in `$VISAGE_HOME` (default `~/.cache/visage`), the shared data sets
/// (`$VISAGE_DATA`, else `<repo>/../shared/data`), and scratch folders. Each test target adds
/// its own helpers in an `extension Fixtures`.
///
/// A missing sample is a failure (`make test` runs the set-up first); missing data or models
/// are for `.enabled(if:)` to skip on, saying why.
public enum Fixtures {
    /// The repository's root folder (this file is Tests/VisageTestSupport/Fixtures.swift).
    public static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `$VISAGE_HOME`, else `~/.cache/visage`.
    public static var visageHome: String {
        let env = ProcessInfo.processInfo.environment["VISAGE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
        return env ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/visage").path
    }

    /// `$VISAGE_MODELS`, else `$VISAGE_HOME/models`: the folder the analyzer loads from.
    public static var modelDirectory: String {
        ProcessInfo.processInfo.environment["VISAGE_MODELS"].flatMap { $0.isEmpty ? nil : $0 } ?? visageHome + "/models"
    }

    /// Whether the model folder holds `fileName`.
    public static func hasModel(_ fileName: String) -> Bool {
        FileManager.default.fileExists(atPath: modelDirectory + "/" + fileName)
    }

    /// Whether the set-up's detector and SFace are there.
    public static var hasModels: Bool { hasModel("yunet_2023mar.onnx") && hasModel("sface_2021dec.onnx") }

    /// A sample photo the set-up provisions, `$VISAGE_HOME/samples/<name>`; nil when missing.
    public static func samplePath(_ name: String) -> String? {
        let path = visageHome + "/samples/" + name
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// A sample photo the set-up provisions; missing, it throws, which fails the test saying
    /// to run the set-up.
    public static func sample(_ name: String) throws -> String {
        guard let path = samplePath(name) else { throw Missing(description: "sample \(visageHome)/samples/\(name) is missing: run `make setup` (scripts/setup) first") }
        return path
    }

    /// A fixture that should be there and is not.
    public struct Missing: Error, CustomStringConvertible {
        public var description: String
    }

    /// `$VISAGE_DATA`, else `<repo>/../shared/data`; nil when absent (tests using it skip).
    public static var dataDirectory: String? {
        let env = ProcessInfo.processInfo.environment["VISAGE_DATA"].flatMap { $0.isEmpty ? nil : $0 }
        let path = env ?? repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    public static var hasData: Bool { dataDirectory != nil }

    /// `<data>/<relative>`; nil when the data or that file or folder is absent.
    public static func data(_ relative: String) -> String? {
        guard let root = dataDirectory else { return nil }
        let path = root + "/" + relative
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// A new empty folder, removed when the test process exits (``TemporaryDirectory``).
    public static func temporaryDirectory(prefix: String = "visage-tests") throws -> String {
        try TemporaryDirectory.make(prefix: prefix).path
    }
}
