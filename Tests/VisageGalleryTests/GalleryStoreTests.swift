import Foundation
import GRDB
import Testing
import VisageTestSupport
import VisageGallery
#if canImport(Glibc)
import Glibc
#endif

/// What every store promises, checked on both: foreign databases and newer schemas refused
/// untouched, erased templates gone from the bytes on disk, encryption at rest, the key errors.
struct GalleryStoreTests {
    func template(_ embedding: [Float]) -> Template { Template(embedding: embedding, model: Gallery.embeddingModel) }

    /// Every byte the store keeps for a gallery, as it lies on disk: the SQLite file and its
    /// write-ahead log; for PostgreSQL the files of the gallery's tables (with their indexes and
    /// TOAST tables), after a checkpoint, plus any older files of theirs named in `also`.
    func storedBytes(_ kind: StoreKind, _ location: String, also: [String] = []) async throws -> [UInt8] {
        switch kind {
        case .sqlite:
            return try [location, location + "-wal"].flatMap {
                FileManager.default.fileExists(atPath: $0) ? try [UInt8](Data(contentsOf: URL(fileURLWithPath: $0))) : []
            }
        case .postgres:
            return try await PostgresTestServer.fileBytes(location, try await PostgresTestServer.relationFiles(location) + also)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func refusesAnotherApplicationsDatabaseWithoutTouchingIt(_ kind: StoreKind) async throws {
        let location = try await Fixtures.galleryLocation(kind)
        switch kind {
        case .sqlite:
            try await DatabaseQueue(path: location).write { db in try db.execute(sql: "CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)") }
            let before = try Data(contentsOf: URL(fileURLWithPath: location))
            await #expect(throws: GalleryError.notAGallery(path: location, reason: "an SQLite database of another application")) {
                try await Gallery.open(location)
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: location)) == before)
        case .postgres:
            try await PostgresTestServer.execute(location, "CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
            let shown = try PostgresLocation(location).redacted
            await #expect(throws: GalleryError.notAGallery(path: shown, reason: "a PostgreSQL database of another application")) {
                try await Gallery.open(location)
            }
            #expect(try await PostgresTestServer.execute(location, "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()")
                    == ["invoices"])
            #expect(!shown.contains("visage_test:"), "the password stays out of messages")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func refusesASchemaFromANewerVersion(_ kind: StoreKind) async throws {
        let location = try await Fixtures.galleryLocation(kind)
        _ = try await Gallery.open(location)
        let shown: String
        switch kind {
        case .sqlite:
            try await DatabaseQueue(path: location).write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9-from-the-future')") }
            shown = location
        case .postgres:
            try await PostgresTestServer.execute(location, "UPDATE meta SET value = '99' WHERE key = 'schema_version'")
            shown = try PostgresLocation(location).redacted
        }
        await #expect(throws: GalleryError.newerSchema(path: shown)) { try await Gallery.open(location) }
    }

    /// A gallery made before the audit had roles, outcomes and request ids opens, keeps its rows
    /// (read as outcome `ok`, no role) and records the new columns from then on.
    @Test(arguments: StoreKind.allCases)
    func olderAuditTablesAreMigrated(_ kind: StoreKind) async throws {
        let location = try await Fixtures.galleryLocation(kind)
        _ = try await Gallery.open(location)
        let downgrade = [
            "DROP INDEX audit_time", "ALTER TABLE audit DROP COLUMN role", "ALTER TABLE audit DROP COLUMN outcome",
            "ALTER TABLE audit DROP COLUMN request_id",
            "INSERT INTO audit (time, actor, operation, person_ids) VALUES (1700000000, 'old-operator', 'delete', '[4]')",
        ]
        switch kind {
        case .sqlite:
            try await DatabaseQueue(path: location).write { db in
                for statement in downgrade { try db.execute(sql: statement) }
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v3-audit-detail'")
            }
        case .postgres:
            for statement in downgrade { _ = try await PostgresTestServer.execute(location, statement) }
            _ = try await PostgresTestServer.execute(location, "UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        }
        let gallery = try await Gallery.open(location)
        try await gallery.recordAudit(AuditEntry(actor: "alice", role: "admin", operation: .listPeople, personIDs: [], outcome: "ok", requestID: "r-1"))
        let entries = try await gallery.auditLog()
        #expect(entries.count == 2)
        #expect(entries.last.map { [$0.actor, $0.role ?? "-", $0.outcome, $0.requestID ?? "-"] } == ["old-operator", "-", "ok", "-"])
        #expect(entries.first.map { [$0.actor, $0.role ?? "-", $0.outcome, $0.requestID ?? "-"] } == ["alice", "admin", "ok", "r-1"])
    }

    /// The erasure promise: once a person is deleted, their embedding bytes and name are
    /// nowhere in what the store keeps on disk, while everyone else's are.
    @Test(arguments: StoreKind.allCases)
    func deletedEmbeddingBytesAreGoneFromTheStore(_ kind: StoreKind) async throws {
        let location = try await Fixtures.galleryLocation(kind)
        let gallery = try await Gallery.open(location)
        var generator = SeededGenerator(state: 7)
        let keep = (0..<20).map { _ in Fixtures.randomUnitVector(using: &generator) }
        let erase = (0..<3).map { _ in Fixtures.randomUnitVector(using: &generator) }
        for (i, e) in keep.enumerated() { try await gallery.enroll(name: "keep\(i)", templates: [template(e)]) }
        let (victim, _) = try await gallery.enroll(name: "erase-me", templates: erase.map(template))
        if kind == .sqlite { try SQLiteGalleryStore(path: location).checkpoint() }
        let filesBefore = kind == .postgres ? try await PostgresTestServer.relationFiles(location) : []
        let before = try await storedBytes(kind, location)
        let seen = erase.filter { Fixtures.contains(before, Fixtures.bytes($0)) }.count, named = Fixtures.contains(before, Array("erase-me".utf8))
        #expect(seen == erase.count, "the test must see the bytes before the delete")
        #expect(named)

        #expect(try await gallery.delete(personID: victim.id) == 3)
        // For PostgreSQL the table files from before the delete are read too: gone or emptied.
        let after = try await storedBytes(kind, location, also: filesBefore)
        // (Booleans first: a failed #expect on the byte arrays would print megabytes.)
        for e in erase {
            let whole = Fixtures.contains(after, Fixtures.bytes(e)), fragment = Fixtures.contains(after, Array(Fixtures.bytes(e)[0..<16]))
            #expect(!whole)
            #expect(!fragment, "not even a 16-byte fragment")
        }
        let name = Fixtures.contains(after, Array("erase-me".utf8))
        #expect(!name)
        let kept = keep.filter { Fixtures.contains(after, Fixtures.bytes($0)) }.count
        #expect(kept == keep.count)
        if kind == .sqlite { #expect(try SQLiteGalleryStore(path: location).integrityCheck() == "ok") }
        #expect(try await Gallery.open(location).stats().templates == 20)
    }

    @Test(arguments: StoreKind.allCases)
    func encryptedTemplatesAreNotStoredInClearAndNeedTheKey(_ kind: StoreKind) async throws {
        let location = try await Fixtures.galleryLocation(kind)
        let cipher = try TemplateCipher(keyData: Data(String(repeating: "ab", count: 32).utf8))
        var generator = SeededGenerator(state: 3)
        let embedding = Fixtures.randomUnitVector(using: &generator)
        do {
            let gallery = try await Gallery.open(location, cipher: cipher)
            #expect(gallery.store.isEncrypted)
            try await gallery.enroll(name: "secret", templates: [template(embedding)])
        }
        if kind == .sqlite { try SQLiteGalleryStore(path: location, cipher: cipher).checkpoint() }
        let bytes = try await storedBytes(kind, location)
        let named = Fixtures.contains(bytes, Array("secret".utf8)), clear = Fixtures.contains(bytes, Array(Fixtures.bytes(embedding)[0..<16]))
        #expect(named, "names stay readable, so the test sees the rows")
        #expect(!clear)

        let reopened = try await Gallery.open(location, cipher: cipher)
        #expect(await reopened.search(embedding, topK: 1).match?.name == "secret")
        #expect(try await reopened.person(1).1.first?.embedding == embedding)

        await #expect(throws: GalleryError.keyRequired) { try await Gallery.open(location) }
        await #expect(throws: GalleryError.wrongKey) { try await Gallery.open(location, cipher: try TemplateCipher(keyBytes: Array(repeating: 7, count: 32))) }
        let plain = try await Fixtures.galleryLocation(kind)
        _ = try await Gallery.open(plain)
        await #expect(throws: GalleryError.encryptionMismatch(galleryEncrypted: false)) { try await Gallery.open(plain, cipher: cipher) }
    }

    @Test(arguments: StoreKind.allCases)
    func refusesTemplatesOfAnotherModelOrSize(_ kind: StoreKind) async throws {
        let gallery = try await Gallery.open(try await Fixtures.galleryLocation(kind))
        await #expect(throws: GalleryError.self) {
            try await gallery.enroll(name: "x", templates: [Template(embedding: [1, 0, 0], model: Gallery.embeddingModel)])
        }
        await #expect(throws: GalleryError.self) {
            try await gallery.enroll(name: "x", templates: [Template(embedding: [Float](repeating: 0.0883883, count: 128), model: "arcface_r100")])
        }
        #expect(try await gallery.people().isEmpty)
        #expect(try await gallery.auditLog().isEmpty)
    }

    /// Says, once and visibly, when the PostgreSQL cases are skipped: swift-testing's console
    /// does not report a cancelled test case of a parameterised test.
    @Test(.enabled(if: Fixtures.postgresURL != nil,
                   "VISAGE_TEST_POSTGRES_URL is unset: every PostgreSQL case of the gallery tests is skipped (`make test` starts a server with scripts/test-postgres)"))
    func postgresGalleryOpensOnTheTestServer() async throws {
        let gallery = try await Gallery.open(try await Fixtures.galleryLocation(.postgres))
        #expect(gallery.store is PostgresGalleryStore)
        #expect(try #require(try await gallery.store.sizeInBytes()) > 0)
        #expect(try await gallery.store.generation() == 0)
    }

    @Test func keyErrors() throws {
        #expect(throws: GalleryError.invalidKey(reason: "5 bytes instead of 32")) { try TemplateCipher(keyData: Data("short".utf8)) }
        #expect(try TemplateCipher.fromEnvironment([:]) == nil)
        #expect(throws: GalleryError.invalidKey(reason: "cannot read the key file /tmp (it is a folder, not a file)")) { try TemplateCipher(keyFile: "/tmp") }
    }

    /// `--key-file <(vault kv get …)` keeps the key off the disk: the pipe (/dev/fd/N) is read
    /// as a file is (FileManager refused it: "cannot read the key file /dev/fd/63").
    @Test func keyFileMayBeAPipe() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]) }
        let hex = String(repeating: "ab", count: 32) + "\n"
        _ = hex.utf8CString.withUnsafeBytes { write(ends[1], $0.baseAddress, hex.utf8.count) }
        close(ends[1])
        let fromPipe = try TemplateCipher(keyFile: "/dev/fd/\(ends[0])")
        let sealed = try TemplateCipher(keyData: Data(hex.utf8)).seal(Data("template".utf8))
        #expect(try fromPipe.open(sealed) == Data("template".utf8), "the pipe's key is the key written into it")
    }

    @Test func errorMessagesSayWhatToDo() {
        #expect(GalleryError.notAGallery(path: "x.db", reason: "not an SQLite database").localizedDescription.contains("is not a Visage gallery"))
        #expect(GalleryError.newerSchema(path: "x.db").localizedDescription.contains("upgrade Visage"))
        #expect(GalleryError.unknownPerson(id: 4).localizedDescription.contains("visage people list"))
        #expect(GalleryError.storeUnavailable(location: "postgres://v@db:5432/g", reason: "connection refused").localizedDescription
                    .contains("Check that the server is running"))
    }
}

