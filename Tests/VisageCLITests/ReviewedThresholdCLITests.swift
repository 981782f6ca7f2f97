import Foundation
import Testing

/// `visage gallery threshold`, as an operator uses it after a pilot: the stored threshold is
/// what `identify` decides with, `--threshold` still overrides it, a note is required, and
/// `--clear` goes back to the calibrated default even when the stored value cannot be read.
struct ReviewedThresholdCLITests {
    @Test func identifyDecidesWithTheReviewedThreshold() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("visage-threshold-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let gallery = folder.appendingPathComponent("staff.gallery").path
        let enrolled = try CLITests.visage(["enroll", "--gallery", gallery, "--name", "Tom", CLITests.portrait])
        #expect(enrolled.status == 0, "\(enrolled.stderr)")

        func threshold(_ extra: [String] = []) throws -> Double? {
            let run = try CLITests.visage(["identify", "--gallery", gallery, "--json", CLITests.portrait] + extra)
            #expect(run.status == 0, "\(run.stderr)")
            let range = try #require(run.stdout.range(of: #""threshold": *[0-9.]+"#, options: .regularExpression))
            return Double(run.stdout[range].split(separator: ":")[1].trimmingCharacters(in: .whitespaces))
        }
        #expect(try threshold() == 0.4952)

        let noNote = try CLITests.visage(["gallery", "threshold", "--gallery", gallery, "--set", "0.52"])
        #expect(noNote.status != 0 && noNote.stderr.contains("--note"), "\(noNote.stderr)")

        let set = try CLITests.visage(["gallery", "threshold", "--gallery", gallery, "--set", "0.52", "--note", "pilot of 2026-12-04, reviewed by J. Doe"])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout.contains("identification threshold 0.5200 (reviewed)"), "\(set.stdout)")
        #expect(try threshold() == 0.52)
        #expect(try threshold(["--threshold", "0.6"]) == 0.6)

        let stats = try CLITests.visage(["gallery", "stats", "--gallery", gallery])
        #expect(stats.stdout.contains("reviewed") && stats.stdout.contains("J. Doe"), "\(stats.stdout)")

        // A value the gallery cannot read stops every command, with the way out in words.
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sqlite.arguments = ["sqlite3", gallery, "UPDATE meta SET value = 'garbage' WHERE key = 'reviewed_thresholds'"]
        try sqlite.run()
        sqlite.waitUntilExit()
        if sqlite.terminationStatus == 0 {
            let broken = try CLITests.visage(["identify", "--gallery", gallery, CLITests.portrait])
            #expect(broken.status == 3 && broken.stderr.contains("--clear"), "\(broken.stderr)")
        }
        let cleared = try CLITests.visage(["gallery", "threshold", "--gallery", gallery, "--clear"])
        #expect(cleared.status == 0, "\(cleared.stderr)")
        #expect(try threshold() == 0.4952)

        // A mistyped path is named, and --clear (which goes to the store directly) makes no new gallery there.
        let mistyped = folder.appendingPathComponent("staf.gallery").path
        for arguments in [["--clear"], ["--set", "0.5", "--note", "pilot"], []] {
            let run = try CLITests.visage(["gallery", "threshold", "--gallery", mistyped] + arguments)
            #expect(run.status == 3 && run.stderr.contains("There is no gallery at \(mistyped)"), "\(arguments): \(run.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: mistyped))
        let notAGallery = try CLITests.visage(["gallery", "threshold", "--gallery", CLITests.portrait, "--clear"])
        #expect(notAGallery.status == 3 && notAGallery.stderr.contains("not a Visage gallery"), "\(notAGallery.stderr)")
    }

    /// `--from-pilot` stores what a pilot report proposes: a resolved threshold, and an unresolved
    /// one only when it raises the threshold in use; a report that proposes nothing changes nothing.
    @Test func thresholdsComeFromAPilotReport() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("visage-from-pilot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let gallery = folder.appendingPathComponent("staff.gallery").path
        #expect(try CLITests.visage(["enroll", "--gallery", gallery, "--name", "Tom", CLITests.portrait]).status == 0)
        func report(_ proposals: String) throws -> String {
            let path = folder.appendingPathComponent("report-\(UUID().uuidString).json").path
            try Data(#"{"kind": "pilot", "targetRate": 0.001, "proposals": [\#(proposals)]}"#.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        let cut = #"{"setting": "threshold", "inUse": 0.4952, "proposed": 0.41, "resolved": false, "reason": "too few strangers"}"#
        let none = #"{"setting": "masked_threshold", "inUse": 0.4559, "resolved": false, "reason": "no masked probe"}"#
        let nothing = try CLITests.visage(["gallery", "threshold", "--gallery", gallery, "--from-pilot", try report(cut + "," + none), "--note", "J. Doe"])
        #expect(nothing.status == 3 && nothing.stderr.contains("too few strangers") && nothing.stderr.contains("nothing changed"), "\(nothing.stderr)")
        #expect(try CLITests.visage(["gallery", "threshold", "--gallery", gallery]).stdout.contains("0.4952 (calibrated"))

        let resolved = #"{"setting": "threshold", "inUse": 0.4952, "proposed": 0.4301, "resolved": true, "reason": ""}"#
        let raise = #"{"setting": "masked_threshold", "inUse": 0.4559, "proposed": 0.5347, "resolved": false, "reason": ""}"#
        let stored = try CLITests.visage(["gallery", "threshold", "--gallery", gallery, "--from-pilot", try report(resolved + "," + raise), "--note", "reviewed by J. Doe"])
        #expect(stored.status == 0, "\(stored.stderr)")
        #expect(stored.stdout.contains("identification threshold 0.4301 (reviewed)") && stored.stdout.contains("masked probes 0.5347 (reviewed)"), "\(stored.stdout)")
        #expect(stored.stdout.contains("proposed by the pilot"), "\(stored.stdout)")

        let notAReport = try CLITests.visage(["gallery", "threshold", "--gallery", gallery, "--from-pilot", CLITests.portrait, "--note", "x"])
        #expect(notAReport.status == 3 && notAReport.stderr.contains("not a pilot report"), "\(notAReport.stderr)")
        let both = try CLITests.visage(["gallery", "threshold", "--gallery", gallery, "--from-pilot", CLITests.portrait, "--set", "0.5", "--note", "x"])
        #expect(both.status == 64 && both.stderr.contains("not with --set"), "\(both.stderr)")
    }

    /// `serve --verify-thresholds` takes the three per-condition thresholds or refuses before serving.
    @Test func serveRefusesVerifyThresholdsItCannotUse() throws {
        for bad in ["0.3,0.4", "0.3,0.4,nan", "0.3,0.4,1.5", "a,b,c"] {
            let run = try CLITests.visage(["serve", "--gallery", "/nonexistent/x.gallery", "--insecure-no-auth", "--verify-thresholds", bad])
            #expect(run.status != 0, "\(bad)")
            #expect(run.stderr.contains("--verify-thresholds"), "\(bad): \(run.stderr)")
        }
    }
}
