public import Foundation
import Logging
import PostgresNIO
import VisageCore

/// A gallery in a PostgreSQL database, through postgres-nio: one gallery shared by several
/// service nodes.
///
/// ```swift
/// let store = try await PostgresGalleryStore(url: "postgres://visage@db.internal/staff")
/// let gallery = try await Gallery(store: store, analyzer: try FaceAnalyzer())
/// ```
///
/// The same promises as ``SQLiteGalleryStore``, kept the PostgreSQL way:
/// - One database is one gallery: its tables (`meta`, `person`, `template`, `deletion`,
///   `audit`) live in the connection's current schema. A database whose schema already holds
///   other tables is refused untouched, as another application's.
/// - The schema version is in `meta`; creating or migrating happens under an advisory lock,
///   so that nodes starting together do not race, and a database migrated by a newer Visage
///   is refused.
/// - Every write is one transaction, committed before the method returns.
/// - Embeddings are the same bytes as in SQLite (little-endian float32, AES-GCM sealed with a
///   ``TemplateCipher``); encryption is fixed when the gallery is created.
/// - Erasure: PostgreSQL never overwrites a row in place (MVCC leaves a deleted row's bytes in
///   the table file until its space is reused), so a delete ends with `VACUUM FULL person,
///   template`, which writes both tables anew without the deleted rows and drops the old
///   files. VACUUM must keep rows that an older snapshot may still see, so it first waits (up
///   to 10 s) for every transaction older than the delete, on any database of the server, to end. That costs a rewrite of the template table (O(gallery size)) per delete. The
///   write-ahead log, replicas and backups keep the old rows until they are recycled: encrypt
///   the templates when that matters.
public final class PostgresGalleryStore: GalleryStore {
    /// The schema this build creates and reads; a database at a higher version is refused.
    public static let schemaVersion = 4

    /// The URL without its password.
    public let location: String
    public let isEncrypted: Bool
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let encoding: StoreEncoding
    private let logger: Logger

