import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
import VisageGallery
import VisageTestSupport
@testable import VisageServer

/// When the gallery's database cannot be reached, every route that reads or writes people answers
/// 503 `gallery_unavailable` with `Retry-After` (as its OpenAPI operation says), never 500, and
/// answers again once the database is back.
struct GalleryOutageTests {
    @Test func everyPeopleRouteAnswers503WhileTheDatabaseIsDown() async throws {
        let folder = try TemporaryDirectory.make(prefix: "visage-outage")
        let store = OutageStore(try SQLiteGalleryStore(path: folder.appendingPathComponent("outage.gallery").path))
        let (analyzer, embedder) = try #require(Fixtures.analyzers, "the models are missing: run `make setup` (scripts/setup) first")
        var galleryConfiguration = Gallery.Configuration()
        galleryConfiguration.recordsAudit = false
        let gallery = try await Gallery(store: store, analyzer: embedder, configuration: galleryConfiguration)
        let service = VisageService(configuration: .init(), analyzer: analyzer, embedder: embedder, gallery: gallery, keys: Fixtures.keys)
        let tom = try Fixtures.sample("Tom_Hanks_54745.png")
        try await service.makeApplication().test(.router) { client in
            let enrolled = try await client.execute(uri: "/v1/people?name=Tom", method: .post, headers: headers(contentType: "image/png"),
                                                    body: ByteBuffer(bytes: tom))
            #expect(enrolled.status == .created)
            let id = try #require(try enrolled.object()["id"] as? Int)

            store.isDown = true
            let routes: [(String, HTTPRequest.Method, String, String?, ByteBuffer?)] = [
                ("listPeople", .get, "/v1/people", nil, nil),
                ("getPerson", .get, "/v1/people/\(id)", nil, nil),
                ("deletePerson", .delete, "/v1/people/\(id)", nil, nil),
                ("getAuditLog", .get, "/v1/audit", nil, nil),
                ("getThresholds", .get, "/v1/thresholds", nil, nil),
                ("identify", .post, "/v1/identify", "image/png", ByteBuffer(bytes: tom)),
                ("createPerson", .post, "/v1/people?name=Ada", "image/png", ByteBuffer(bytes: tom)),
            ]
            for (operation, method, uri, type, body) in routes {
                let response = try await client.execute(uri: uri, method: method, headers: headers(contentType: type), body: body)
                #expect(response.status == .serviceUnavailable, "\(method) \(uri): \(response.status)")
                #expect(response.headers[.retryAfter] != nil, "\(method) \(uri)")
                let error = try response.object()["error"] as? [String: Any]
                #expect(error?["code"] as? String == "gallery_unavailable", "\(method) \(uri): \(String(describing: error))")
                // The operator's details (host, user) stay in the log.
                #expect((error?["message"] as? String)?.contains("db.internal") == false)
                #expect(Self.documentedStatuses(of: operation).contains("503"), "\(operation) does not document its 503")
            }

            store.isDown = false
            let back = try await client.execute(uri: "/v1/people/\(id)", method: .get, headers: headers())
            #expect(back.status == .ok)
        }
    }

    /// The response codes the bundled OpenAPI document lists for an operation: the `'NNN':` keys
    /// between its `operationId` and the next operation's.
    static func documentedStatuses(of operationID: String) -> [String] {
        let yaml = OpenAPISpec.bundled.yaml
        guard let start = yaml.range(of: "operationId: \(operationID)\n") else { return [] }
        let rest = yaml[start.upperBound...]
        let section = rest[..<(rest.range(of: "operationId:")?.lowerBound ?? rest.endIndex)]
        return section.split(separator: "\n").compactMap { line in
            let key = line.trimmingCharacters(in: .whitespaces)
            return key.count == 6 && key.hasPrefix("'") && key.hasSuffix("':") ? String(key.dropFirst().prefix(3)) : nil
        }
    }
}

/// A SQLite store whose every call fails as a PostgreSQL server that cannot be reached does,
/// while `isDown` is set.
final class OutageStore: GalleryStore {
    private let inner: SQLiteGalleryStore
    private let down = Mutex(false)

    init(_ inner: SQLiteGalleryStore) { self.inner = inner }

    var isDown: Bool {
        get { down.withLock { $0 } }
        set { down.withLock { $0 = newValue } }
    }

    private func reach() throws {
        if isDown { throw GalleryError.storeUnavailable(location: "postgres://visage@db.internal:5432/gallery", reason: "connection refused") }
    }

    func insert(name: String, metadata: [String: String], created: Date, templates: [Template]) async throws -> (Person, [Template]) {
        try reach(); return try await inner.insert(name: name, metadata: metadata, created: created, templates: templates)
    }
    func addTemplates(_ templates: [Template], to personID: Int64) async throws -> [Template] {
        try reach(); return try await inner.addTemplates(templates, to: personID)
    }
    func people() async throws -> [Person] { try reach(); return try await inner.people() }
    func person(id: Int64) async throws -> Person? { try reach(); return try await inner.person(id: id) }
    func templates(of personID: Int64) async throws -> [Template] { try reach(); return try await inner.templates(of: personID) }
    func allTemplates() async throws -> [Template] { try reach(); return try await inner.allTemplates() }
    func deletePerson(id: Int64) async throws -> [Int64] { try reach(); return try await inner.deletePerson(id: id) }
    func setMaskedFaceEmbeddings(_ updates: [MaskedFaceUpdate]) async throws -> Int { try reach(); return try await inner.setMaskedFaceEmbeddings(updates) }
    func appendAudit(_ entry: AuditEntry) async throws { try reach(); try await inner.appendAudit(entry) }
    func auditLog(limit: Int) async throws -> [AuditEntry] { try reach(); return try await inner.auditLog(limit: limit) }
    func pruneAudit(before date: Date) async throws -> Int { try reach(); return try await inner.pruneAudit(before: date) }
    func setting(_ setting: GallerySetting) async throws -> String? { try reach(); return try await inner.setting(setting) }
    func setSetting(_ setting: GallerySetting, to value: String?) async throws { try reach(); try await inner.setSetting(setting, to: value) }
    var isEncrypted: Bool { inner.isEncrypted }
    func sizeInBytes() async throws -> Int? { try reach(); return try await inner.sizeInBytes() }
    func generation() async throws -> Int64 { try reach(); return try await inner.generation() }
    func changes(since generation: Int64) async throws -> GalleryChanges { try reach(); return try await inner.changes(since: generation) }
}
