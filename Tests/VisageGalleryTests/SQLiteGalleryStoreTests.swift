import Foundation
import GRDB
import Testing
import VisageGallery

/// The SQLite store: files that are not galleries, schema versions, erasure, encryption.
struct SQLiteGalleryStoreTests {
    func template(_ embedding: [Float]) -> Template { Template(embedding: embedding, model: Gallery.embeddingModel) }

    @Test func refusesATextFile() throws {
        let path = try Fixtures.galleryPath()
        try Data("name,embedding\nada,0.1 0.2\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: GalleryError.notAGallery(path: path, reason: "not an SQLite database")) { try SQLiteGalleryStore(path: path) }
        // The file is left as it was.
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("name,embedding"))
    }

    @Test func refusesAnotherApplicationsDatabaseWithoutTouchingIt() throws {
        let path = try Fixtures.galleryPath()
        try DatabaseQueue(path: path).write { db in try db.execute(sql: "CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)") }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(throws: GalleryError.notAGallery(path: path, reason: "an SQLite database of another application")) { try SQLiteGalleryStore(path: path) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func refusesADamagedGallery() async throws {
        let path = try Fixtures.galleryPath()
        do {
            let store = try SQLiteGalleryStore(path: path)
            var generator = SeededGenerator(state: 1)
            for i in 0..<50 {
                _ = try await store.insert(name: "p\(i)", metadata: [:], created: Date(), templates: [template(Fixtures.randomUnitVector(using: &generator))])
            }
            try store.checkpoint()
        }
        // Keep the 100-byte header (so it still claims to be ours) and scribble over the pages.
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        for i in 100..<bytes.count { bytes[i] = UInt8(truncatingIfNeeded: i &* 31) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: GalleryError.notAGallery(path: path, reason: "the database file is damaged")) {
            _ = try SQLiteGalleryStore(path: path)
        }
    }

    @Test func refusesASchemaFromANewerVersion() throws {
        let path = try Fixtures.galleryPath()
        _ = try SQLiteGalleryStore(path: path)
        try DatabaseQueue(path: path).write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v2-from-the-future')") }
        #expect(throws: GalleryError.newerSchema(path: path)) { try SQLiteGalleryStore(path: path) }
    }

    @Test func fileIsMarkedAndUsesWALWithSecureDelete() throws {
        let path = try Fixtures.galleryPath()
        _ = try SQLiteGalleryStore(path: path)
        let header = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)).prefix(100))
        #expect(header[68..<72].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } == UInt32(bitPattern: SQLiteGalleryStore.applicationID))
        #expect(header[18] == 2 && header[19] == 2, "file format 2 = WAL")
    }

    /// The erasure promise: once a person is deleted, their embedding bytes are nowhere in
    /// the database file or its write-ahead log.
    @Test func deletedEmbeddingBytesAreGoneFromTheFile() async throws {
        let path = try Fixtures.galleryPath()
        let store = try SQLiteGalleryStore(path: path)
        let gallery = try await Gallery(store: store)
        var generator = SeededGenerator(state: 7)
        let keep = (0..<20).map { _ in Fixtures.randomUnitVector(using: &generator) }
        let erase = (0..<3).map { _ in Fixtures.randomUnitVector(using: &generator) }
        for (i, e) in keep.enumerated() { try await gallery.enroll(name: "keep\(i)", templates: [template(e)]) }
        let (victim, _) = try await gallery.enroll(name: "erase-me", templates: erase.map(template))
        try store.checkpoint()
        func fileBytes() throws -> [UInt8] {
            try [path, path + "-wal"].flatMap { FileManager.default.fileExists(atPath: $0) ? try [UInt8](Data(contentsOf: URL(fileURLWithPath: $0))) : [] }
        }
        let before = try fileBytes()
        for e in erase { #expect(Fixtures.contains(before, Fixtures.bytes(e)), "the test must see the bytes before the delete") }
        #expect(Fixtures.contains(before, Array("erase-me".utf8)))

        #expect(try await gallery.delete(personID: victim.id) == 3)
        let after = try fileBytes()
        for e in erase {
            #expect(!Fixtures.contains(after, Fixtures.bytes(e)))
            #expect(!Fixtures.contains(after, Array(Fixtures.bytes(e)[0..<16])), "not even a 16-byte fragment")
        }
        #expect(!Fixtures.contains(after, Array("erase-me".utf8)))
        for e in keep { #expect(Fixtures.contains(after, Fixtures.bytes(e))) }
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func encryptedTemplatesAreNotInTheFileAndNeedTheKey() async throws {
        let path = try Fixtures.galleryPath()
        let key = TemplateCipher.self
        let cipher = try key.init(keyData: Data(String(repeating: "ab", count: 32).utf8))
        var generator = SeededGenerator(state: 3)
        let embedding = Fixtures.randomUnitVector(using: &generator)
        do {
            let store = try SQLiteGalleryStore(path: path, cipher: cipher)
            #expect(store.isEncrypted)
            let gallery = try await Gallery(store: store)
            try await gallery.enroll(name: "secret", templates: [template(embedding)])
            try store.checkpoint()
        }
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(!Fixtures.contains(bytes, Array(Fixtures.bytes(embedding)[0..<16])))

        let reopened = try await Gallery(store: try SQLiteGalleryStore(path: path, cipher: cipher))
        #expect(await reopened.search(embedding, topK: 1).match?.name == "secret")
        #expect(try await reopened.person(1).1.first?.embedding == embedding)

        #expect(throws: GalleryError.keyRequired) { try SQLiteGalleryStore(path: path) }
        #expect(throws: GalleryError.wrongKey) { try SQLiteGalleryStore(path: path, cipher: try key.init(keyBytes: Array(repeating: 7, count: 32))) }
        let plain = try Fixtures.galleryPath()
        _ = try SQLiteGalleryStore(path: plain)
        #expect(throws: GalleryError.encryptionMismatch(galleryEncrypted: false)) { try SQLiteGalleryStore(path: plain, cipher: cipher) }
        #expect(throws: GalleryError.invalidKey(reason: "5 bytes instead of 32")) { try key.init(keyData: Data("short".utf8)) }
        #expect(try TemplateCipher.fromEnvironment([:]) == nil)
    }

    @Test func refusesTemplatesOfAnotherModelOrSize() async throws {
        let gallery = try await Gallery.open(try Fixtures.galleryPath())
        await #expect(throws: GalleryError.self) {
            try await gallery.enroll(name: "x", templates: [Template(embedding: [1, 0, 0], model: Gallery.embeddingModel)])
        }
        await #expect(throws: GalleryError.self) {
            try await gallery.enroll(name: "x", templates: [Template(embedding: [Float](repeating: 0.0883883, count: 128), model: "arcface_r100")])
        }
        await #expect(throws: GalleryError.unsupportedLocation("postgres://…")) { try await Gallery.open("postgres://localhost/visage") }
        #expect(try await gallery.people().isEmpty)
    }

    @Test func errorMessagesSayWhatToDo() {
        #expect(GalleryError.notAGallery(path: "x.db", reason: "not an SQLite database").localizedDescription.contains("is not a Visage gallery"))
        #expect(GalleryError.newerSchema(path: "x.db").localizedDescription.contains("upgrade Visage"))
        #expect(GalleryError.unknownPerson(id: 4).localizedDescription.contains("visage people list"))
    }
}
