import Foundation
import Testing
import VisageTestSupport
import Visage
@testable import VisageEvaluation

/// The embeddings cache (train-head --embeddings-cache) replaces only a file that is one:
/// any other file at that path was overwritten with a cache when the run ended.
struct ImageEmbeddingsCacheTests {
    @Test func onlyACacheOrNothingMayBeReplaced() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(ImageEmbeddings.isCacheOrMissing(folder + "/new.tsv"))
        #expect(FileManager.default.createFile(atPath: folder + "/empty.tsv", contents: Data()))
        #expect(ImageEmbeddings.isCacheOrMissing(folder + "/empty.tsv"))
        try "# visage-embeddings 2 models=/elsewhere files=x\na.jpg\tnoface\n".write(toFile: folder + "/old.tsv", atomically: true, encoding: .utf8)
        #expect(ImageEmbeddings.isCacheOrMissing(folder + "/old.tsv"))
        try "my notes\n".write(toFile: folder + "/notes.txt", atomically: true, encoding: .utf8)
        #expect(!ImageEmbeddings.isCacheOrMissing(folder + "/notes.txt"))
    }

    @Test(.enabled(if: Fixtures.hasModels, "needs the models from scripts/setup"))
    func anotherFileAtTheCachePathIsLeftAlone() async throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let notes = folder + "/notes.txt"
        try "my notes\n".write(toFile: notes, atomically: true, encoding: .utf8)
        var configuration = FaceAnalyzer.Configuration()
        configuration.tasks = [.embedding]
        let embedded = await ImageEmbeddings.collect([try Fixtures.sample("Tom_Hanks_54745.png")], analyzer: try FaceAnalyzer(configuration: configuration),
                                                     cachePath: notes) { _, _, _ in }
        #expect(embedded.embeddings.count == 1)
        #expect(try String(contentsOfFile: notes, encoding: .utf8) == "my notes\n")
    }
}
