public import Foundation

/// Persistent storage for people, templates and the audit trail.
///
/// ``SQLiteGalleryStore`` is the embedded default; ``PostgresGalleryStore`` lets several
/// service nodes share one gallery. A store only persists: searching is the in-memory
/// ``GalleryIndex``'s job, which ``Gallery`` loads from ``allTemplates()`` and keeps in step
/// with every insert and delete, its own and, through ``changes(since:)``, those of other
/// processes sharing the store.
///
/// Every method that writes is one transaction: after it returns, the change survives a
/// crash of the process; if the process dies before, nothing of it is visible.
///
/// Every insert, addTemplates and delete also raises the store's *generation*, a counter
/// that writers raise one at a time (the writer holds the counter until it commits), so
/// generations become visible in order: a reader that sees generation g sees every change
/// up to g.
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
    /// Stores the attention-head embedding and mask call of existing templates (`visage gallery
    /// reembed`), raising the generation so that other processes add them to their masked index;
    /// returns how many templates were updated (an id no longer stored is skipped). One transaction.
    func setMaskedFaceEmbeddings(_ updates: [MaskedFaceUpdate]) async throws -> Int
    /// Appends to the audit trail.
    func appendAudit(_ entry: AuditEntry) async throws
    /// The latest audit entries, newest first.
    func auditLog(limit: Int) async throws -> [AuditEntry]
    /// Deletes the audit entries older than `date`; returns how many.
    func pruneAudit(before date: Date) async throws -> Int
    /// A gallery-wide rule's stored value, nil when it was never set.
    func setting(_ setting: GallerySetting) async throws -> String?
    /// Stores a gallery-wide rule (nil removes it) and raises the generation, so that other
    /// processes' next ``changes(since:)`` tells them to read the rules again; one transaction.
    func setSetting(_ setting: GallerySetting, to value: String?) async throws
    /// Whether the templates are encrypted at rest.
    var isEncrypted: Bool { get }
    /// Bytes the store occupies (file plus write-ahead log, or the database), nil when unknown.
    func sizeInBytes() async throws -> Int?
    /// The current generation: read it before ``allTemplates()`` to know where to take changes from.
    func generation() async throws -> Int64
    /// What other writers committed after `generation`: one cheap read when nothing did.
    func changes(since generation: Int64) async throws -> GalleryChanges
}

/// A gallery-wide rule kept in the store beside the people, so that every process and service
/// node sharing the gallery follows it. Only these keys can be written: the same table holds
/// the store's own bookkeeping (schema version, generation, encryption check).
public enum GallerySetting: String, Sendable, CaseIterable {
    /// "1" when a person may only be enrolled with a consent record (``Gallery/consentMetadataKey``).
    case consentRequired = "consent_required"
    /// JSON of the thresholds a person chose after reviewing a pilot (``ReviewedThresholds``).
    case reviewedThresholds = "reviewed_thresholds"
}

/// What `visage gallery reembed` measured for one stored template.
public struct MaskedFaceUpdate: Sendable, Hashable {
    public var templateID: Int64
    public var maskedFaceEmbedding: [Float]
    public var maskedFaceModel: String
    public var masked: Bool?

    public init(templateID: Int64, maskedFaceEmbedding: [Float], maskedFaceModel: String, masked: Bool?) {
        self.templateID = templateID
        self.maskedFaceEmbedding = maskedFaceEmbedding
        self.maskedFaceModel = maskedFaceModel
        self.masked = masked
    }
}

/// The writes committed to a store between two generations, for bringing an index up to date.
public struct GalleryChanges: Sendable {
    /// The generation these changes bring a reader to.
    public var generation: Int64
    /// People deleted in the interval (their templates are gone from the store).
    public var deletedPersonIDs: [Int64]
    /// Templates added in the interval by people still in the store, by id, and templates given
    /// an attention-head embedding in it (``GalleryStore/setMaskedFaceEmbeddings(_:)``).
    public var templates: [Template]
    /// The owners of ``templates``, for their names.
    public var people: [Person]

    public init(generation: Int64, deletedPersonIDs: [Int64] = [], templates: [Template] = [], people: [Person] = []) {
        self.generation = generation
        self.deletedPersonIDs = deletedPersonIDs
        self.templates = templates
        self.people = people
    }
}
