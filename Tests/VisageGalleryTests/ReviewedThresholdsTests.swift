import Foundation
import Testing
import VisageTestSupport
import VisageGallery
import GRDB

/// Thresholds chosen after a pilot: kept in the store, so another process (or a running
/// service node, at its next search) decides with them; the opener's configuration still wins;
/// refused without a note or out of range; audited; cleared back to the calibrated defaults.
struct ReviewedThresholdsTests {
    func unitVector(_ values: [Float]) -> [Float] {
        var v = values + [Float](repeating: 0, count: 128 - values.count)
        let norm = (v.reduce(0) { $0 + $1 * $1 }).squareRoot()
        for i in v.indices { v[i] /= norm }
        return v
    }

    @Test(arguments: StoreKind.allCases)
    func anotherProcessDecidesWithTheReviewedThreshold(_ kind: StoreKind) async throws {
        let location = try await Fixtures.galleryLocation(kind)
        let gallery = try await Gallery.open(location)
        let enrolled = unitVector([1])
        try await gallery.enroll(name: "Ada", templates: [Template(embedding: enrolled, model: Gallery.embeddingModel)])
        // A probe at cosine 0.45 from Ada: below the calibrated 0.4952, above a reviewed 0.44.
        let probe = unitVector([0.45, (1 - 0.45 * 0.45).squareRoot()])
        let server = try await Gallery.open(location)
        #expect(try await server.identify(embedding: probe).match == nil)
        #expect(await server.thresholds.thresholdSource == .calibrated)

        let reviewed = ReviewedThresholds(threshold: 0.44, maskedThreshold: nil, note: "pilot of 2026-12-04; reviewed by J. Doe")
        try await gallery.setReviewedThresholds(reviewed)
        // The other gallery has not been told: it reads the store at its next identification.
        let answer = try await server.identify(embedding: probe)
        #expect(answer.match?.name == "Ada" && answer.threshold == 0.44)
        let thresholds = await server.thresholds
        #expect(thresholds.thresholdSource == .reviewed && thresholds.reviewed?.note == reviewed.note)
        #expect(thresholds.maskedThreshold == Gallery.defaultMaskedThreshold && thresholds.maskedThresholdSource == .calibrated)
        // The audit entry says what changed and why: the setting itself keeps only its current value.
        let change = try await server.auditLog(limit: 10).first { $0.operation == .policy }
        #expect(change?.detail == "reviewed thresholds set: threshold 0.4952 (calibrated) → 0.4400 (reviewed); "
            + "masked probes 0.4559 (calibrated), unchanged; note: pilot of 2026-12-04; reviewed by J. Doe", "\(String(describing: change))")

        // An opener that sets its own threshold keeps it.
        var configuration = Gallery.Configuration()
        configuration.threshold = 0.6
        let strict = try await Gallery.open(location, configuration: configuration)
        let configured = await strict.thresholds
        #expect(configured.threshold == 0.6 && configured.thresholdSource == .configuration)
        #expect(try await strict.identify(embedding: probe).match == nil)

        try await gallery.setReviewedThresholds(nil)
        #expect(try await gallery.auditLog(limit: 1).first?.detail?.hasPrefix("reviewed thresholds cleared: threshold 0.4400 (reviewed) → 0.4952 (calibrated)") == true)
        #expect(try await server.identify(embedding: probe).match == nil)
        let cleared = await server.thresholds
        #expect(cleared.threshold == Gallery.defaultThreshold && cleared.reviewed == nil)
    }

    @Test func thresholdsWithoutANoteOrOutOfRangeAreRefused() async throws {
        let gallery = try await Gallery.open(try Fixtures.galleryPath())
        await #expect(throws: GalleryError.invalidThresholds(reason: "say who reviewed them and on what evidence (a note)")) {
            try await gallery.setReviewedThresholds(ReviewedThresholds(threshold: 0.5, maskedThreshold: nil, note: "  "))
        }
        await #expect(throws: GalleryError.self) {
            try await gallery.setReviewedThresholds(ReviewedThresholds(threshold: 1.5, maskedThreshold: nil, note: "pilot"))
        }
        await #expect(throws: GalleryError.self) {
            try await gallery.setReviewedThresholds(ReviewedThresholds(threshold: nil, maskedThreshold: nil, note: "pilot"))
        }
        #expect(await gallery.thresholds.reviewed == nil)
    }

    /// A stored value that cannot be read (written by hand, or damaged) is refused with words
    /// that say how to fix it, not taken as some threshold.
    @Test func anUnreadableStoredValueIsNamed() async throws {
        let path = try Fixtures.galleryPath()
        let store = try SQLiteGalleryStore(path: path)
        try await store.setSetting(.reviewedThresholds, to: "{\"threshold\": \"high\"}")
        await #expect(throws: GalleryError.self) { _ = try await Gallery(store: store) }
        do {
            _ = try await Gallery(store: store)
        } catch {
            #expect((error as? GalleryError)?.errorDescription?.contains("--clear") == true)
        }
    }

    /// A gallery made before audit entries had a detail gains the column when it opens, and its
    /// old entries read back without one.
    @Test(arguments: StoreKind.allCases)
    func olderGalleriesGainTheAuditDetail(_ kind: StoreKind) async throws {
        let location = try await Fixtures.galleryLocation(kind)
        let gallery = try await Gallery.open(location)
        try await gallery.enroll(name: "Ada", templates: [Template(embedding: unitVector([1]), model: Gallery.embeddingModel)])
        switch kind {
        case .sqlite:
            try await DatabaseQueue(path: location).write { db in
                try db.execute(sql: "ALTER TABLE audit DROP COLUMN detail")
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v5-audit-change-detail'")
            }
        case .postgres:
            _ = try await PostgresTestServer.execute(location, "ALTER TABLE audit DROP COLUMN detail")
            _ = try await PostgresTestServer.execute(location, "UPDATE meta SET value = '3' WHERE key = 'schema_version'")
        }
        let reopened = try await Gallery.open(location)
        #expect(try await reopened.auditLog(limit: 5).map(\.operation) == [.enroll])
        #expect(try await reopened.auditLog(limit: 5).first?.detail == nil)
        try await reopened.setConsentRequired(true)
        #expect(try await reopened.auditLog(limit: 1).first?.detail == "consent record: not required → required")
    }
}
