import Foundation
import Testing

/// A mistyped `--gallery` path must not become a new, empty gallery: `identify` would then
/// call everyone "unknown" instead of saying the gallery is not there.
struct GalleryPathCLITests {
    @Test(arguments: [["identify"], ["gallery", "stats"], ["people", "list"], ["gallery", "reembed"]])
    func readingCommandsRefuseAMissingGallery(command: [String]) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("visage-missing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("typo.gallery").path
        let photoArguments = command == ["identify"] || command == ["gallery", "reembed"] ? [CLITests.portrait] : []
        let run = try CLITests.visage(command + ["--gallery", missing] + photoArguments)
        #expect(run.status == 3)
        #expect(run.stderr.contains("There is no gallery at \(missing)"))
        #expect(!FileManager.default.fileExists(atPath: missing))
    }
}
