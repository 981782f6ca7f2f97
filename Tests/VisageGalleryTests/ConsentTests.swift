import Foundation
import Testing
import VisageTestSupport
import VisageGallery

/// The consent rule: kept in the store (so another process opening the gallery follows it),
/// enforced on every enrolment path of the library (templates, import), audited, counted.
struct ConsentTests {
    func template(_ seed: UInt64) -> Template {
        var generator = SeededGenerator(state: seed)
        return Template(embedding: Fixtures.randomUnitVector(using: &generator), model: Gallery.embeddingModel)
    }

    @Test(arguments: StoreKind.allCases)
    func aGalleryThatRequiresConsentRefusesPeopleWithoutARecord(_ kind: StoreKind) async throws {
        let location = try await Fixtures.galleryLocation(kind)
        let gallery = try await Gallery.open(location)
        #expect(try await gallery.consentRequired() == false, "off unless set, so older galleries enrol as before")
        try await gallery.enroll(name: "Before", templates: [template(1)])
        try await gallery.setConsentRequired(true)

        // Another process (or service node) opening the same gallery follows the rule.
        let other = try await Gallery.open(location)
        #expect(try await other.consentRequired())
        await #expect(throws: GalleryError.consentMissing(name: "Ada")) { try await other.enroll(name: "Ada", templates: [template(2)]) }
        await #expect(throws: GalleryError.consentMissing(name: "Ada")) {
            try await other.enroll(name: "Ada", metadata: ["consent": "  "], templates: [template(2)])
        }
        let (ada, _) = try await other.enroll(name: "Ada", metadata: ["consent": "form 2026-114", "employee": "1042"], templates: [template(2)])
        #expect(try await other.person(ada.id).0.metadata == ["consent": "form 2026-114", "employee": "1042"])

        let stats = try await other.stats()
        #expect(stats.consentRequired && stats.people == 2 && stats.peopleWithoutConsent == 1)
        #expect(try await other.auditLog(limit: 10).contains { $0.operation == .policy })

        try await other.setConsentRequired(false)
        #expect(try await gallery.consentRequired() == false)
        try await gallery.enroll(name: "After", templates: [template(3)])
    }

    /// An import into a gallery that requires consent stops at the first person without a
    /// record, naming the line, after the people before it were imported.
    @Test func anImportStopsAtAPersonWithoutARecord() async throws {
        let source = try await Gallery.open(try Fixtures.galleryPath())
        try await source.enroll(name: "Ada", metadata: ["consent": "form 1"], templates: [template(4)])
        try await source.enroll(name: "Bob", templates: [template(5)])
        let file = URL(fileURLWithPath: try Fixtures.temporaryDirectory()).appendingPathComponent("people.jsonl")
        #expect(try await source.export(to: file) == 2)

        let target = try await Gallery.open(try Fixtures.galleryPath())
        try await target.setConsentRequired(true)
        await #expect(throws: GalleryError.invalidImport(line: 2, reason: "Bob has no consent record (metadata `consent`), which this gallery requires")) {
            try await target.importPeople(from: file)
        }
        #expect(try await target.people().map(\.name) == ["Ada"])
    }
}
