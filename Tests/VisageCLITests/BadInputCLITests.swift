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
        // Days times 86,400 overflowed: the server crashed at start.
        (["serve", "--gallery", "g.gallery", "--insecure-no-auth", "--audit-retention-days", "9223372036854775807"], "--audit-retention-days"),
        // bench search allocated --size × --dimension floats without looking (Int.max dimensions crashed).
        (["bench", "search", "--size", "1000", "--dimension", "9223372036854775807"], "--dimension"),
        (["bench", "search", "--size", "9223372036854775807"], "--size"),
        (["bench", "search", "--size", "1000", "--parallelism", "9223372036854775807"], "--parallelism"),
        (["bench", "search", "--size", "1000", "--k", "9223372036854775807"], "--k"),
        (["detect", "--threads", "100000", "a.jpg"], "--threads"),
        // argument-parser reads a misspelt option's value as the dir argument and validates before
        // it reports the option: the message names that value.
        (["eval", "verification", "--pairs-csv", "p.csv", "--out", "reports"], "`reports` was read as the dir argument"),
    ])
    func nonNumbersAreUsageErrors(arguments: [String], option: String) throws {
        let run = try CLITests.visage(arguments)
        #expect(run.status == 64, "\(arguments): \(run.stderr)")
        #expect(run.stderr.contains(option), "\(run.stderr)")
    }

    @Test func outputPathsInTheWayAreNamed() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/a-file.txt"
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))

        // A file where the annotated images' folder should go: refused before the models load.
        let annotate = try CLITests.visage(["analyze", "--annotate", file, CLITests.portrait])
        #expect(annotate.status == 1)
        #expect(annotate.stderr.contains("Error: \(file) is a file, not a folder."), "\(annotate.stderr)")
        #expect(!annotate.stderr.contains("Error Domain"))

        // dataset crops into a file failed on the first crop, after loading the models.
        let dataset = folder + "/faces/ada"
        try FileManager.default.createDirectory(atPath: dataset, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: CLITests.portrait, toPath: dataset + "/1.png")
        let crops = try CLITests.visage(["dataset", "crops", folder + "/faces", file])
        #expect(crops.status == 1)
        #expect(crops.stderr.contains("Error: \(file) is a file, not a folder."), "\(crops.stderr)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "x")

        // gallery export into a folder, or into a folder that does not exist.
        let gallery = folder + "/staff.gallery", empty = folder + "/empty.jsonl"
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        #expect(try CLITests.visage(["gallery", "import", "--gallery", gallery, empty]).status == 0)
        let intoFolder = try CLITests.visage(["gallery", "export", "--gallery", gallery, folder])
        #expect(intoFolder.status == 1)
        #expect(intoFolder.stderr.contains("Cannot write \(folder): it is a folder"), "\(intoFolder.stderr)")
        let orphan = folder + "/missing/backup.jsonl"
        let intoMissing = try CLITests.visage(["gallery", "export", "--gallery", gallery, orphan])
        #expect(intoMissing.status == 1)
        #expect(intoMissing.stderr.contains("Cannot write \(orphan): the folder \(folder)/missing does not exist"), "\(intoMissing.stderr)")
        #expect(!intoMissing.stderr.contains("Error Domain"))
    }

    @Test func enrollNamesAMissingFolder() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let missing = try CLITests.visage(["enroll", "--gallery", folder + "/staff.gallery", "--folders", folder + "/people"])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("\(folder)/people does not exist"), "\(missing.stderr)")
        #expect(!missing.stderr.contains("Error Domain"))
        // A file in its place is bad input too, named with the same words as an output folder's.
        let file = folder + "/people.txt"
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        let notAFolder = try CLITests.visage(["enroll", "--gallery", folder + "/staff.gallery", "--folders", file])
        #expect(notAFolder.status == 3)
        #expect(notAFolder.stderr.contains("Error: \(file) is a file, not a folder."), "\(notAFolder.stderr)")
    }

    @Test func enrollRefusesUnusableNames() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let gallery = folder + "/staff.gallery"

        // A name the service refuses (empty, blank, a bidirectional override) is refused here
        // too, before a gallery file is made.
        // 201 code points in one grapheme cluster: the service counts code points.
        for name in ["", "   ", "Ada\u{202E}kcuF", "e" + String(repeating: "\u{301}", count: 200)] {
            let run = try CLITests.visage(["enroll", "--gallery", gallery, "--name", name, CLITests.portrait])
            #expect(run.status == 64, "\(name): \(run.stderr)")
            #expect(run.stderr.contains("--name"))
        }
        // An empty folder of photos is not "no photo with a face".
        try FileManager.default.createDirectory(atPath: folder + "/none", withIntermediateDirectories: true)
        let none = try CLITests.visage(["enroll", "--gallery", gallery, "--name", "Ada", folder + "/none"])
        #expect(none.status == 64)
        #expect(none.stderr.contains("No images found in: \(folder)/none"), "\(none.stderr)")
        #expect(!FileManager.default.fileExists(atPath: gallery))
    }

    /// With --folders the person's name is the folder's: one the service would refuse is
    /// reported and skipped, and the other folders are still enrolled.
    @Test func enrollFoldersSkipsAnUnusableName() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for person in ["Tom", "Ada\u{202E}kcuF"] {
            try FileManager.default.createDirectory(atPath: folder + "/people/" + person, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: CLITests.portrait, toPath: folder + "/people/" + person + "/1.png")
        }
        let run = try CLITests.visage(["enroll", "--gallery", folder + "/staff.gallery", "--folders", folder + "/people", "--threads", "1", "--json"])
        #expect(run.status == 3)
        #expect(run.stderr.contains("the folder's name is not a usable name"), "\(run.stderr)")
        #expect(run.stdout.contains(#""name": "Tom""#), "\(run.stdout)")
        let list = try CLITests.visage(["people", "list", "--gallery", folder + "/staff.gallery"])
        #expect(list.stdout.contains("Tom"))
        #expect(!list.stdout.contains("\u{202E}"))
    }

    /// The CLI's limit is --max-pixels: the library's advice names ImageDecodingOptions.maxPixels,
    /// which a user at the terminal cannot set.
    @Test func anImageOverThePixelLimitNamesTheOption() throws {
        let run = try CLITests.visage(["detect", "--threads", "1", "--max-pixels", "1000", CLITests.portrait])
        #expect(run.status == 3)
        #expect(run.stderr.contains("raise --max-pixels if you trust the file"), "\(run.stderr)")
        #expect(!run.stderr.contains("ImageDecodingOptions"))
    }

    /// A batch goes on past bad files, and each one's message starts a line of its own instead
    /// of following the progress line's 100 characters of padding.
    @Test func batchErrorsStartTheirOwnLine() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.copyItem(atPath: CLITests.portrait, toPath: folder + "/a-good.png")
        #expect(FileManager.default.createFile(atPath: folder + "/b-empty.jpg", contents: Data()))
        #expect(FileManager.default.createFile(atPath: folder + "/c-text.jpg", contents: Data("not a photo\n".utf8)))
        try FileManager.default.copyItem(atPath: CLITests.portrait, toPath: folder + "/d-good.png")
        let run = try CLITests.visage(["detect", "--threads", "1", folder])
        #expect(run.status == 3)
        #expect(run.stdout.contains("a-good.png: 1 face") && run.stdout.contains("d-good.png: 1 face"), "\(run.stdout)")
        let lines = run.stderr.split(separator: "\n").map { String($0) }
        #expect(lines.contains("\(folder)/b-empty.jpg: \(folder)/b-empty.jpg is empty (0 bytes). Re-copy or re-download it."), "\(run.stderr)")
        #expect(lines.contains { $0.hasPrefix("\(folder)/c-text.jpg: ") && $0.contains("not an image Visage can use") }, "\(run.stderr)")
    }

    /// dataset tools walk the input first and say which folders they skip: a folder named in
    /// another encoding was left out of a noisy copy without a word.
    @Test func datasetToolsReportAFolderTheyCannotOpen() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for person in ["ada", "tom"] {
            try FileManager.default.createDirectory(atPath: folder + "/data/" + person, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: CLITests.portrait, toPath: folder + "/data/" + person + "/1.png")
        }
        let bytes = Array((folder + "/data/Ren").utf8) + [0xE9, 0]
        let made = bytes.withUnsafeBufferPointer { $0.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) { mkdir($0, 0o755) } }
        try #require(made == 0)
        let run = try CLITests.visage(["dataset", "noisy-copy", folder + "/data", folder + "/noisy", "--wrong", "0"])
        #expect(run.status == 3, "\(run.stderr)")
        #expect(run.stderr.contains("\(folder)/data/Ren\u{FFFD}: its name is not valid UTF-8"), "\(run.stderr)")
        #expect(run.stdout.contains("2 images linked"), "\(run.stdout)")
    }

    /// A pair list of the sample portrait and group photo, for the masked evaluations.
    private static func pairList(in folder: String) throws -> String {
        try FileManager.default.createDirectory(atPath: folder + "/images", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: CLITests.portrait, toPath: folder + "/images/a.png")
        try FileManager.default.copyItem(atPath: CLITests.groupPhoto, toPath: folder + "/images/b.jpg")
        try "file_x,file_y,Decision\na.png,b.jpg,No\n".write(toFile: folder + "/pairs.csv", atomically: true, encoding: .utf8)
        return folder + "/pairs.csv"
    }

    /// --mask-cache named a file that was not a cache: it was deleted and replaced.
    @Test func aMaskCacheThatIsAnotherFileIsLeftAlone() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let notes = folder + "/notes.txt"
        try "my notes\n".write(toFile: notes, atomically: true, encoding: .utf8)
        let run = try CLITests.visage(["eval", "verification", "--pairs-csv", try Self.pairList(in: folder), "--mask", "one",
                                       "--mask-cache", notes, "--output", folder + "/out", "--threads", "1"])
        #expect(run.status == 3)
        #expect(run.stderr.contains("\(notes) exists and is not a masked-embeddings cache"), "\(run.stderr)")
        #expect(try String(contentsOfFile: notes, encoding: .utf8) == "my notes\n")
    }

    /// An interrupted run leaves the cache's last line cut short; the next run must measure that
    /// photo again and append whole lines, not take the cut vector or write onto its end.
    @Test func aMaskCacheCutShortIsRepaired() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cache = folder + "/cache/masks.tsv"
        let arguments = ["eval", "verification", "--pairs-csv", try Self.pairList(in: folder), "--mask", "one",
                         "--mask-cache", cache, "--output", folder + "/out", "--threads", "1"]
        let first = try CLITests.visage(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        let whole = try String(contentsOfFile: cache, encoding: .utf8)
        #expect(whole.split(separator: "\n").count == 3, "header and two photos")
        try String(whole.dropLast(30)).write(toFile: cache, atomically: true, encoding: .utf8)
        let second = try CLITests.visage(arguments)
        #expect(second.status == 0, "\(second.stderr)")
        let repaired = try String(contentsOfFile: cache, encoding: .utf8)
        #expect(repaired.hasSuffix("\n"))
        let lines = repaired.split(separator: "\n").dropFirst()
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0.split(separator: "\t", omittingEmptySubsequences: false).count == 10 })
        #expect(repaired == whole, "the photo measured again gives the same line")
    }

    /// train-head --embeddings-cache named a file that was not a cache: it was overwritten.
    @Test func anEmbeddingsCacheThatIsAnotherFileIsRefused() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let notes = folder + "/notes.txt"
        try "my notes\n".write(toFile: notes, atomically: true, encoding: .utf8)
        let run = try CLITests.visage(["train-head", "--utkface", folder + "/utkface", "--attribute", "gender", "--out", folder + "/h.json",
                                       "--embeddings-cache", notes])
        #expect(run.status == 3)
        #expect(run.stderr.contains("\(notes) exists and is not an embeddings cache"), "\(run.stderr)")
        #expect(try String(contentsOfFile: notes, encoding: .utf8) == "my notes\n")
    }
}
