import Foundation
import Testing
import VisageTestSupport
import Visage
import VisageCore
import VisageGallery

/// Enrol and identify real people: the face_recognition samples (../shared/data), five
/// people with one or two training photos each and separate test photos. Every test runs
/// against both stores: a SQLite file, and a database on the test PostgreSQL server.
@Suite(.enabled(if: Fixtures.hasKnownPeople, "shared data (../shared/data or $VISAGE_DATA) is absent: skipping the face_recognition samples"))
struct GalleryTests {
    let root = Fixtures.knownPeople!

    func enrolledGallery(_ path: String) async throws -> (Gallery, [String: Int64]) {
        let gallery = try await Gallery.open(path, analyzer: try Fixtures.analyzer.get())
        var ids: [String: Int64] = [:]
        for name in ["alex_lacamoire", "biden", "kit_harington", "obama", "rose_leslie"] {
            let enrolled = try await gallery.enroll(name: name, images: try Fixtures.photos(in: root.appendingPathComponent("train/\(name)")))
            #expect(enrolled.rejected.isEmpty)
            #expect(enrolled.templates.allSatisfy { $0.model == "sface_2021dec" && $0.sourceSHA256?.count == 64 && ($0.quality ?? 0) > 0.5 })
            ids[name] = enrolled.person.id
        }
        return (gallery, ids)
    }

    @Test(arguments: StoreKind.allCases)
    func identifiesEnrolledPeopleAndRejectsAStranger(_ store: StoreKind) async throws {
        let (gallery, ids) = try await enrolledGallery(try await Fixtures.galleryLocation(store))
        let single = [("alex_lacamoire1.jpg", "alex_lacamoire"), ("johnsnow_test1.jpg", "kit_harington"), ("obama1.jpg", "obama")]
        for (photo, name) in single {
            let results = try await gallery.identify(imageAt: root.appendingPathComponent("test/\(photo)").path, topK: 3)
            let largest = try #require(results.max { $0.face.box.area < $1.face.box.area })
            #expect(largest.identification.match?.personID == ids[name], "\(photo): \(largest.identification.candidates)")
            #expect(largest.identification.candidates.count == 3)
            #expect(largest.identification.candidates.map(\.similarity) == largest.identification.candidates.map(\.similarity).sorted(by: >))
        }
        // Two people in one photo: both found, each once.
        let pair = try await gallery.identify(imageAt: root.appendingPathComponent("test/obama_and_biden.jpg").path)
        #expect(Set(pair.compactMap { $0.identification.match?.name }) == ["obama", "biden"])

        // Tom Hanks is not enrolled: unknown, with the closest candidate still listed.
        let stranger = try await gallery.identify(imageAt: try Fixtures.sample("Tom_Hanks_54745.png"))
        let answer = try #require(stranger.first?.identification)
        #expect(answer.isUnknown)
        #expect(answer.candidates.count == 5)
        #expect(try #require(answer.bestSimilarity) < Gallery.defaultThreshold)
    }

    @Test(arguments: StoreKind.allCases)
    func reopeningLoadsTheSameIndexAndDeleteUpdatesIt(_ store: StoreKind) async throws {
        let path = try await Fixtures.galleryLocation(store)
        let (gallery, ids) = try await enrolledGallery(path)
        let probe = try await Fixtures.embedding(root.appendingPathComponent("test/obama1.jpg").path)
        let before = await gallery.search(probe, topK: 5)

        let reopened = try await Gallery.open(path)
        #expect(await reopened.search(probe, topK: 5) == before)
        #expect(try await reopened.stats().people == 5)
        #expect(try await reopened.stats().templates == 9)

        let obama = try #require(ids["obama"])
        #expect(try await reopened.delete(personID: obama) == 2)
        let after = await reopened.search(probe, topK: 5)
        #expect(after.isUnknown)
        #expect(!after.candidates.contains { $0.personID == obama })
        #expect(try await reopened.people().map(\.name) == ["alex_lacamoire", "biden", "kit_harington", "rose_leslie"])
        await #expect(throws: GalleryError.unknownPerson(id: obama)) { try await reopened.person(obama) }
        await #expect(throws: GalleryError.unknownPerson(id: obama)) { try await reopened.delete(personID: obama) }
        // And the deletion is in the store, not only in memory.
        #expect(try await Gallery.open(path).search(probe, topK: 5).candidates.count == 4)
    }

    @Test(arguments: StoreKind.allCases)
    func auditTrailRecordsOperationsWithoutImages(_ store: StoreKind) async throws {
        let (gallery, ids) = try await enrolledGallery(try await Fixtures.galleryLocation(store))
        _ = try await gallery.identify(imageAt: root.appendingPathComponent("test/obama1.jpg").path)
        try await gallery.delete(personID: ids["biden"]!)
        let log = try await gallery.auditLog()
        #expect(log.map(\.operation) == [.delete, .identify, .enroll, .enroll, .enroll, .enroll, .enroll])
        #expect(log[0].personIDs == [ids["biden"]!])
        #expect(log[1].personIDs == [ids["obama"]!])
        #expect(log.allSatisfy { !$0.actor.isEmpty })
    }

