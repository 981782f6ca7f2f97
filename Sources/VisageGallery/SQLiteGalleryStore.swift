public import Foundation
import GRDB
import VisageCore

/// A gallery in one SQLite file, through GRDB: the embedded default store.
///
/// ```swift
/// let store = try SQLiteGalleryStore(path: "staff.gallery")
/// let gallery = try await Gallery(store: store, analyzer: try FaceAnalyzer())
/// ```
///
/// - The file is in WAL mode, so reads (identify, list) go on while an enrolment writes.
/// - `PRAGMA secure_delete = ON` overwrites deleted rows with zeros, and a delete ends with a
///   `wal_checkpoint(TRUNCATE)`, so an erased template's bytes do not linger in free pages
///   or in the write-ahead log.
/// - `PRAGMA synchronous = FULL`: a write that returned survives a crash of the process or
///   of the machine.
/// - The header's `application_id` marks the file as a Visage gallery, so that another
///   program's database is refused rather than altered; migrations are GRDB's
///   `DatabaseMigrator`, and a file migrated by a newer Visage is refused too.
/// - With a ``TemplateCipher``, embeddings are stored AES-GCM sealed; the choice is fixed
///   when the gallery is created.
public final class SQLiteGalleryStore: GalleryStore {
    /// `PRAGMA application_id` of a Visage gallery: "VGAL".
    public static let applicationID: Int32 = 0x5647_414C

    public let path: String
    public let isEncrypted: Bool
    private let pool: DatabasePool
    private let encoding: StoreEncoding

    /// Opens the gallery at `path`, creating it when the file does not exist.
    ///
    /// - Throws: ``GalleryError/notAGallery(path:reason:)`` for a file that is not a Visage
    ///   gallery or is damaged, ``GalleryError/newerSchema(path:)``, and the key errors.
    public init(path: String, cipher: TemplateCipher? = nil) throws {
        self.path = path
        encoding = StoreEncoding(cipher: cipher, location: path)
        // SQLite, and the header check before it, would wait on a named pipe for a writer.
        if let refusal = FileKind(of: path).refusal { throw GalleryError.notAGallery(path: path, reason: refusal) }
        try Self.checkHeader(path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA secure_delete = ON")
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            let migrator = Self.migrator
            if try pool.read({ try migrator.hasBeenSuperseded($0) }) { throw GalleryError.newerSchema(path: path) }
            try migrator.migrate(pool)
            isEncrypted = try pool.write { db in try Self.checkEncryption(db, cipher: cipher) }
        } catch let error as DatabaseError where Self.meansDamage(error) {
            throw GalleryError.damaged(path: path, detail: Self.damageDetail(error))
        }
    }

    /// Whether SQLite says the file's pages are not what it wrote.
    private static func meansDamage(_ error: DatabaseError) -> Bool {
        [.SQLITE_NOTADB, .SQLITE_CORRUPT].contains(error.resultCode)
    }

    /// SQLite's words for the damage, without the statement that met it.
    private static func damageDetail(_ error: DatabaseError) -> String {
        "SQLite: \(error.message ?? "database disk image is malformed")"
    }

