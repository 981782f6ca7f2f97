import Foundation
import Testing
import VisageTestSupport
import VisageCore
@testable import VisageDataset

struct EmbeddingStoreTests {
    static let records = [
        EmbeddingRecord(relativePath: "a/1.jpg", identity: "a", status: .face, faceCount: 2, box: Rect(x: 1.5, y: 2, width: 30, height: 40),
                        score: 0.9123, secondFaceRatio: 0.25, yaw: -0.125, embedding: [0.6, -0.8, 0, 1e-7]),
        EmbeddingRecord(relativePath: "a/with space\tand tab%.jpg", identity: "a", status: .noFace),
        EmbeddingRecord(relativePath: "b/2.jpg", identity: "b", status: .error, error: "not an image:\ttruncated\nline"),
    ]

    @Test func roundTripsEveryKindOfRecordAcrossShardFiles() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = EmbeddingStore(folder: folder, root: "/data/faces", models: "/models")
        do {
            let w0 = try store.writer(for: try Shard(index: 0, count: 2))
            try w0.append(Self.records[0])
            try w0.append(Self.records[1])
            try w0.flush()
            let w1 = try store.writer(for: try Shard(index: 1, count: 2))
            try w1.append(Self.records[2])
            try w1.flush()
        }
        let loaded = try store.loadAll()
        #expect(loaded.count == 3)
        for r in Self.records { #expect(loaded[r.relativePath] == r) }
        #expect(FileManager.default.fileExists(atPath: folder + "/embeddings-0-of-2.tsv"))
        #expect(FileManager.default.fileExists(atPath: folder + "/embeddings-1-of-2.tsv"))
    }

    @Test func aLineCutShortIsIgnoredAndAnotherDatasetsCacheIsRefused() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = EmbeddingStore(folder: folder, root: "/data/faces", models: "/models")
        let full = EmbeddingStore.line(Self.records[0])
        let text = store.header(for: .all) + "\n" + full + "\n" + String(full.prefix(40)) + "\n"
        try text.write(toFile: folder + "/embeddings-0-of-1.tsv", atomically: true, encoding: .utf8)
        #expect(try store.loadAll().count == 1)
        let other = EmbeddingStore(folder: folder, root: "/data/other", models: "/models")
        #expect(throws: DatasetError.self) { try other.loadAll() }
        #expect(throws: DatasetError.self) { try other.writer(for: .all) }
        try "hello\n".write(toFile: folder + "/embeddings-0-of-1.tsv", atomically: true, encoding: .utf8)
        #expect(throws: DatasetError.self) { try store.loadAll() }
    }

    /// An interrupted job leaves its last line without a newline. Resuming must neither count
    /// that line (an embedding cut at a 4-character boundary parses into fewer floats) nor glue
    /// the next record onto it: both images then vanished from the report.
    @Test func resumingAfterALineCutShortLosesNothing() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = EmbeddingStore(folder: folder, root: "/data/faces", models: "/models")
        var face = Self.records[0]
        face.embedding = (0..<128).map { Float($0) / 128 }
        let path = folder + "/embeddings-0-of-1.tsv"
        let whole = EmbeddingStore.line(face)
        let payload = try #require(whole.split(separator: "\t", omittingEmptySubsequences: false).last)
        let cut = String(whole.dropLast(payload.count - 672))  // 672 base64 characters: 126 floats
        try (store.header(for: .all) + "\n" + EmbeddingStore.line(Self.records[2]) + "\n" + cut)
            .write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try store.loadAll().keys.sorted() == ["b/2.jpg"], "the cut line is not a record")

        do {
            let writer = try store.writer(for: .all)
            try writer.append(face)
            try writer.append(Self.records[1])
            try writer.flush()
        }
        let loaded = try store.loadAll()
        #expect(loaded.count == 3)
        #expect(loaded[face.relativePath]?.embedding?.count == 128)
        #expect(loaded[Self.records[1].relativePath] == Self.records[1])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 4, "header and three whole lines")
    }
}
