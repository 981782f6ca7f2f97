import Foundation
import Testing
import VisageTestSupport

/// Commands that use what they can of their input and name the rest: an unreadable photo is
/// named with its reason and the exit code is 3 (as for analyze and the dataset tools), a bad
/// line of an import file is named by the file's own line number.
struct PartlyBadInputCLITests {
    static var masks: String? { HeadCLITests.masks }

    /// A gallery with Tom Hanks enrolled, and its export.
    static func exportedGallery(in folder: String) throws -> String {
        let gallery = folder + "/g.gallery", export = folder + "/export.jsonl"
        let enroll = try CLITests.visage("enroll", "--gallery", gallery, "--name", "Tom", "--threads", "1", CLITests.portrait)
        #expect(enroll.status == 0, "\(enroll.stderr)")
        let exported = try CLITests.visage("gallery", "export", "--gallery", gallery, export)
        #expect(exported.status == 0, "\(exported.stderr)")
        return export
    }

    /// gallery import counted only non-empty lines, so a bad line after blank ones was
    /// reported with a smaller number than the file's.
    @Test func galleryImportNamesTheFilesOwnLineNumber() throws {
        let folder = try TemporaryDirectory.make(prefix: "visage-import-lines").path
        let record = try String(contentsOfFile: try Self.exportedGallery(in: folder), encoding: .utf8)
            .trimmingCharacters(in: .newlines)
        let file = folder + "/blank-lines.jsonl"
        // Lines: 1 a person, 2 and 3 empty, 4 spaces, 5 the person again, 6 empty, 7 not a record.
        try (record + "\n\n\n   \n" + record + "\r\n\n{broken\n").write(toFile: file, atomically: true, encoding: .utf8)
        let run = try CLITests.visage("gallery", "import", "--gallery", folder + "/copy.gallery", file)
        #expect(run.status == 3, "\(run.status) \(run.stderr)")
        #expect(run.stderr.contains("Import line 7:"), "\(run.stderr)")
        #expect(run.stdout.components(separatedBy: "imported #").count - 1 == 2, "\(run.stdout)")
    }
}
