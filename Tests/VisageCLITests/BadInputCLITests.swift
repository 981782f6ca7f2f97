import Foundation
import Testing

/// Bad option values and output paths: each is refused before any work, with a message that
/// names the option or the path, never Foundation's `Error Domain=…` dump.
struct BadInputCLITests {
    private static func scratch() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("visage-bad-input-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// argument-parser reads "nan" and "inf" as floats; a comparison with NaN is never true, so
    /// `verify --threshold nan` called every pair "different people" and exited 0.
    @Test(arguments: [
        (["verify", "--threshold", "nan", "a.jpg", "b.jpg"], "--threshold"),
        (["verify", "--threshold", "inf", "a.jpg", "b.jpg"], "--threshold"),
        (["verify", "--threshold", "1.5", "a.jpg", "b.jpg"], "--threshold"),
        (["identify", "--gallery", "g.gallery", "--threshold", "nan", "a.jpg"], "--threshold"),
        (["identify", "--gallery", "g.gallery", "--masked-threshold", "-inf", "a.jpg"], "--masked-threshold"),
        (["describe", "--gallery", "g.gallery", "--threshold", "nan", "a.jpg"], "--threshold"),
        (["eval", "verification", "--pairs-csv", "p.csv", "--threshold", "nan"], "--threshold"),
        (["video", "analyze", "--start", "nan", "clip.mp4"], "--start"),
        (["video", "analyze", "--start", "inf", "clip.mp4"], "--start"),
        (["video", "tracks", "--end", "nan", "clip.mp4", "out"], "--end"),
        (["gallery", "audit", "--gallery", "g.gallery", "--limit=-5"], "--limit"),
        (["ask", "--llm", "http://127.0.0.1:9", "--llm-timeout", "nan", "a.jpg", "how old?"], "--llm-timeout"),
        (["dataset", "clean", "faces", "--cache", "cache", "--k", "nan"], "--k"),
        (["dataset", "clean", "faces", "--cache", "cache", "--duplicate-threshold", "nan"], "--duplicate-threshold"),
    ])
    func nonNumbersAreUsageErrors(arguments: [String], option: String) throws {
        let run = try CLITests.visage(arguments)
        #expect(run.status == 64, "\(arguments): \(run.stderr)")
        #expect(run.stderr.contains(option), "\(run.stderr)")
    }
}