    /// Connects to the gallery at `url`, creating its tables in an empty database.
    ///
    /// - Throws: ``GalleryError/invalidLocation(_:reason:)`` for a URL it cannot use,
    ///   ``GalleryError/storeUnavailable(location:reason:)`` when the server cannot be reached
    ///   or refuses the login, ``GalleryError/notAGallery(path:reason:)`` for another
    ///   application's database, ``GalleryError/newerSchema(path:)``, and the key errors.
    public init(url: String, cipher: TemplateCipher? = nil) async throws {
        let target = try PostgresLocation(url)
        let location = target.redacted
        self.location = location
        encoding = StoreEncoding(cipher: cipher, location: location)
        var logger = Logger(label: "visage.gallery.postgres")
        logger.logLevel = .error
        self.logger = logger
        // The set-up runs on a connection of its own, which fails at once with the server's
        // reason; the pool would keep retrying quietly.
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: try target.connectionConfiguration(), id: 0, logger: logger)
        } catch {
            throw Self.galleryError(error, location: location)
        }
        do {
            isEncrypted = try await Self.prepare(connection, cipher: cipher, location: location, logger: logger)
            try? await connection.close()
        } catch {
            try? await connection.close()
            throw Self.galleryError(error, location: location)
        }
        let client = PostgresClient(configuration: target.clientConfiguration(), backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
    }

    deinit { runner.cancel() }

    /// Closes the connections; the store cannot be used afterwards. Dropping the store does the same.
    public func close() { runner.cancel() }

    // MARK: - GalleryStore

    public func insert(name: String, metadata: [String: String], created: Date, templates: [Template]) async throws -> (Person, [Template]) {
        let metadataText = try StoreEncoding.metadataText(metadata)
        return try await transaction { connection, logger in
            let generation = try await Self.nextGeneration(connection, logger)
            let id = try await Self.one(Int64.self, connection.query("""
                INSERT INTO person (name, metadata, created) VALUES (\(name), \(metadataText), \(created.timeIntervalSince1970)) RETURNING id
                """, logger: logger))
            let stored = try await self.insertTemplates(templates, personID: id, generation: generation, connection, logger)
            return (Person(id: id, name: name, metadata: metadata, created: created, templateCount: stored.count), stored)
        }
    }

    public func addTemplates(_ templates: [Template], to personID: Int64) async throws -> [Template] {
        try await transaction { connection, logger in
            let generation = try await Self.nextGeneration(connection, logger)
            // Writers are serialised by the generation's row lock: the person cannot vanish before the commit.
            guard try await Self.exists(connection.query("SELECT 1 FROM person WHERE id = \(personID)", logger: logger)) else {
                throw GalleryError.unknownPerson(id: personID)
            }
            return try await self.insertTemplates(templates, personID: personID, generation: generation, connection, logger)
        }
    }

    public func people() async throws -> [Person] {
        try await withConnection { connection, logger in try await Self.fetchPeople(connection, logger, where: "") }
    }

    public func person(id: Int64) async throws -> Person? {
        try await withConnection { connection, logger in
            try await Self.fetchPeople(connection, logger, where: "WHERE p.id = $1", binds: [id]).first
        }
    }

    public func templates(of personID: Int64) async throws -> [Template] {
        try await withConnection { connection, logger in
            try await self.fetchTemplates(connection, logger, where: "WHERE person_id = $1", binds: [personID])
        }
    }

    public func allTemplates() async throws -> [Template] {
        try await withConnection { connection, logger in try await self.fetchTemplates(connection, logger, where: "", binds: []) }
    }

    public func deletePerson(id: Int64) async throws -> [Int64] {
        let (removed, deletingTransaction) = try await transaction { connection, logger in
            let generation = try await Self.nextGeneration(connection, logger)
            let transactionID = try await Self.one(Int64.self, connection.query("SELECT txid_current()", logger: logger))
            guard try await Self.exists(connection.query("SELECT 1 FROM person WHERE id = \(id)", logger: logger)) else {
                throw GalleryError.unknownPerson(id: id)
            }
            var templateIDs: [Int64] = []
            for try await templateID in try await connection.query("DELETE FROM template WHERE person_id = \(id) RETURNING id", logger: logger)
                .decode(Int64.self) {
                templateIDs.append(templateID)
            }
            try await connection.query("DELETE FROM person WHERE id = \(id)", logger: logger)
            try await connection.query("INSERT INTO deletion (generation, person_id) VALUES (\(generation), \(id))", logger: logger)
            return (templateIDs.sorted(), transactionID)
        }
        // After the commit, outside any transaction (VACUUM cannot run in one). VACUUM keeps
        // a deleted row that a snapshot older than the delete might still see, so first wait
        // (up to 10 s) until no session holds one.
        try await withConnection { connection, logger in
            for _ in 0..<100 {
                let older = try await Self.one(Int64.self, connection.query("""
                    SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND (
                        (backend_xmin IS NOT NULL AND age(backend_xmin) >= age((\(deletingTransaction) % 4294967296)::text::xid))
                        OR (backend_xid IS NOT NULL AND age(backend_xid) >= age((\(deletingTransaction) % 4294967296)::text::xid)))
                    """, logger: logger))
                if older == 0 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            try await connection.query("VACUUM FULL person, template", logger: logger)
        }
        return removed
    }

    public func setMaskedFaceEmbeddings(_ updates: [MaskedFaceUpdate]) async throws -> Int {
        guard !updates.isEmpty else { return 0 }
        return try await transaction { connection, logger in
            let generation = try await Self.nextGeneration(connection, logger)
            var changed = 0
            for update in updates {
                let bytes = try self.encoding.embeddingBytes(update.maskedFaceEmbedding)
                for try await _ in try await connection.query("""
                    UPDATE template SET masked_embedding = \(bytes), masked_model = \(update.maskedFaceModel), masked = \(update.masked),
                        generation = \(generation)
                    WHERE id = \(update.templateID) RETURNING id
                    """, logger: logger).decode(Int64.self) {
                    changed += 1
                }
            }
            return changed
        }
    }

    public func setting(_ setting: GallerySetting) async throws -> String? {
        try await withConnection { connection, logger in
            for try await value in try await connection.query("SELECT value FROM meta WHERE key = \(setting.rawValue)", logger: logger)
                .decode(String.self) { return value }
            return nil
        }
    }

    public func setSetting(_ setting: GallerySetting, to value: String?) async throws {
        try await transaction { connection, logger in
            if let value {
                _ = try await connection.query("""
                    INSERT INTO meta (key, value) VALUES (\(setting.rawValue), \(value)) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
                    """, logger: logger)
            } else {
                _ = try await connection.query("DELETE FROM meta WHERE key = \(setting.rawValue)", logger: logger)
            }
            _ = try await Self.nextGeneration(connection, logger)
        }
    }

    public func appendAudit(_ entry: AuditEntry) async throws {
        let ids = StoreEncoding.personIDsText(entry.personIDs)
        _ = try await withConnection { connection, logger in
            try await connection.query("""
                INSERT INTO audit (time, actor, role, operation, person_ids, outcome, request_id, detail)
                VALUES (\(entry.time.timeIntervalSince1970), \(entry.actor), \(entry.role), \(entry.operation.rawValue), \(ids),
                        \(entry.outcome), \(entry.requestID), \(entry.detail))
                """, logger: logger)
        }
    }

    public func auditLog(limit: Int) async throws -> [AuditEntry] {
        try await withConnection { connection, logger in
            var entries: [AuditEntry] = []
            let rows = try await connection.query("""
                SELECT time, actor, role, operation, person_ids, outcome, request_id, detail FROM audit ORDER BY id DESC LIMIT \(limit)
                """, logger: logger)
            for try await (time, actor, role, operation, ids, outcome, requestID, detail)
                in rows.decode((Double, String, String?, String, String, String, String?, String?).self) {
                entries.append(AuditEntry(time: Date(timeIntervalSince1970: time), actor: actor, role: role,
                                          operation: AuditEntry.Operation(rawValue: operation) ?? .identify,
                                          personIDs: StoreEncoding.personIDs(from: ids), outcome: outcome, requestID: requestID,
                                          detail: detail))
            }
            return entries
        }
    }

    public func pruneAudit(before date: Date) async throws -> Int {
        try await withConnection { connection, logger in
            var count = 0
            for try await _ in try await connection.query("""
                DELETE FROM audit WHERE time < \(date.timeIntervalSince1970) RETURNING id
                """, logger: logger).decode(Int64.self) {
                count += 1
            }
            return count
        }
    }

    public func sizeInBytes() async throws -> Int? {
        try await withConnection { connection, logger in
            Int(try await Self.one(Int64.self, connection.query("SELECT pg_database_size(current_database())", logger: logger)))
        }
    }

    public func generation() async throws -> Int64 {
        try await withConnection { connection, logger in try await Self.currentGeneration(connection, logger) }
    }

    public func changes(since generation: Int64) async throws -> GalleryChanges {
        // The usual answer, "nothing new", costs one short read.
        guard try await self.generation() > generation else { return GalleryChanges(generation: generation) }
        // The rest from one snapshot, so that generation, templates and names agree.
        return try await transaction { connection, logger in
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
            let current = try await Self.currentGeneration(connection, logger)
            var deleted: [Int64] = []
            for try await id in try await connection.query("""
                SELECT person_id FROM deletion WHERE generation > \(generation) AND generation <= \(current) ORDER BY generation
                """, logger: logger).decode(Int64.self) {
                deleted.append(id)
            }
            let templates = try await self.fetchTemplates(connection, logger, where: "WHERE generation > $1 AND generation <= $2",
                                                          binds: [generation, current])
            let owners = Set(templates.map(\.personID)).sorted()
            let people = owners.isEmpty ? [] : try await Self.fetchPeople(connection, logger, where: "WHERE p.id = ANY($1)", binds: [owners])
            return GalleryChanges(generation: current, deletedPersonIDs: deleted, templates: templates, people: people)
        }
    }

    // MARK: - Schema

    /// Serialises set-up and migration between processes: an arbitrary constant ("VGAL").
    private static let setupLockKey: Int64 = 0x5647_414C

    /// Creates the tables in an empty database, or checks an existing gallery's version and
    /// encryption; returns whether templates are encrypted.
    private static func prepare(_ connection: PostgresConnection, cipher: TemplateCipher?, location: String, logger: Logger) async throws -> Bool {
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(setupLockKey))", logger: logger)
            var tables: Set<String> = []
            for try await name in try await connection.query(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()", logger: logger
            ).decode(String.self) {
                tables.insert(name)
            }
            if tables.isEmpty {
                for statement in schema + migrations.flatMap(\.statements) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                for (key, value) in try StoreEncoding.newEncryptionMeta(cipher: cipher) + [("generation", "0")] {
                    try await connection.query("INSERT INTO meta (key, value) VALUES (\(key), \(value))", logger: logger)
                }
                try await connection.query("""
                    INSERT INTO meta (key, value) VALUES ('application', 'visage-gallery'), ('schema_version', \(String(schemaVersion)))
                    """, logger: logger)
                return cipher != nil
            }
            guard tables.contains("meta") else {
                throw GalleryError.notAGallery(path: location, reason: "a PostgreSQL database of another application")
            }
            var meta: [String: String] = [:]
            for try await (key, value) in try await connection.query("SELECT key::text, value::text FROM meta", logger: logger)
                .decode((String, String).self) {
                meta[key] = value
            }
            guard meta["application"] == "visage-gallery", let version = meta["schema_version"].flatMap(Int.init) else {
                throw GalleryError.notAGallery(path: location, reason: "a PostgreSQL database of another application")
            }
            guard version <= schemaVersion else { throw GalleryError.newerSchema(path: location) }
            // Each migration under this same lock, in the same transaction as the version it sets.
            for migration in migrations where migration.version > version {
                for statement in migration.statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await connection.query("UPDATE meta SET value = \(String(migration.version)) WHERE key = 'schema_version'", logger: logger)
            }
            guard let mode = meta["encryption"] else {
                throw GalleryError.notAGallery(path: location, reason: "its encryption mode is missing")
            }
            return try StoreEncoding.checkEncryption(mode: mode, keyCheck: meta["key_check"], cipher: cipher)
        }
    }

    /// Version 1: the SQLite schema's tables, with PostgreSQL's types. Times are seconds since
    /// 1970 as double precision, as in SQLite, so that both stores give back the same `Date`s.
    private static let schema = [
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """
        CREATE TABLE person (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            name TEXT NOT NULL,
            metadata TEXT NOT NULL DEFAULT '{}',
            created DOUBLE PRECISION NOT NULL)
        """,
        """
        CREATE TABLE template (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            person_id BIGINT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
            generation BIGINT NOT NULL,
            embedding BYTEA NOT NULL,
            dimension INTEGER NOT NULL,
            model TEXT NOT NULL,
            source_sha256 TEXT,
            box_x REAL, box_y REAL, box_width REAL, box_height REAL,
            quality REAL,
            created DOUBLE PRECISION NOT NULL)
        """,
        "CREATE INDEX template_person ON template(person_id)",
        "CREATE INDEX template_generation ON template(generation)",
        "CREATE TABLE deletion (generation BIGINT NOT NULL, person_id BIGINT NOT NULL)",
        "CREATE INDEX deletion_generation ON deletion(generation)",
        """
        CREATE TABLE audit (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            time DOUBLE PRECISION NOT NULL,
            actor TEXT NOT NULL,
            operation TEXT NOT NULL,
            person_ids TEXT NOT NULL)
        """,
    ]

    /// The changes since version 1, each with the version it brings the schema to.
    private static let migrations: [(version: Int, statements: [String])] = [
        (2, [
            // Who asked with which role, how it ended, and the request it came in (the service's audit).
            "ALTER TABLE audit ADD COLUMN role TEXT",
            "ALTER TABLE audit ADD COLUMN outcome TEXT NOT NULL DEFAULT 'ok'",
            "ALTER TABLE audit ADD COLUMN request_id TEXT",
            "CREATE INDEX audit_time ON audit(time)",
        ]),
        (3, [
            // Masked-face identification: the attention head's embedding of each template and whether
            // its face was called masked. Older templates keep NULL until `visage gallery reembed`.
            // IF NOT EXISTS: a database whose version was set back by hand may hold them already.
            "ALTER TABLE template ADD COLUMN IF NOT EXISTS masked_embedding BYTEA",
            "ALTER TABLE template ADD COLUMN IF NOT EXISTS masked_model TEXT",
            "ALTER TABLE template ADD COLUMN IF NOT EXISTS masked BOOLEAN",
        ]),
        (4, [
            // What a policy change changed (consent rule, reviewed thresholds), kept with its audit entry.
            "ALTER TABLE audit ADD COLUMN IF NOT EXISTS detail TEXT",
        ]),
    ]

    private static func currentGeneration(_ connection: PostgresConnection, _ logger: Logger) async throws -> Int64 {
        try await one(Int64.self, connection.query("SELECT value::bigint FROM meta WHERE key = 'generation'", logger: logger))
    }

    /// Raises the generation; the row lock it takes makes the next writer wait for this commit,
    /// so generations become visible in order.
    private static func nextGeneration(_ connection: PostgresConnection, _ logger: Logger) async throws -> Int64 {
        try await one(Int64.self, connection.query("""
            UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'generation' RETURNING value::bigint
            """, logger: logger))
    }

    // MARK: - Rows

    private func insertTemplates(_ templates: [Template], personID: Int64, generation: Int64,
                                 _ connection: PostgresConnection, _ logger: Logger) async throws -> [Template] {
        var stored: [Template] = []
        for var template in templates {
            template.personID = personID
            let embedding = try encoding.embeddingBytes(template.embedding)
            let maskedEmbedding = try template.maskedFaceEmbedding.map { try encoding.embeddingBytes($0) }
            template.id = try await Self.one(Int64.self, connection.query("""
                INSERT INTO template (person_id, generation, embedding, dimension, model, source_sha256,
                                      box_x, box_y, box_width, box_height, quality, created, masked_embedding, masked_model, masked)
                VALUES (\(personID), \(generation), \(embedding), \(Int32(template.embedding.count)), \(template.model), \(template.sourceSHA256),
                        \(template.box?.x), \(template.box?.y), \(template.box?.width), \(template.box?.height), \(template.quality),
                        \(template.created.timeIntervalSince1970), \(maskedEmbedding), \(template.maskedFaceModel), \(template.masked))
                RETURNING id
                """, logger: logger))
            stored.append(template)
        }
        return stored
    }

    private static func fetchPeople(_ connection: PostgresConnection, _ logger: Logger, where clause: String,
                                    binds: [any PostgresDynamicTypeEncodable] = []) async throws -> [Person] {
        let query = try bound("""
            SELECT p.id, p.name, p.metadata, p.created, (SELECT count(*) FROM template t WHERE t.person_id = p.id)
            FROM person p \(clause) ORDER BY p.id
            """, binds)
        var people: [Person] = []
        for try await (id, name, metadata, created, templates) in try await connection.query(query, logger: logger)
            .decode((Int64, String, String, Double, Int64).self) {
            people.append(Person(id: id, name: name, metadata: StoreEncoding.metadata(from: metadata),
                                 created: Date(timeIntervalSince1970: created), templateCount: Int(templates)))
        }
        return people
    }

    private func fetchTemplates(_ connection: PostgresConnection, _ logger: Logger, where clause: String,
                                binds: [any PostgresDynamicTypeEncodable]) async throws -> [Template] {
        let query = try Self.bound("""
            SELECT id, person_id, embedding, dimension, model, source_sha256, box_x, box_y, box_width, box_height, quality, created,
                   masked_embedding, masked_model, masked
            FROM template \(clause) ORDER BY id
            """, binds)
        var templates: [Template] = []
        let rows = try await connection.query(query, logger: logger)
            .decode((Int64, Int64, Data, Int32, String, String?, Float?, Float?, Float?, Float?, Float?, Double, Data?, String?, Bool?).self)
        for try await (id, personID, blob, dimension, model, sha, x, y, width, height, quality, created, maskedBlob, maskedModel, masked) in rows {
            let box = x.map { Rect(x: $0, y: y ?? 0, width: width ?? 0, height: height ?? 0) }
            templates.append(Template(id: id, personID: personID, embedding: try encoding.embedding(from: blob, dimension: Int(dimension)),
                                      model: model, sourceSHA256: sha, box: box, quality: quality,
                                      created: Date(timeIntervalSince1970: created),
                                      maskedFaceEmbedding: try maskedBlob.map { try encoding.embedding(from: $0) }, maskedFaceModel: maskedModel,
                                      masked: masked))
        }
        return templates
    }

    // MARK: - Plumbing

    /// A query whose `$1…` placeholders take `binds`, for the fetches that share their SELECT.
    private static func bound(_ sql: String, _ binds: [any PostgresDynamicTypeEncodable]) throws -> PostgresQuery {
        var bindings = PostgresBindings(capacity: binds.count)
        for value in binds { bindings.append(value) }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    private static func one<T: PostgresDecodable & Sendable>(_ type: T.Type, _ rows: PostgresRowSequence) async throws -> T {
        for try await value in rows.decode(T.self) { return value }
        throw NoRow()
    }

    private struct NoRow: Error, CustomStringConvertible {
        var description: String { "the server returned no row where the gallery's schema guarantees one" }
    }

    private static func exists(_ rows: PostgresRowSequence) async throws -> Bool {
        for try await _ in rows { return true }
        return false
    }

    private func withConnection<Result: Sendable>(_ body: (PostgresConnection, Logger) async throws -> Result) async throws -> Result {
        let logger = logger
        do {
            return try await client.withConnection { connection in try await body(connection, logger) }
        } catch {
            throw Self.galleryError(error, location: location)
        }
    }

    private func transaction<Result: Sendable>(_ body: (PostgresConnection, Logger) async throws -> Result) async throws -> Result {
        let logger = logger
        do {
            return try await client.withConnection { connection in
                try await connection.withTransaction(logger: logger) { connection in try await body(connection, logger) }
            }
        } catch {
            throw Self.galleryError(error, location: location)
        }
    }

    /// Our own errors as they are (unwrapped from a failed transaction); postgres-nio's as
    /// ``GalleryError/storeUnavailable(location:reason:)`` with the server's or the socket's reason.
    /// (PSQLError's own description hides both, to keep queries out of logs.)
    static func galleryError(_ error: any Error, location: String) -> any Error {
        switch error {
        case let error as GalleryError:
            return error
        case let error as PostgresTransactionError:
            if let inner = error.closureError ?? error.beginError ?? error.commitError { return galleryError(inner, location: location) }
            return GalleryError.storeUnavailable(location: location, reason: "a transaction failed")
        case let error as PSQLError:
            if let message = error.serverInfo?[.message] {
                return GalleryError.storeUnavailable(location: location, reason: message)
            }
            if let underlying = error.underlying {
                return GalleryError.storeUnavailable(location: location, reason: String(describing: underlying))
            }
            return GalleryError.storeUnavailable(location: location, reason: "\(error.code)")
        default:
            return GalleryError.storeUnavailable(location: location, reason: String(describing: error))
        }
    }
}
