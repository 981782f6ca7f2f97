import Foundation
import Testing
import VisageTestSupport

/// A progressive JPEG of thousands of few-byte scans, each a pass of the decoder over the whole
/// picture: the CLI names the file and goes on, as with any bad input, instead of decoding it
/// for minutes (a 49 MP file of 141 kB with 600 scans took 4.5 s to refuse, as "damaged").
struct HostileJPEGCLITests {
    @Test func aJPEGOfThousandsOfScansIsNamedAndRefused() throws {
        let path = try TemporaryDirectory.make(prefix: "visage-hostile-jpeg").appendingPathComponent("scans.jpg").path
        try Data(HostileJPEG.manyScans(width: 4096, height: 4096, acScans: 10_000)).write(to: URL(fileURLWithPath: path))
        let start = ContinuousClock.now
        let run = try CLITests.visage("detect", "--json", path, CLITests.portrait)
        #expect(ContinuousClock.now - start < .seconds(30))
        #expect(run.status == 3, "\(run.stderr)")
        let refused = try CLITests.object(try #require(run.lines.first))
        let error = try #require(refused["error"] as? String)
        #expect(refused["image"] as? String == path)
        #expect(error.contains(path) && error.contains("progressive JPEG of more than 100 scans"), "\(error)")
        // The other input is still analysed.
        #expect(run.lines.count == 2 && run.lines[1].contains("\"faces\""), "\(run.stdout)")
    }
}
