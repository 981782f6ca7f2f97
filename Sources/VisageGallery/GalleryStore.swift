public import Foundation

/// Persistent storage for people, templates and the audit trail.
///
/// ``SQLiteGalleryStore`` is the embedded default. A store only persists: searching is the
/// in-memory ``GalleryIndex``'s job, which ``Gallery`` loads from ``allTemplates()`` and keeps
/// in step with every insert and delete.
///
/// Every method that writes is one transaction: after it returns, the change survives a
/// crash of the process; if the process dies before, nothing of it is visible.
public protocol GalleryStore: Sendable {
    /// Adds a person together with their templates, atomically; returns the stored values with ids.
    func insert(name: String, metadata: [String: String], created: Date, templates: [Template]) async throws -> (Person, [Template])
    /// Adds templates to an existing person; throws ``GalleryError/unknownPerson(id:)``.
    func addTemplates(_ templates: [Template], to personID: Int64) async throws -> [Template]
    /// Everyone, by id.
    func people() async throws -> [Person]
    /// One person, nil when the id is unknown.
    func person(id: Int64) async throws -> Person?
    /// A person's templates, by id.
    func templates(of personID: Int64) async throws -> [Template]
    /// Every template (decrypted), by id: what the index is built from.
    func allTemplates() async throws -> [Template]
    /// Removes a person and every template of theirs; returns the template ids removed.
    func deletePerson(id: Int64) async throws -> [Int64]
    /// Appends to the audit trail.
    func appendAudit(_ entry: AuditEntry) async throws
    /// The latest audit entries, newest first.
    func auditLog(limit: Int) async throws -> [AuditEntry]
    /// Whether the templates are encrypted at rest.
    var isEncrypted: Bool { get }
    /// Bytes the store occupies (file plus write-ahead log), nil when unknown.
    func sizeInBytes() async throws -> Int?
}
