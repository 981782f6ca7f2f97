import Foundation
import Testing
import VisageTestSupport

/// `visage dataset …` as a user runs it: bad inputs exit 3 with a message naming the path,
/// usage errors 64; none of these need the models.
struct DatasetCLITests {
    static func scratch() throws -> String {
        let path = try Fixtures.temporaryDirectory(prefix: "visage-dataset-cli")
        for id in ["a", "b", "c", "d"] {
            for n in 0..<4 {
                let file = "\(path)/data/\(id)/\(n).jpg"
                try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data([0xFF, 0xD8, UInt8(n)]).write(to: URL(fileURLWithPath: file))
            }
        }
        return path
    }

    @Test func helpListsTheSubcommands() throws {
        let run = try CLITests.visage("dataset", "--help")
        #expect(run.status == 0)
        for name in ["clean", "noisy-copy", "mask"] { #expect(run.stdout.contains(name)) }
    }

    @Test func missingFolderAndFileInPlaceOfAFolderExit3() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let missing = try CLITests.visage("dataset", "clean", root + "/nope", "--cache", root + "/cache")
        #expect(missing.status == 3)
        #expect(missing.stderr.contains(root + "/nope does not exist"))
        let file = try CLITests.visage("dataset", "clean", root + "/data/a/0.jpg", "--cache", root + "/cache")
        #expect(file.status == 3)
        #expect(file.stderr.contains("is a file, not a folder"))
        let inside = try CLITests.visage("dataset", "clean", root + "/data", "--cache", root + "/data/cache")
        #expect(inside.status == 3)
        #expect(inside.stderr.contains("inside the dataset"))
        #expect(!FileManager.default.fileExists(atPath: root + "/data/cache"))
        let mask = try CLITests.visage("dataset", "mask", root + "/nope", root + "/masked")
        #expect(mask.status == 3)
    }

    @Test func usageErrorsExit64() throws {
        #expect(try CLITests.visage("dataset", "clean", "x", "--cache", "y", "--shard", "4/4").status == 64)
        #expect(try CLITests.visage("dataset", "clean", "x").status == 64)  // --cache is required
        #expect(try CLITests.visage("dataset", "mask", "x", "y", "--ratio", "1.5").status == 64)
        #expect(try CLITests.visage("dataset", "noisy-copy", "x", "y", "--wrong", "2").status == 64)
        #expect(try CLITests.visage("dataset", "crops", "x", "y", "--fallback-score", "0.7").status == 64)
        #expect(try CLITests.visage("dataset", "mask-preview", "x.jpg", "y.png", "--variants", "51").status == 64)
    }

    /// Report and quarantine files named without a folder go into the working directory:
    /// `--report report.json` failed after the whole embedding pass ("The file doesn't exist",
    /// from making the folder "").
    @Test func cleanWritesBareFileNamesIntoTheWorkingDirectory() throws {
        let root = try Fixtures.temporaryDirectory(prefix: "visage-clean-here")
        for (person, photo) in [("tom", CLITests.portrait), ("group", CLITests.groupPhoto)] {
            try FileManager.default.createDirectory(atPath: root + "/data/" + person, withIntermediateDirectories: true)
            for n in 1...2 { try FileManager.default.copyItem(atPath: photo, toPath: root + "/data/\(person)/\(n)" + (photo.hasSuffix(".png") ? ".png" : ".jpg")) }
        }
        let run = try CLITests.visage(["dataset", "clean", "data", "--cache", "cache", "--report", "report.json", "--quarantine", "suspects.txt"], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: root + "/report.json"))
        #expect(FileManager.default.fileExists(atPath: root + "/suspects.txt"))
    }

    /// The attention head's training data (training/mfsa) is made this way: the group photo, and
    /// a copy of it with every face masked, cropped with the detector's fallback. The crop of the
    /// largest face is the aligned 112×112 one; the unreadable file is counted, not fatal to the run.
    @Test func cropsOfAMaskedCopyWithTheFallback() throws {
        let root = try Fixtures.temporaryDirectory(prefix: "visage-crops")
        try FileManager.default.createDirectory(atPath: root + "/data/group", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: CLITests.groupPhoto, toPath: root + "/data/group/t1.jpg")
        let masked = try CLITests.visage("dataset", "mask", root + "/data", root + "/masked", "--ratio", "1")
        #expect(masked.status == 0, "\(masked.stderr)")
        try Data([0xFF, 0xD8]).write(to: URL(fileURLWithPath: root + "/masked/group/broken.jpg"))
        let crops = try CLITests.visage("dataset", "crops", root + "/masked", root + "/crops", "--fallback-score", "0.3")
        #expect(crops.status == 3)  // one unreadable image
        #expect(crops.stdout.contains("2 images: 1 cropped, 0 without a face, 1 unreadable"), "\(crops.stdout)")
        let crop = try Data(contentsOf: URL(fileURLWithPath: root + "/crops/group/t1.jpg.png"))
        #expect(crop.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let manifest = try String(contentsOfFile: root + "/crops/crops-manifest.tsv", encoding: .utf8)
        #expect(manifest.contains("group/broken.jpg\terror"))
    }

    @Test func noisyCopyWritesLinksAndAManifestAndRefusesANonEmptyOutput() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let run = try CLITests.visage("dataset", "noisy-copy", root + "/data", root + "/noisy", "--wrong", "0.25", "--split", "1", "--seed", "2")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("16 images linked") && run.stdout.contains("4 moved"))
        #expect(FileManager.default.fileExists(atPath: root + "/noisy/noisy-manifest.json"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/noisy").contains("split-01"))
        let again = try CLITests.visage("dataset", "noisy-copy", root + "/data", root + "/noisy")
        #expect(again.status == 3 && again.stderr.contains("not empty"))
    }
}
