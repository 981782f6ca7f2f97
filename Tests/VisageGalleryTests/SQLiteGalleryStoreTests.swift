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

    @Test func fileIsMarkedAndUsesWALWithSecureDelete() throws {
        let path = try Fixtures.galleryPath()
        _ = try SQLiteGalleryStore(path: path)
        let header = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)).prefix(100))
        #expect(header[68..<72].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } == UInt32(bitPattern: SQLiteGalleryStore.applicationID))
        #expect(header[18] == 2 && header[19] == 2, "file format 2 = WAL")
    }
}
