import Foundation
import Testing

/// `visage calibrate --protocol folders`, as an operator runs a pilot on a folder of their own
/// photos: a report is written even when a photo is broken, which is named, and the run exits 3.
struct PilotCLITests {
    @Test func aPilotReportsAndNamesABrokenPhoto() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("visage-pilot-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for folder in ["photos/tom", "photos/crowd"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let photos = root.appendingPathComponent("photos").path
        try FileManager.default.copyItem(atPath: CLITests.portrait, toPath: photos + "/tom/1.png")
        try FileManager.default.copyItem(atPath: CLITests.portrait, toPath: photos + "/tom/2.png")
        try FileManager.default.copyItem(atPath: CLITests.groupPhoto, toPath: photos + "/crowd/t1.jpg")
        #expect(FileManager.default.createFile(atPath: photos + "/crowd/broken.jpg", contents: Data()))
        let output = root.appendingPathComponent("report").path

        let run = try CLITests.visage(["calibrate", "--protocol", "folders", "--output", output, "--json", photos])
        #expect(run.status == 3, "\(run.stderr)")
        let report = try CLITests.object(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(report["kind"] as? String == "pilot")
        #expect(report["people"] as? Int == 2 && report["photos"] as? Int == 4)
        let unreadable = try #require(report["unreadableImages"] as? [[String: Any]])
        #expect(unreadable.count == 1 && (unreadable[0]["path"] as? String)?.hasSuffix("crowd/broken.jpg") == true)
        for file in ["report.md", "pairs.csv", "review.html"] { #expect(FileManager.default.fileExists(atPath: output + "/" + file), "\(file)") }
        // The two copies of one photo are the genuine pair to review: identical, similarity 1.
        let markdown = try String(contentsOfFile: output + "/report.md", encoding: .utf8)
        #expect(markdown.contains("| `tom/1.png` | `tom/2.png` | 1.0000 |"), "\(markdown)")

        // Measured again at the thresholds a gallery decides with, once a reviewed one is stored.
        let gallery = root.appendingPathComponent("staff.gallery").path
        #expect(try CLITests.visage(["enroll", "--gallery", gallery, "--name", "Tom", CLITests.portrait]).status == 0)
        #expect(try CLITests.visage(["gallery", "threshold", "--gallery", gallery, "--set", "0.61", "--note", "pilot reviewed"]).status == 0)
        try FileManager.default.removeItem(atPath: photos + "/crowd/broken.jpg")
        let again = try CLITests.visage(["calibrate", "--protocol", "folders", "--gallery", gallery, "--output", output, "--json", photos])
        #expect(again.status == 0, "\(again.stderr)")
        let identification = try #require(try CLITests.object(again.stdout.trimmingCharacters(in: .whitespacesAndNewlines))["identification"] as? [[String: Any]])
        #expect((identification.first?["thresholdInUse"] as? Double).map { abs($0 - 0.61) < 1e-6 } == true, "\(identification)")

        let mixed = try CLITests.visage(["calibrate", "--protocol", "cfp", "--target-rate", "1e-2"])
        #expect(mixed.status != 0 && mixed.stderr.contains("go with --protocol folders"), "\(mixed.stderr)")
        let lonely = try CLITests.visage(["calibrate", "--protocol", "folders", "--output", output, photos + "/tom"])
        #expect(lonely.status == 3 && lonely.stderr.contains("two or more people"), "\(lonely.stderr)")
        let file = try CLITests.visage(["calibrate", "--protocol", "folders", "--output", output, photos + "/tom/1.png"])
        #expect(file.status == 3 && file.stderr.contains("tom/1.png is not a folder"), "\(file.stderr)")
    }
}
