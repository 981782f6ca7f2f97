import Foundation
import Testing
import VisageTestSupport
import VisageGallery

/// What only the SQLite store has: a file that may be something else, or damaged, and its header.
/// (GalleryStoreTests checks the promises both stores keep.)
struct SQLiteGalleryStoreTests {
    func template(_ embedding: [Float]) -> Template { Template(embedding: embedding, model: Gallery.embeddingModel) }

    @Test func refusesATextFile() throws {
        let path = try Fixtures.galleryPath()
        try Data("name,embedding\nada,0.1 0.2\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: GalleryError.notAGallery(path: path, reason: "not an SQLite database")) { try SQLiteGalleryStore(path: path) }
        // The file is left as it was.
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("name,embedding"))
    }

    /// A gallery of `people` random people, its write-ahead log checkpointed into the file, and
    /// every byte from `offset(fileSize)` on overwritten with a pattern.
    func scribbledGallery(people: Int, from offset: (Int) -> Int) async throws -> String {
        let path = try Fixtures.galleryPath()
        do {
            let store = try SQLiteGalleryStore(path: path)
            var generator = SeededGenerator(state: UInt64(people))
            for i in 0..<people {
                _ = try await store.insert(name: "p\(i)", metadata: [:], created: Date(), templates: [template(Fixtures.randomUnitVector(using: &generator))])
            }
            try store.checkpoint()
        }
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        for i in offset(bytes.count)..<bytes.count { bytes[i] = UInt8(truncatingIfNeeded: i &* 31) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Opening a named pipe for reading waits for a writer: `visage enroll --gallery` on one hung.
    @Test func refusesANamedPipeWithoutWaiting() throws {
        let path = try Fixtures.galleryPath()
        #expect(mkfifo(path, 0o644) == 0)
        #expect(throws: GalleryError.notAGallery(path: path, reason: "it is a named pipe (FIFO), not a regular file")) {
            try SQLiteGalleryStore(path: path)
        }
    }

    @Test func refusesADamagedGallery() async throws {
        // Keep the 100-byte header (so it still claims to be ours) and scribble over the pages.
        let path = try await scribbledGallery(people: 50) { _ in 100 }
        let error = try #require(throws: GalleryError.self) { _ = try SQLiteGalleryStore(path: path) }
        guard case let .damaged(named, detail) = error else { Issue.record("expected .damaged, got \(error)"); return }
        #expect(named == path)
        #expect(detail.hasPrefix("SQLite: "), "\(detail)")
        #expect(error.localizedDescription.contains("Restore it from a backup"))
    }

    /// Opening reads only the schema and a few settings; damage in the pages of the templates
    /// shows when a query reaches them, and is named as damage then too, not as a bare SQLite error.
    @Test func damageThatOnlyAQueryReachesIsNamed() async throws {
        // The second half of the pages, from a page boundary: the schema and settings survive.
        let path = try await scribbledGallery(people: 200) { size in size / 2 / 4096 * 4096 }
        let store = try SQLiteGalleryStore(path: path)
        let error = await #expect(throws: GalleryError.self) { _ = try await store.allTemplates() }
        guard case let .damaged(named, detail)? = error else { Issue.record("expected .damaged, got \(String(describing: error))"); return }
        #expect(named == path)
        #expect(detail.hasPrefix("SQLite: ") && !detail.contains("SELECT"), "\(detail)")
    }

    /// Bytes 18 and 19 of the header are SQLite's file-format versions (1 or 2); any other value
    /// makes SQLite open the file read-only and fail on the first write with a baffling message.
    /// Bytes 0–15 are SQLite's signature.
    @Test func aDamagedHeaderIsNamed() throws {
        let path = try Fixtures.galleryPath()
        _ = try SQLiteGalleryStore(path: path)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[18] = 0xC7
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: GalleryError.damaged(path: path, detail: "its header's file-format bytes are 199 and 2, not 1 or 2")) {
            _ = try SQLiteGalleryStore(path: path)
        }
        // A damaged signature in a file whose header still says "Visage gallery" is damage too.
        bytes[18] = 2
        bytes[3] = 0x00
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: GalleryError.self) { _ = try SQLiteGalleryStore(path: path) }
        guard case .damaged = error else { Issue.record("expected .damaged, got \(error)"); return }
    }

    @Test func fileIsMarkedAndUsesWALWithSecureDelete() throws {
        let path = try Fixtures.galleryPath()
        _ = try SQLiteGalleryStore(path: path)
        let header = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)).prefix(100))
        #expect(header[68..<72].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } == UInt32(bitPattern: SQLiteGalleryStore.applicationID))
        #expect(header[18] == 2 && header[19] == 2, "file format 2 = WAL")
    }
}
