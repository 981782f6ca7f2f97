import Foundation
import Testing
import VisageTestSupport
import Visage
@testable import VisageDataset

/// Runs through the real pipeline: skipped without the models from scripts/setup, and the CFP
/// run also without ../shared/data (or $VISAGE_DATA).
@Suite(.enabled(if: Fixtures.hasModels, "needs the models from scripts/setup ($VISAGE_HOME/models)"))
struct RealDataTests {
    static func analyzer() throws -> FaceAnalyzer {
        var configuration = FaceAnalyzer.Configuration()
        configuration.tasks = [.embedding]
        return try FaceAnalyzer(configuration: configuration)
    }

    /// 20 CFP identities (280 images) with 5% planted outliers and one split identity.
    @Test(.enabled(if: Fixtures.cfpImages != nil, "needs ../shared/data/cfp (or $VISAGE_DATA)"))
    func twentyCFPIdentitiesWithPlantedNoise() async throws {
        let cfp = try #require(Fixtures.cfpImages)
        let work = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: work) }
        // A 20-identity view of CFP: one link per identity folder.
        let source = work + "/source"
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        for id in (1...20).map({ String(format: "%03d", $0) }) {
            try FileManager.default.createSymbolicLink(atPath: source + "/" + id, withDestinationPath: cfp + "/" + id)
        }
        let manifest = try NoisyCopy(source: source, wrongFraction: 0.05, splitCount: 1, seed: 1).plan()
        try manifest.write(to: work + "/noisy")
        let listing = try DatasetWalker(root: work + "/noisy").walk()
        #expect(listing.images.count == 280 && listing.identities.count == 21)

        let store = EmbeddingStore(folder: work + "/cache", root: work + "/noisy", models: "default")
        let embedder = DatasetEmbedder(analyzer: try Self.analyzer(), store: store)
        // Two shards, embedded one after the other, merge to the whole set.
        var total = 0
        for i in 0..<2 { total += try await embedder.embed(listing.images, shard: try Shard(index: i, count: 2)) { _, _, _ in }.embedded }
        #expect(total == 280)
        #expect(try await embedder.embed(listing.images, shard: .all) { _, _, _ in }.cached == 280)
        let records = try store.loadAll()
        let result = DatasetCleaner().clean(listing.images.compactMap { records[$0.relativePath].map(CleaningSample.init) })
        let final = try #require(CleaningScore.rows(result, truth: manifest).last)
        #expect(final.outliersPlanted == 14)
        // Measured on the full CFP copy: precision ≈ 0.9, recall ≈ 0.9; loose bounds for 14 planted images.
        #expect(final.outlierRecall >= 0.6, "recall \(final.outlierRecall)")
        #expect(final.outlierPrecision >= 0.5, "precision \(final.outlierPrecision)")
        #expect(final.duplicateRecall == 1 && final.duplicatePrecision == 1, "duplicates \(result.duplicates)")

        let page = try HTMLReport(root: work + "/noisy", result: result, records: records).write(to: work + "/html")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("thumbs/") && !html.contains("http://") && !html.contains("https://"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: work + "/html/thumbs").count > 10)
    }

    /// Unreadable images are recorded with their error; the others are embedded.
    @Test func badImagesAreRecordedNotFatal() async throws {
        let portrait = try #require(Fixtures.samplePath("Tom_Hanks_54745.png"), "run scripts/setup for the samples")
        let root = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: portrait)))
        try Fixtures.write(bytes, root, "data/tom/good.png")
        try Fixtures.write(Array(bytes.prefix(bytes.count / 3)), root, "data/tom/truncated.png")
        try Fixtures.write(Array("not an image".utf8), root, "data/tom/text.jpg")
        try FileManager.default.createSymbolicLink(atPath: root + "/data/tom/dangling.jpg", withDestinationPath: root + "/nowhere.jpg")
        let listing = try DatasetWalker(root: root + "/data").walk()
        #expect(listing.images.count == 4)
        let store = EmbeddingStore(folder: root + "/cache", root: root + "/data", models: "default")
        let summary = try await DatasetEmbedder(analyzer: try Self.analyzer(), store: store).embed(listing.images, shard: .all) { _, _, _ in }
        #expect(summary.embedded == 4 && summary.errors >= 2)
        let records = try store.loadAll()
        #expect(records["tom/good.png"]?.status == .face && records["tom/good.png"]?.embedding?.count == 128)
        #expect(records["tom/text.jpg"]?.status == .error && !(records["tom/text.jpg"]?.error ?? "").isEmpty)
        #expect(records["tom/dangling.jpg"]?.status == .error)
        let result = DatasetCleaner().clean(listing.images.compactMap { records[$0.relativePath].map(CleaningSample.init) })
        #expect(result.suspects.filter { $0.reason == .unreadable }.count == summary.errors)
    }
}
