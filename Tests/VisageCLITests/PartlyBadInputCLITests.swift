import Foundation
import Testing
import VisageTestSupport

/// Commands that use what they can of their input and name the rest: an unreadable photo is
/// named with its reason and the exit code is 3 (as for analyze and the dataset tools), a bad
/// line of an import file is named by the file's own line number.
struct PartlyBadInputCLITests {
    static var masks: String? { HeadCLITests.masks }

    /// train-head skipped an unreadable photo, listed it in its output and the head file, and
    /// exited 0. It still writes the head, but names the photo and exits 3; a photo without a
    /// face (a picture of a mask alone) is skipped and listed, and is no reason for 3.
    @Test(.enabled(if: masks != nil, "needs ../shared/data/masks (or $VISAGE_DATA)"))
    func trainHeadNamesAnUnreadablePhotoAndExits3() throws {
        let masks = try #require(Self.masks)
        let folder = try TemporaryDirectory.make(prefix: "visage-train-unreadable").path
        let fm = FileManager.default
        for (label, source) in [("a", "with_mask"), ("b", "without_mask")] {
            try fm.createDirectory(atPath: "\(folder)/labels/\(label)", withIntermediateDirectories: true)
            for photo in try fm.contentsOfDirectory(atPath: "\(masks)/\(source)").sorted().prefix(4) {
                try fm.createSymbolicLink(atPath: "\(folder)/labels/\(label)/\(photo)", withDestinationPath: "\(masks)/\(source)/\(photo)")
            }
        }
        let faceless = "\(folder)/labels/b/mask-alone.jpg", broken = "\(folder)/labels/a/broken.jpg"
        try fm.createSymbolicLink(atPath: faceless, withDestinationPath: try Fixtures.sample("mask_green.jpg"))
        #expect(fm.createFile(atPath: broken, contents: Data("not a photo\n".utf8)))
        let head = folder + "/h.json"

        let text = try CLITests.visage("train-head", "--folders", folder + "/labels", "--out", head, "--folds", "2", "--threads", "1")
        #expect(text.status == 3, "\(text.status) \(text.stderr)")
        #expect(text.stderr.contains("\(broken): \(broken) is not an image"), "\(text.stderr)")
        #expect(!text.stderr.contains(faceless + ":"), "a photo without a face is not bad input: \(text.stderr)")
        #expect(text.stdout.contains("written to \(head)"), "\(text.stdout)")
        let file = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: head))) as? [String: Any])
        let skipped = try #require((file["training"] as? [String: Any])?["skipped"] as? [[String: Any]])
        let kinds = Dictionary(uniqueKeysWithValues: skipped.map { ($0["path"] as? String ?? "", $0["kind"] as? String ?? "") })
        #expect(kinds == [broken: "unreadable", faceless: "no-face"], "\(skipped)")

        try fm.removeItem(atPath: head)
        let json = try CLITests.visage("train-head", "--json", "--folders", folder + "/labels", "--out", head, "--folds", "2", "--threads", "1")
        #expect(json.status == 3 && fm.fileExists(atPath: head), "\(json.status) \(json.stderr)")
        let unreadable = try #require(try CLITests.firstObject(json)["unreadable"] as? [[String: Any]])
        #expect(unreadable.map { $0["image"] as? String } == [broken] && (unreadable.first?["error"] as? String)?.contains("not an image") == true)

        try fm.removeItem(atPath: broken)
        let facelessOnly = try CLITests.visage("train-head", "--folders", folder + "/labels", "--out", head, "--folds", "2", "--threads", "1")
        #expect(facelessOnly.status == 0, "\(facelessOnly.status) \(facelessOnly.stderr)")
        #expect(facelessOnly.stdout.contains("mask-alone.jpg (no face found)"), "\(facelessOnly.stdout)")
    }

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

    /// gallery reembed read its photos with the errors dropped: a missing, dangling or
    /// damaged photo was silently skipped and the run exited 0. Each is named with the reason,
    /// the readable ones are still used, and the exit code is 3.
    @Test func galleryReembedNamesPhotosItCannotRead() throws {
        let folder = try TemporaryDirectory.make(prefix: "visage-reembed-unreadable").path
        let fm = FileManager.default
        // An older gallery: the same person, templates without the attention-head embedding.
        let old = try String(contentsOfFile: try Self.exportedGallery(in: folder), encoding: .utf8)
            .split(separator: "\n").map { line in
                var person = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                person["templates"] = (person["templates"] as? [[String: Any]] ?? []).map { template in
                    template.filter { !["maskedFaceEmbedding", "maskedFaceModel", "masked"].contains($0.key) }
                }
                return String(decoding: try JSONSerialization.data(withJSONObject: person), as: UTF8.self)
            }.joined(separator: "\n")
        try old.write(toFile: folder + "/old.jsonl", atomically: true, encoding: .utf8)
        let gallery = folder + "/old.gallery"
        #expect(try CLITests.visage("gallery", "import", "--gallery", gallery, folder + "/old.jsonl").status == 0)

        try fm.createDirectory(atPath: folder + "/photos", withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: folder + "/photos/tom.png", withDestinationPath: CLITests.portrait)
        let dangling = folder + "/photos/gone.jpg", broken = folder + "/photos/broken.jpg", missing = folder + "/missing.jpg"
        try fm.createSymbolicLink(atPath: dangling, withDestinationPath: folder + "/nowhere.jpg")
        #expect(fm.createFile(atPath: broken, contents: Data("not a photo\n".utf8)))

        let text = try CLITests.visage("gallery", "reembed", "--gallery", gallery, "--threads", "1", folder + "/photos", missing)
        #expect(text.status == 3, "\(text.status) \(text.stderr)")
        #expect(text.stdout.contains("1 of 1 templates without an attention-head embedding updated"), "\(text.stdout)")
        #expect(text.stderr.contains("\(dangling): Cannot read \(dangling): No such file or directory"), "\(text.stderr)")
        #expect(text.stderr.contains("\(missing): Cannot read \(missing): No such file or directory"), "\(text.stderr)")
        #expect(text.stderr.contains("\(broken): \(broken) is not an image"), "\(text.stderr)")

        let json = try CLITests.visage("gallery", "reembed", "--gallery", gallery, "--json", "--threads", "1", folder + "/photos", missing)
        #expect(json.status == 3, "\(json.status) \(json.stderr)")
        let object = try CLITests.firstObject(json)
        let unreadable = try #require(object["unreadable"] as? [[String: Any]])
        #expect(unreadable.compactMap { $0["image"] as? String } == [broken, dangling, missing], "\(unreadable)")
        #expect(object["images"] as? Int == 1)

        let good = try CLITests.visage("gallery", "reembed", "--gallery", gallery, "--threads", "1", folder + "/photos/tom.png")
        #expect(good.status == 0, "\(good.status) \(good.stderr)")
    }
}
