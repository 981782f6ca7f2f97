import Foundation
import Testing
import VisageTestSupport

/// `visage serve --keys FILE` with a file that holds no key refuses to start and names the file.
struct ServeKeysCLITests {
    @Test func anEmptyKeysFileIsNamed() throws {
        let folder = try TemporaryDirectory.make(prefix: "visage-serve-keys")
        let keys = folder.appendingPathComponent("keys.txt").path
        #expect(FileManager.default.createFile(atPath: keys, contents: Data("# no keys yet\n".utf8)))
        let run = try CLITests.visage("serve", "--keys", keys, "--port", "0", "--gallery", folder.appendingPathComponent("g.gallery").path)
        #expect(run.status == 64, "\(run.stderr)")
        #expect(run.stderr.contains("No API keys in \(keys)"), "\(run.stderr)")
        #expect(run.stderr.contains("`role key [name]`"), "\(run.stderr)")
    }
}

/// A gallery error the user caused (an unknown id, a wrong key) exits 3, as a bad image does,
/// not 1, which is left for failures of the environment.
struct GalleryExitCodeCLITests {
    @Test func anUnknownPersonAndAWrongKeyAreBadInput() throws {
        let folder = try TemporaryDirectory.make(prefix: "visage-gallery-exit")
        let gallery = folder.appendingPathComponent("g.gallery").path
        let key = folder.appendingPathComponent("key").path, other = folder.appendingPathComponent("other").path
        #expect(FileManager.default.createFile(atPath: key, contents: Data(repeating: 7, count: 32)))
        #expect(FileManager.default.createFile(atPath: other, contents: Data(repeating: 9, count: 32)))
        let enroll = try CLITests.visage("enroll", "--gallery", gallery, "--key-file", key, "--name", "Tom", CLITests.portrait)
        #expect(enroll.status == 0, "\(enroll.stderr)")
        let show = try CLITests.visage("people", "show", "--gallery", gallery, "--key-file", key, "99")
        #expect(show.status == 3 && show.stderr.contains("99"), "\(show.status) \(show.stderr)")
        let wrongKey = try CLITests.visage("people", "list", "--gallery", gallery, "--key-file", other)
        #expect(wrongKey.status == 3, "\(wrongKey.status) \(wrongKey.stderr)")
    }
}
