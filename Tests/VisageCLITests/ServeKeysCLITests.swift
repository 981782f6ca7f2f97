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
