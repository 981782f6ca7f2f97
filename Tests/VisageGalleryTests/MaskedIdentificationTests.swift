import Foundation
import GRDB
import Testing
import VisageTestSupport
import Visage
import VisageCore
import VisageModels
import VisageGallery

/// Identification with masks on real photos: `masked-people` (<person>/{masked,unmasked}/,
/// real masks, in ../shared/data or $VISAGE_DATA). Every test runs against both stores.
@Suite(.enabled(if: MaskedPeople.root != nil, "masked-people (../shared/data or $VISAGE_DATA) is absent: skipping identification with real masks"))
struct MaskedIdentificationTests {
    /// Each person enrolled from their first three unmasked photos, through the analyzer that
    /// `visage enroll` uses (SFace, mask classifier, attention head).
    func enrolledGallery(_ location: String) async throws -> (Gallery, [String: Int64]) {
        let gallery = try await Gallery.open(location, analyzer: try MaskedPeople.analyzer.get())
        var ids: [String: Int64] = [:]
        for person in try MaskedPeople.people() {
            let enrolled = try await gallery.enroll(name: person, images: Array(try MaskedPeople.photos(person, masked: false).prefix(3)))
            #expect(enrolled.templates.allSatisfy { $0.maskedFaceEmbedding?.count == 128 && $0.maskedFaceModel == Gallery.maskedFaceModel && $0.masked == false },
                    "\(person): every unmasked enrolment template holds the head's embedding and is called unmasked")
            #expect(Gallery.maskedEnrollmentWarning(enrolled.templates) == nil)
            ids[person] = enrolled.person.id
        }
        return (gallery, ids)
    }

    /// The masked photos the mask classifier calls masked (a face found at the defaults).
    func maskedFaces() async throws -> [(person: String, face: Face)] {
        var faces: [(String, Face)] = []
        for person in try MaskedPeople.people() {
            for path in try MaskedPeople.photos(person, masked: true) {
                if let face = try await MaskedPeople.analyzer.get().analyze(contentsOf: path).faces.largest, face.mask?.isMasked == true {
                    faces.append((person, face))
                }
            }
        }
        return faces
    }

    @Test(arguments: StoreKind.allCases)
    func maskedProbesAreIdentifiedThroughTheAttentionHead(_ store: StoreKind) async throws {
        let (gallery, ids) = try await enrolledGallery(try await Fixtures.galleryLocation(store))
        let faces = try await maskedFaces()
        #expect(faces.count >= 100, "most of the 133 masked photos give a face called masked (\(faces.count))")
        let answers = try await gallery.identify(faces: faces.map(\.face), topK: 3)
        #expect(answers.allSatisfy { $0.method == .attentionHead && $0.probeMasked == true && $0.threshold == Gallery.defaultMaskedThreshold && $0.warning == nil })
        let rank1 = zip(faces, answers).filter { $0.1.candidates.first?.personID == ids[$0.0.person] }.count
        // Through SFace the same probes find far fewer (SFace reads the masked mouth and nose).
        let sfaceRank1 = await faces.asyncCount { face in await gallery.search(face.face.embedding!, topK: 1).candidates.first?.personID == ids[face.person] }
        // Real masks are hard for the head trained on synthetic ones (docs/gallery.md: 57% rank-1 on
        // masked-people); chance is 1 in 8. Measured here: 75 of 129 through the head, 72 through SFace.
        #expect(Double(rank1) >= 0.5 * Double(faces.count), "rank-1 through the head: \(rank1) of \(faces.count); through SFace \(sfaceRank1)")
        let wrongMatches = zip(faces, answers).filter { $0.1.match != nil && $0.1.match?.personID != ids[$0.0.person] }.count
        #expect(wrongMatches <= 2, "masked probes matched to the wrong person at the masked threshold: \(wrongMatches)")

        // An unmasked photo not enrolled goes through SFace at the gallery threshold.
        let person = try MaskedPeople.people()[0]
        let bare = try #require(try MaskedPeople.photos(person, masked: false).dropFirst(3).first)
        let answer = try #require(try await gallery.identify(imageAt: bare).max { $0.face.box.area < $1.face.box.area }?.identification)
        #expect(answer.method == .sface && answer.probeMasked == false && answer.threshold == Gallery.defaultThreshold)
        #expect(answer.match?.personID == ids[person])
    }

    /// Enrolling from a masked photo is allowed but warned about, and the call is kept.
    @Test(arguments: StoreKind.allCases)
    func enrollingFromAMaskedPhotoWarns(_ store: StoreKind) async throws {
        let location = try await Fixtures.galleryLocation(store)
        let gallery = try await Gallery.open(location, analyzer: try MaskedPeople.analyzer.get())
        let (person, face) = try #require(try await maskedFaces().first)
        let template = try gallery.template(for: face, imageData: nil)
        #expect(template.masked == true)
        let warning = try #require(Gallery.maskedEnrollmentWarning([template]))
        #expect(warning.contains("masked") && warning.contains("enrol an unmasked photo"))
        let (enrolled, _) = try await gallery.enroll(name: person, templates: [template])
        let (_, stored) = try await Gallery.open(location).person(enrolled.id)
        #expect(stored.map(\.masked) == [true])
        #expect(stored.first?.maskedFaceEmbedding == face.maskedFaceEmbedding)
    }

    /// A gallery made before templates held the attention head's embedding (the v4 migration
    /// undone) opens, keeps its templates, warns a masked probe that it was searched with SFace,
    /// and `reembed` from the enrolment photos gives it the masked search.
    @Test(arguments: StoreKind.allCases)
    func olderGalleriesAreMigratedAndReembedded(_ store: StoreKind) async throws {
        let location = try await Fixtures.galleryLocation(store)
        let (enrolled, ids) = try await enrolledGallery(location)
        let total = try await enrolled.stats().templates
        let downgrade = ["ALTER TABLE template DROP COLUMN masked_embedding", "ALTER TABLE template DROP COLUMN masked_model",
                         "ALTER TABLE template DROP COLUMN masked"]
        switch store {
        case .sqlite:
            try await DatabaseQueue(path: location).write { db in
                for statement in downgrade { try db.execute(sql: statement) }
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v4-masked-templates'")
            }
        case .postgres:
            for statement in downgrade { _ = try await PostgresTestServer.execute(location, statement) }
            _ = try await PostgresTestServer.execute(location, "UPDATE meta SET value = '2' WHERE key = 'schema_version'")
        }
        let gallery = try await Gallery.open(location, analyzer: try MaskedPeople.analyzer.get())
        let stats = try await gallery.stats()
        #expect(stats.templates == total && total >= 2 * ids.count && stats.maskedTemplates == 0)
        let (person, face) = try #require(try await maskedFaces().first)
        let before = try await gallery.identify(face: face)
        #expect(before.method == .sface && before.probeMasked == true && before.threshold == Gallery.defaultThreshold)
        #expect(before.warning?.contains("visage gallery reembed") == true)

        // Photos that are no template's are read and skipped; each enrolment photo finds its face again.
        let photos = try MaskedPeople.people().flatMap { try MaskedPeople.photos($0, masked: false).prefix(4) }
        let result = try await gallery.reembed(images: photos)
        #expect(result.missing == stats.templates && result.updated == stats.templates && result.notFound == 0)
        #expect(result.imagesMatched == stats.templates && result.imagesRead == photos.count)
        #expect(try await gallery.stats().maskedTemplates == stats.templates)
        let after = try await gallery.identify(face: face)
        #expect(after.method == .attentionHead && after.warning == nil && after.threshold == Gallery.defaultMaskedThreshold)
        #expect(after.candidates.first?.personID == ids[person])
        // Another process sharing the store sees the new embeddings too.
        #expect(try await Gallery.open(location).stats().maskedTemplates == stats.templates)
    }
}

/// `masked-people` in the shared data, and the analyzer enrolment and identification use.
enum MaskedPeople {
    static var root: URL? {
        Fixtures.dataURL.map { $0.appendingPathComponent("masked-people") }.flatMap { FileManager.default.fileExists(atPath: $0.path) ? $0 : nil }
    }

    static let analyzer = Result { try FaceAnalyzer(configuration: { var c = FaceAnalyzer.Configuration(); c.tasks = Gallery.analyzerTasks; return c }()) }

    static func people() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: try #require(root).path).filter { !$0.hasPrefix(".") }.sorted()
    }

    static func photos(_ person: String, masked: Bool) throws -> [String] {
        try Fixtures.photos(in: try #require(root).appendingPathComponent("\(person)/\(masked ? "masked" : "unmasked")"))
    }
}

extension Sequence {
    func asyncCount(_ predicate: (Element) async throws -> Bool) async rethrows -> Int {
        var count = 0
        for element in self where try await predicate(element) { count += 1 }
        return count
    }
}
