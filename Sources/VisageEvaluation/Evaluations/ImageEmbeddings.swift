public import Visage
import VisageModels
import Foundation

/// The embedding of each image's largest face, and the images that gave none.
public struct ImageEmbeddings: Sendable {
    /// Path → L2-normalised embedding of the largest face.
    public var embeddings: [String: [Float]] = [:]
    /// Images read without trouble in which the detector found no face.
    public var withoutFace: [String] = []
    /// Images that could not be read or analysed.
    public var unreadable: [UnreadableImage] = []
    /// How many came from the cache rather than the pipeline.
    public var fromCache = 0

    public init() {}

    /// The cache file's name in an output folder (``collect(_:analyzer:cachePath:progress:)``).
    public static let cacheFileName = EmbeddingCache.fileName

    /// Whether `path` may serve as the cache file: missing, empty, or a cache an earlier run
    /// wrote. Any other file is left alone (not read, not overwritten).
    public static func isCacheOrMissing(_ path: String) -> Bool { EmbeddingCache.isCacheOrMissing(path) }

    /// Embeds each path once (largest face), two images in flight, reusing and updating the
    /// cache file at `cachePath` when given.
    public static func collect(
        _ paths: [String], analyzer: FaceAnalyzer, cachePath: String?, progress: EvaluationProgress
    ) async -> ImageEmbeddings {
        var result = ImageEmbeddings()
        var cache = cachePath.map { EmbeddingCache(path: $0, models: analyzer.configuration.models.url,
                                                             fallbackScore: analyzer.configuration.fallbackScoreThreshold,
                                                             precision: analyzer.configuration.sfacePrecision,
                                                             flipAverage: analyzer.configuration.flipAveragesEmbedding) }
        var todo: [String] = []
        for path in paths {
            if let cached = cache?[path] {
                result.fromCache += 1
                if let embedding = cached { result.embeddings[path] = embedding } else { result.withoutFace.append(path) }
            } else {
                todo.append(path)
            }
        }
        var done = result.fromCache
        for await item in analyzer.analyzeFiles(todo) {
            done += 1
            progress(done, paths.count, item.path)
            switch item.result {
            case let .success(analyzed):
                let embedding = analyzed.faces.largest?.embedding
                if let embedding { result.embeddings[item.path] = embedding } else { result.withoutFace.append(item.path) }
                cache?.record(item.path, embedding: embedding)
            case let .failure(error):
                result.unreadable.append(UnreadableImage(path: item.path, error: errorMessage(error)))
            }
        }
        // A cache that cannot be written costs only time on the next run.
        if !todo.isEmpty { try? cache?.save() }
        result.withoutFace.sort()
        return result
    }
}
