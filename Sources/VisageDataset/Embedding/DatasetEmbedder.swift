public import Visage
import VisageCore
import Foundation

/// Embeds the images of one shard that the cache does not hold yet, appending each result to
/// the shard's cache file as it comes. A bad image is recorded with its error, never fatal.
///
/// ```swift
/// let summary = try await DatasetEmbedder(analyzer: analyzer, store: store)
///     .embed(listing.images, shard: .all) { done, total, path in }
/// print(summary.imagesPerSecond)
/// ```
public struct DatasetEmbedder: Sendable {
    public var analyzer: FaceAnalyzer
    public var store: EmbeddingStore
    /// Images in flight at once; default 2 (one decoding while the other is in ONNX Runtime).
    public var concurrency = 2

    public init(analyzer: FaceAnalyzer, store: EmbeddingStore) {
        self.analyzer = analyzer
        self.store = store
    }

    /// What one embedding pass did.
    public struct Summary: Sendable {
        /// Images in the shard.
        public var inShard = 0
        /// Already in the cache (any shard's file), not embedded again.
        public var cached = 0
        /// Embedded by this pass.
        public var embedded = 0
        /// Of those, how many failed to read or analyse (recorded with their error).
        public var errors = 0
        /// Wall time of the embedding loop.
        public var seconds: Double = 0
        /// `embedded / seconds`, 0 when nothing was embedded.
        public var imagesPerSecond: Double { seconds > 0 ? Double(embedded) / seconds : 0 }
    }

    /// Embeds `images` that fall in `shard` and are not cached; `progress(done, total, path)`
    /// is called after each image of the shard, cached ones counted first.
    public func embed(_ images: [DatasetImage], shard: Shard,
                      progress: (Int, Int, String) -> Void) async throws(DatasetError) -> Summary {
        let cached = try store.loadAll()
        let mine = images.filter { shard.contains($0.relativePath) }
        let todo = mine.filter { cached[$0.relativePath] == nil }
        var summary = Summary()
        summary.inShard = mine.count
        summary.cached = mine.count - todo.count
        guard !todo.isEmpty else { return summary }
        let writer = try store.writer(for: shard)
        let byPath = Dictionary(todo.map { (store.root + "/" + $0.relativePath, $0) }, uniquingKeysWith: { a, _ in a })
        let start = ContinuousClock.now
        var done = summary.cached
        for await item in analyzer.analyzeFiles(todo.map { store.root + "/" + $0.relativePath }, concurrency: concurrency) {
            guard let image = byPath[item.path] else { continue }
            let record = Self.record(for: image, result: item.result)
            if record.status == .error { summary.errors += 1 }
            try writer.append(record)
            summary.embedded += 1
            done += 1
            progress(done, mine.count, image.relativePath)
        }
        try writer.flush()
        summary.seconds = (ContinuousClock.now - start) / .seconds(1)
        return summary
    }

    static func record(for image: DatasetImage, result: Result<AnalyzedImage, any Error>) -> EmbeddingRecord {
        switch result {
        case let .success(analyzed):
            let faces = analyzed.faces.sorted { $0.box.area > $1.box.area }
            guard let best = faces.first, let embedding = best.embedding else {
                return EmbeddingRecord(relativePath: image.relativePath, identity: image.identity, status: .noFace)
            }
            let second = faces.count > 1 && best.box.area > 0 ? faces[1].box.area / best.box.area : 0
            let l = best.landmarks
            let yaw = l.count == 5 && best.box.width > 0 ? (l[2].x - (l[0].x + l[1].x) / 2) / best.box.width : 0
            return EmbeddingRecord(relativePath: image.relativePath, identity: image.identity, status: .face,
                                   faceCount: faces.count, box: best.box, score: best.score,
                                   secondFaceRatio: second, yaw: yaw, embedding: embedding)
        case let .failure(error):
            let message = (error as? any LocalizedError)?.errorDescription ?? String(describing: error)
            return EmbeddingRecord(relativePath: image.relativePath, identity: image.identity, status: .error, error: message)
        }
    }
}