    @Test(arguments: StoreKind.allCases)
    func photoWithoutAFaceIsRejectedAndNothingIsStored(_ store: StoreKind) async throws {
        let path = try await Fixtures.galleryLocation(store)
        let gallery = try await Gallery.open(path, analyzer: try Fixtures.analyzer.get())
        let blank = try Fixtures.temporaryURL().appendingPathComponent("blank.png").path
        try Image(width: 240, height: 240).write(to: blank)  // a uniform black picture: nothing to detect
        await #expect(throws: GalleryError.noFace(image: blank)) { try await gallery.enroll(name: "nobody", images: [blank]) }
        #expect(try await gallery.people().isEmpty)
        // With one good photo beside it, the person is enrolled and the blank one reported.
        let mixed = try await gallery.enroll(name: "alex", images: [blank] + (try Fixtures.photos(in: root.appendingPathComponent("train/alex_lacamoire"))))
        #expect(mixed.templates.count == 1)
        #expect(mixed.rejected.map(\.path) == [blank])
    }

    @Test(arguments: StoreKind.allCases)
    func exportAndImportRoundTrip(_ store: StoreKind) async throws {
        let (gallery, _) = try await enrolledGallery(try await Fixtures.galleryLocation(store))
        let file = try Fixtures.temporaryURL().appendingPathComponent("export.jsonl")
        #expect(try await gallery.export(to: file) == 5)
        let copy = try await Gallery.open(try await Fixtures.galleryLocation(store))
        let names = NamesBox()
        #expect(try await copy.importPeople(from: file) { names.append($0.name) } == 5)
        #expect(names.values == ["alex_lacamoire", "biden", "kit_harington", "obama", "rose_leslie"])
        let probe = try await Fixtures.embedding(root.appendingPathComponent("test/johnsnow_test1.jpg").path)
        let a = await gallery.search(probe, topK: 5), b = await copy.search(probe, topK: 5)
        #expect(a.candidates.map(\.name) == b.candidates.map(\.name))
        #expect(a.candidates.map(\.similarity) == b.candidates.map(\.similarity))
    }
}

/// A bad line of an export file is refused by its line number and what is wrong with it, placed:
/// the field by its path, or the column where the JSON breaks.
struct ImportLineTests {
    @Test func aBadLineIsPlaced() async throws {
        let gallery = try await Gallery.open(try Fixtures.galleryPath())
        var generator = SeededGenerator(state: 3)
        _ = try await gallery.enroll(name: "ada", metadata: [:], created: Date(),
                                     templates: [Template(embedding: Fixtures.randomUnitVector(using: &generator), model: Gallery.embeddingModel)])
        let folder = try Fixtures.temporaryURL()
        let export = folder.appendingPathComponent("export.jsonl")
        #expect(try await gallery.export(to: export) == 1)
        let good = try String(contentsOf: export, encoding: .utf8).trimmingCharacters(in: .newlines)
        func edited(_ edit: (inout [String: Any]) -> Void) throws -> String {
            var record = try #require(try JSONSerialization.jsonObject(with: Data(good.utf8)) as? [String: Any])
            edit(&record)
            return String(decoding: try JSONSerialization.data(withJSONObject: record), as: UTF8.self)
        }
        let cases: [(String, String)] = [
            (try edited { record in
                var templates = record["templates"] as! [[String: Any]]
                var embedding = templates[0]["embedding"] as! [Any]
                embedding[5] = "x"
                templates[0]["embedding"] = embedding
                record["templates"] = templates
            }, #"not a person record (the field "templates[0].embedding[5]" has the wrong type)"#),
            (try edited { $0["templates"] = [Any]() }, "the person record holds no templates"),
            (String(good.prefix(40)), "not a person record (not valid JSON: it ends early, as a file cut short does)"),
            ("{?" + good.dropFirst(), "not a person record (not valid JSON: invalid value at column 2)"),
        ]
        for (index, (line, reason)) in cases.enumerated() {
            let file = folder.appendingPathComponent("bad-\(index).jsonl")
            try (good + "\n" + line + "\n").write(to: file, atomically: true, encoding: .utf8)
            let copy = try await Gallery.open(try Fixtures.galleryPath())
            await #expect(throws: GalleryError.invalidImport(line: 2, reason: reason)) { try await copy.importPeople(from: file) }
            #expect(try await copy.people().map(\.name) == ["ada"], "the good line before it is imported")
        }
        // The file itself: named, with the reason, not "Import line 0: cannot read …".
        let copy = try await Gallery.open(try Fixtures.galleryPath())
        await #expect(throws: GalleryError.unreadableImport(path: folder.path, reason: "it is a folder, not a file")) {
            try await copy.importPeople(from: folder)
        }
    }
}

/// Collects names from a `@Sendable` callback.
final class NamesBox: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func append(_ name: String) { lock.withLock { storage.append(name) } }
    var values: [String] { lock.withLock { storage } }
}