    /// A read on the pool that reports damaged pages as ``GalleryError/damaged(path:detail:)``:
    /// a file can pass the checks at opening and still hold a damaged page that only a later
    /// query reaches.
    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await reportingDamage { try await self.pool.read(body) }
    }

    /// The same for a write transaction.
    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await reportingDamage { try await self.pool.write(body) }
    }

    private func reportingDamage<T>(_ operation: () async throws -> T) async throws -> T {
        do { return try await operation() } catch let error as DatabaseError where Self.meansDamage(error) {
            throw GalleryError.damaged(path: path, detail: Self.damageDetail(error))
        }
    }

    // MARK: - GalleryStore

    public func insert(name: String, metadata: [String: String], created: Date, templates: [Template]) async throws -> (Person, [Template]) {
        let metadataText = try StoreEncoding.metadataText(metadata)
        return try await write { db in
            try db.execute(sql: "INSERT INTO person (name, metadata, created) VALUES (?, ?, ?)",
                           arguments: [name, metadataText, created.timeIntervalSince1970])
            let id = db.lastInsertedRowID
            let stored = try self.insertTemplates(templates, personID: id, generation: try Self.nextGeneration(db), db)
            return (Person(id: id, name: name, metadata: metadata, created: created, templateCount: stored.count), stored)
        }
    }

    public func addTemplates(_ templates: [Template], to personID: Int64) async throws -> [Template] {
        try await write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM person WHERE id = ?", arguments: [personID]) != nil else {
                throw GalleryError.unknownPerson(id: personID)
            }
            return try self.insertTemplates(templates, personID: personID, generation: try Self.nextGeneration(db), db)
        }
    }

    public func people() async throws -> [Person] {
        try await read { db in try Self.fetchPeople(db, sql: "", arguments: []) }
    }

    public func person(id: Int64) async throws -> Person? {
        try await read { db in try Self.fetchPeople(db, sql: "WHERE p.id = ?", arguments: [id]).first }
    }

    public func templates(of personID: Int64) async throws -> [Template] {
        try await read { db in try self.fetchTemplates(db, sql: "WHERE person_id = ?", arguments: [personID]) }
    }

    public func allTemplates() async throws -> [Template] {
        try await read { db in try self.fetchTemplates(db, sql: "", arguments: []) }
    }

    public func deletePerson(id: Int64) async throws -> [Int64] {
        let removed = try await write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM person WHERE id = ?", arguments: [id]) != nil else {
                throw GalleryError.unknownPerson(id: id)
            }
            let templateIDs = try Int64.fetchAll(db, sql: "SELECT id FROM template WHERE person_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM template WHERE person_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM person WHERE id = ?", arguments: [id])
            try db.execute(sql: "INSERT INTO deletion (generation, person_id) VALUES (?, ?)", arguments: [try Self.nextGeneration(db), id])
            return templateIDs
        }
        try checkpoint()
        return removed
    }

    public func setMaskedFaceEmbeddings(_ updates: [MaskedFaceUpdate]) async throws -> Int {
        guard !updates.isEmpty else { return 0 }
        return try await write { db in
            let generation = try Self.nextGeneration(db)
            var changed = 0
            for update in updates {
                try db.execute(sql: "UPDATE template SET masked_embedding = ?, masked_model = ?, masked = ?, generation = ? WHERE id = ?",
                               arguments: [try self.encoding.embeddingBytes(update.maskedFaceEmbedding), update.maskedFaceModel, update.masked,
                                           generation, update.templateID])
                changed += db.changesCount
            }
            return changed
        }
    }

    public func setting(_ setting: GallerySetting) async throws -> String? {
        try await read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [setting.rawValue]) }
    }

    public func setSetting(_ setting: GallerySetting, to value: String?) async throws {
        try await write { db in
            if let value {
                try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                               arguments: [setting.rawValue, value])
            } else {
                try db.execute(sql: "DELETE FROM meta WHERE key = ?", arguments: [setting.rawValue])
            }
            _ = try Self.nextGeneration(db)
        }
    }

    public func appendAudit(_ entry: AuditEntry) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO audit (time, actor, role, operation, person_ids, outcome, request_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [entry.time.timeIntervalSince1970, entry.actor, entry.role, entry.operation.rawValue,
                                 StoreEncoding.personIDsText(entry.personIDs), entry.outcome, entry.requestID, entry.detail])
        }
    }

    public func auditLog(limit: Int) async throws -> [AuditEntry] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT time, actor, role, operation, person_ids, outcome, request_id, detail FROM audit ORDER BY id DESC LIMIT ?
                """, arguments: [limit]).map { row in
                AuditEntry(time: Date(timeIntervalSince1970: row["time"]), actor: row["actor"], role: row["role"],
                           operation: AuditEntry.Operation(rawValue: row["operation"]) ?? .identify,
                           personIDs: StoreEncoding.personIDs(from: row["person_ids"]), outcome: row["outcome"], requestID: row["request_id"],
                           detail: row["detail"])
            }
        }
    }

    public func pruneAudit(before date: Date) async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM audit WHERE time < ?", arguments: [date.timeIntervalSince1970])
            return db.changesCount
        }
    }

    public func sizeInBytes() async throws -> Int? {
        [path, path + "-wal"].compactMap { try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int }.reduce(0, +)
    }

    public func generation() async throws -> Int64 {
        try await read { db in try Self.currentGeneration(db) }
    }

    public func changes(since generation: Int64) async throws -> GalleryChanges {
        try await read { db in
            let current = try Self.currentGeneration(db)
            guard current > generation else { return GalleryChanges(generation: generation) }
            let deleted = try Int64.fetchAll(db, sql: "SELECT person_id FROM deletion WHERE generation > ? AND generation <= ? ORDER BY generation",
                                             arguments: [generation, current])
            let templates = try self.fetchTemplates(db, sql: "WHERE generation > ? AND generation <= ?", arguments: [generation, current])
            let owners = Set(templates.map(\.personID)).sorted()
            let people = owners.isEmpty ? [] : try Self.fetchPeople(db, sql: "WHERE p.id IN (\(owners.map { String($0) }.joined(separator: ",")))", arguments: [])
            return GalleryChanges(generation: current, deletedPersonIDs: deleted, templates: templates, people: people)
        }
    }

    /// Copies every committed page from the write-ahead log into the file and empties the log.
    /// Falls back to a passive checkpoint while readers hold the log open.
    public func checkpoint() throws {
        try pool.writeWithoutTransaction { db in
            do { try db.checkpoint(.truncate) } catch { try db.checkpoint(.passive) }
        }
    }

    /// `PRAGMA integrity_check`: "ok" for a sound file.
    public func integrityCheck() throws -> String {
        try pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }

    // MARK: - Schema

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: "PRAGMA application_id = \(applicationID)")
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                CREATE TABLE person (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL,
                    metadata TEXT NOT NULL DEFAULT '{}',
                    created REAL NOT NULL);
                CREATE TABLE template (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,
                    embedding BLOB NOT NULL,
                    dimension INTEGER NOT NULL,
                    model TEXT NOT NULL,
                    source_sha256 TEXT,
                    box_x REAL, box_y REAL, box_width REAL, box_height REAL,
                    quality REAL,
                    created REAL NOT NULL);
                CREATE INDEX template_person ON template(person_id);
                CREATE TABLE audit (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    time REAL NOT NULL,
                    actor TEXT NOT NULL,
                    operation TEXT NOT NULL,
                    person_ids TEXT NOT NULL);
                """)
        }
        // Generations, so that a gallery notices what other processes wrote to the same file.
        migrator.registerMigration("v2-generations") { db in
            try db.execute(sql: """
                ALTER TABLE template ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX template_generation ON template(generation);
                CREATE TABLE deletion (generation INTEGER NOT NULL, person_id INTEGER NOT NULL);
                CREATE INDEX deletion_generation ON deletion(generation);
                INSERT INTO meta (key, value) VALUES ('generation', '0');
                """)
        }
        // Who asked with which role, how it ended, and the request it came in (the service's audit).
        migrator.registerMigration("v3-audit-detail") { db in
            try db.execute(sql: """
                ALTER TABLE audit ADD COLUMN role TEXT;
                ALTER TABLE audit ADD COLUMN outcome TEXT NOT NULL DEFAULT 'ok';
                ALTER TABLE audit ADD COLUMN request_id TEXT;
                CREATE INDEX audit_time ON audit(time);
                """)
        }
        // Masked-face identification: the attention head's embedding of each template and whether
        // its face was called masked. Older templates keep NULL until `visage gallery reembed`.
        migrator.registerMigration("v4-masked-templates") { db in
            try db.execute(sql: """
                ALTER TABLE template ADD COLUMN masked_embedding BLOB;
                ALTER TABLE template ADD COLUMN masked_model TEXT;
                ALTER TABLE template ADD COLUMN masked INTEGER;
                """)
        }
        // What a policy change changed (consent rule, reviewed thresholds), kept with its audit entry.
        migrator.registerMigration("v5-audit-change-detail") { db in
            try db.execute(sql: "ALTER TABLE audit ADD COLUMN detail TEXT")
        }
        return migrator
    }

    private static func currentGeneration(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'") ?? 0
    }

    /// Raises the generation inside the current write transaction (SQLite has one writer at a time).
    private static func nextGeneration(_ db: Database) throws -> Int64 {
        let next = try currentGeneration(db) + 1
        try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'generation'", arguments: [String(next)])
        return next
    }

    /// Refuses, before SQLite opens (and would convert) it, a file that is not ours.
    private static func checkHeader(_ path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }
        defer { try? handle.close() }
        let header = [UInt8]((try? handle.read(upToCount: 100)) ?? Data())
        if header.isEmpty { return }
        let applicationID = header.count == 100 ? header[68..<72].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } : 0
        guard header.count == 100, header.prefix(16).elementsEqual(Array("SQLite format 3\0".utf8)) else {
            if applicationID == UInt32(bitPattern: Self.applicationID) {
                throw GalleryError.damaged(path: path, detail: "its SQLite signature is damaged, though its header marks it as a Visage gallery")
            }
            throw GalleryError.notAGallery(path: path, reason: "not an SQLite database")
        }
        // SQLite opens a file whose format bytes it does not know read-only, and then fails on
        // the first write with "attempt to write a readonly database".
        guard (1...2).contains(header[18]), (1...2).contains(header[19]) else {
            throw GalleryError.damaged(path: path, detail: "its header's file-format bytes are \(header[18]) and \(header[19]), not 1 or 2")
        }
        if applicationID == UInt32(bitPattern: Self.applicationID) { return }
        if applicationID != 0 { throw GalleryError.notAGallery(path: path, reason: "an SQLite database of another application") }
        var configuration = Configuration()
        configuration.readonly = true
        // Zero in the file's header may only mean that the page setting it still sits in the
        // write-ahead log (a new gallery not yet checkpointed): ask SQLite, which reads both.
        let (tables, storedID): (Int, Int32)
        do {
            (tables, storedID) = try DatabaseQueue(path: path, configuration: configuration).read { db in
                (try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0,
                 try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0)
            }
        } catch let error as DatabaseError {
            throw GalleryError.damaged(path: path, detail: damageDetail(error))
        }
        if storedID == Self.applicationID { return }
        if tables > 0 { throw GalleryError.notAGallery(path: path, reason: "an SQLite database of another application") }
    }

    private static func checkEncryption(_ db: Database, cipher: TemplateCipher?) throws -> Bool {
        guard let mode = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'encryption'") else {
            for (key, value) in try StoreEncoding.newEncryptionMeta(cipher: cipher) {
                try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?)", arguments: [key, value])
            }
            return cipher != nil
        }
        let keyCheck = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'key_check'")
        return try StoreEncoding.checkEncryption(mode: mode, keyCheck: keyCheck, cipher: cipher)
    }

    // MARK: - Rows

    private func insertTemplates(_ templates: [Template], personID: Int64, generation: Int64, _ db: Database) throws -> [Template] {
        var stored: [Template] = []
        for var template in templates {
            template.personID = personID
            try db.execute(sql: """
                INSERT INTO template (person_id, generation, embedding, dimension, model, source_sha256, box_x, box_y, box_width, box_height, quality, created,
                                      masked_embedding, masked_model, masked)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [personID, generation, try encoding.embeddingBytes(template.embedding), template.embedding.count, template.model,
                                 template.sourceSHA256, template.box?.x, template.box?.y, template.box?.width, template.box?.height,
                                 template.quality, template.created.timeIntervalSince1970,
                                 try template.maskedFaceEmbedding.map { try encoding.embeddingBytes($0) }, template.maskedFaceModel, template.masked])
            template.id = db.lastInsertedRowID
            stored.append(template)
        }
        return stored
    }

    private static func fetchPeople(_ db: Database, sql: String, arguments: StatementArguments) throws -> [Person] {
        try Row.fetchAll(db, sql: """
            SELECT p.id, p.name, p.metadata, p.created, (SELECT count(*) FROM template t WHERE t.person_id = p.id) AS templates
            FROM person p \(sql) ORDER BY p.id
            """, arguments: arguments).map { row in
            return Person(id: row["id"], name: row["name"], metadata: StoreEncoding.metadata(from: row["metadata"]),
                          created: Date(timeIntervalSince1970: row["created"]), templateCount: row["templates"])
        }
    }

    private func fetchTemplates(_ db: Database, sql: String, arguments: StatementArguments) throws -> [Template] {
        try Row.fetchAll(db, sql: "SELECT * FROM template \(sql) ORDER BY id", arguments: arguments).map { row in
            let blob: Data = row["embedding"]
            let box: Rect? = (row["box_x"] as Float?).map { x in
                Rect(x: x, y: row["box_y"] ?? 0, width: row["box_width"] ?? 0, height: row["box_height"] ?? 0)
            }
            let maskedBlob: Data? = row["masked_embedding"]
            return Template(id: row["id"], personID: row["person_id"], embedding: try encoding.embedding(from: blob, dimension: row["dimension"]),
                            model: row["model"], sourceSHA256: row["source_sha256"], box: box, quality: row["quality"],
                            created: Date(timeIntervalSince1970: row["created"]),
                            maskedFaceEmbedding: try maskedBlob.map { try encoding.embedding(from: $0) }, maskedFaceModel: row["masked_model"],
                            masked: row["masked"])
        }
    }
}
