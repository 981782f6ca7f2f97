public import Visage
import VisageModels
import VisageRuntime
import Foundation

/// SFace's `bn1` feature map (1024×7×7) of each image's largest face, pooled over the columns
/// of each row (7,168 values: where along the face, eyes or mouth), the features the CelebA
/// attribute evaluation reads (`visage eval attributes --features sface-map`).
///
/// The analyzer gives the aligned crop exactly as the pipeline makes it; SFace then runs once
/// more on it here for the map (the evaluation's 291 photos make that cheap).
public struct FeatureMapVectors: Sendable {
    /// Path → pooled map of the largest face.
    public var vectors: [String: [Float]] = [:]
    public var withoutFace: [String] = []
    public var unreadable: [UnreadableImage] = []

    /// 1024 channels × 7 rows.
    public static let dimension = SFaceEmbedder.featureMapShape[0] * SFaceEmbedder.featureMapShape[1]

    public static func collect(_ paths: [String], analyzer: FaceAnalyzer, progress: EvaluationProgress) async throws(EvaluationError) -> FeatureMapVectors {
        let sface: SFaceEmbedder
        do { sface = try SFaceEmbedder(directory: analyzer.configuration.models, runtime: analyzer.runtime) } catch {
            throw .modelFailed(reason: "\(error)")
        }
        var result = FeatureMapVectors()
        var done = 0
        for await item in analyzer.analyzeFiles(paths, tasks: .alignedCrop) {
            done += 1
            progress(done, paths.count, item.path)
            switch item.result {
            case let .success(analyzed):
                guard let crop = analyzed.faces.largest?.alignedCrop else { result.withoutFace.append(item.path); continue }
                do {
                    guard let maps = try sface.run([crop], featureMaps: true).featureMaps else { continue }
                    result.vectors[item.path] = rowPooled(maps.values)
                } catch {
                    throw .modelFailed(reason: "\(item.path): \(error)")
                }
            case let .failure(error):
                result.unreadable.append(UnreadableImage(path: item.path, error: errorMessage(error)))
            }
        }
        result.withoutFace.sort()
        return result
    }

    /// One 1024×7×7 map (channel, row, column order) averaged over its columns.
    static func rowPooled(_ map: [Float]) -> [Float] {
        let columns = SFaceEmbedder.featureMapShape[2]
        return (0..<dimension).map { cell in
            var sum: Float = 0
            for x in 0..<columns { sum += map[cell * columns + x] }
            return sum / Float(columns)
        }
    }
}