/// `postgres://` locations: how they are read, and what a user sees when one does not work.
struct PostgresLocationTests {
    @Test func readsTheURL() throws {
        let location = try PostgresLocation("postgres://visage:s%40cret@db.internal:6543/staff?sslmode=require", environment: [:])
        #expect(location.user == "visage" && location.password == "s@cret")
        #expect(location.host == "db.internal" && location.port == 6543 && location.database == "staff")
        #expect(location.tlsRequired)
        #expect(location.redacted == "postgres://visage@db.internal:6543/staff?sslmode=require")

        let plain = try PostgresLocation("postgresql://visage@localhost/staff", environment: ["PGPASSWORD": "from-env"])
        #expect(plain.password == "from-env" && plain.port == 5432 && !plain.tlsRequired)
        let socket = try PostgresLocation("postgres://visage@/staff?host=/var/run/postgresql", environment: [:])
        #expect(socket.socketFolder == "/var/run/postgresql")
    }

    @Test(arguments: [
        ("postgres://db.internal/staff", "no user name"),
        ("postgres://visage@db.internal", "no database name"),
        ("postgres://visage:pw@db.internal/staff?sslmode=allow", "sslmode allow"),
        ("postgres://visage@db.internal/staff?timeout=3", "unknown parameter timeout"),
    ])
    func refusesAnUnusableURL(_ url: String, _ reason: String) async throws {
        do {
            _ = try await Gallery.open(url)
            Issue.record("\(url) was accepted")
        } catch let error as GalleryError {
            guard case let .invalidLocation(shown, why) = error else { Issue.record("\(error)"); return }
            #expect(why.contains(reason))
            #expect(!shown.contains(":pw@"), "the password stays out of messages")
            #expect(error.localizedDescription.contains("postgres://USER"))
        }
    }

    /// Nothing listens on port 1 of loopback: a clear error naming the server, without the password.
    @Test func unreachableServerIsAClearError() async throws {
        do {
            _ = try await Gallery.open("postgres://visage:hunter2@127.0.0.1:1/staff")
            Issue.record("a gallery opened on a closed port")
        } catch let error as GalleryError {
            guard case let .storeUnavailable(location, reason) = error else { Issue.record("\(error)"); return }
            #expect(location == "postgres://visage@127.0.0.1:1/staff")
            #expect(!reason.isEmpty)
            #expect(!error.localizedDescription.contains("hunter2"))
        }
    }

    @Test func wrongPasswordIsAClearError() async throws {
        let url = try PostgresTestServer.url()
        let location = try PostgresLocation(url)
        let wrong = "postgres://\(location.user):not-the-password@\(location.host):\(location.port)/\(location.database)"
        do {
            _ = try await Gallery.open(wrong)
            Issue.record("a wrong password was accepted")
        } catch let error as GalleryError {
            guard case let .storeUnavailable(_, reason) = error else { Issue.record("\(error)"); return }
            #expect(reason.contains("password authentication failed"))
        }
    }
}
