import Foundation
import Testing
import VisageTestSupport

/// What the image tests add to the shared fixtures. None of the photos they decode are stored in
/// the repository: the samples come from `scripts/setup` and the data sets from
/// `../shared/data`, and variants (rotated, truncated, relabelled) are derived from them in a
/// temporary folder at test time.
extension Fixtures {
    static func sampleBytes(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: URL(fileURLWithPath: sample(name))))
    }

    /// The shared data folder (``Fixtures/dataDirectory``); tests that need it are skipped when absent.
    static var sharedData: String? { dataDirectory }

    static var hasSharedData: Bool { sharedData != nil }
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
