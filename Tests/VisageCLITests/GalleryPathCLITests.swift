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

    /// SQLite takes a zero-byte file for a new database: a command that only reads must not
    /// write a gallery's tables into whatever empty file the path names.
    @Test(arguments: [["identify"], ["gallery", "stats"], ["people", "list"], ["gallery", "reembed"], ["ask"]])
    func readingCommandsLeaveAnEmptyFileAlone(command: [String]) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("visage-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let empty = folder.appendingPathComponent("photo.jpg").path
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        let arguments: [String] = switch command {
        case ["ask"]: ["ask", "--gallery", empty, CLITests.portrait, "who is this?"]
        case ["identify"], ["gallery", "reembed"]: command + ["--gallery", empty, CLITests.portrait]
        default: command + ["--gallery", empty]
        }
        let run = try CLITests.visage(arguments)
        #expect(run.status == 3)
        #expect(run.stderr.contains("\(empty) is empty (0 bytes), not a gallery"), "\(run.stderr)")
        #expect((try FileManager.default.attributesOfItem(atPath: empty)[.size] as? Int) == 0)
    }

    /// A folder, or a file in a folder that does not exist, is named in the message instead of
    /// SQLite's "unable to open database file".
    @Test func aFolderOrMissingParentIsNamed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("visage-folder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for command in [["gallery", "stats"], ["enroll", "--name", "Tom", CLITests.portrait]] {
            let run = try CLITests.visage(command + ["--gallery", folder.path])
            #expect(run.status == 3)
            #expect(run.stderr.contains("\(folder.path) is a folder, not a gallery"), "\(run.stderr)")
        }
        let orphan = folder.appendingPathComponent("no-such-folder/staff.gallery").path
        let run = try CLITests.visage(["enroll", "--gallery", orphan, "--name", "Tom", CLITests.portrait])
        #expect(run.status == 3)
        #expect(run.stderr.contains("Cannot create the gallery \(orphan): the folder \(folder.path)/no-such-folder does not exist"), "\(run.stderr)")
        #expect(!run.stderr.contains("SQLite error"))
    }
}
