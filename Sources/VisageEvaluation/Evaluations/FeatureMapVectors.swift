public import Visage
public import VisageCore
import VisageModels
import VisageRuntime
import Foundation

/// SFace's `bn1` feature map (1024×7×7) of each image's largest face, pooled over the columns
/// of each row (7,168 values: where along the face, eyes or mouth), the features the CelebA
/// attribute evaluation reads (`visage eval attributes`: the aligned crop's map, and by default the
/// context crop's beside it where the inner cross-validation prefers both).
///
/// The analyzer gives the aligned crop exactly as the pipeline makes it; SFace then runs once
/// more on it here for the map (the evaluation's 291 photos make that cheap). With `context`,
/// SFace also reads a wider crop from the same five landmarks (``contextTemplate``: hair, hat,
/// neck and collar, which the 112×112 ArcFace crop cuts off and LNets+ANet's region holds), and
/// its row-pooled map follows the tight one's (14,336 values). With `mirrored`, each crop's
/// pooled map is averaged with its mirror image's (one more SFace pass per crop): SFace is not
/// exactly left-right symmetric, and the average is a steadier read of the same face.
public struct FeatureMapVectors: Sendable {
    /// Path → pooled map of the largest face.
    public var vectors: [String: [Float]] = [:]
    public var withoutFace: [String] = []
    public var unreadable: [UnreadableImage] = []

    /// 1024 channels × 7 rows.
    public static let dimension = SFaceEmbedder.featureMapShape[0] * SFaceEmbedder.featureMapShape[1]

    /// The context crop's five-point template: the ArcFace template shrunk twofold about the
    /// crop's centre and lifted 8 pixels, so the 112×112 window spans twice the face and reaches
    /// further down (neck, collar) than up. Chosen by eye on a few photos, then measured by
    /// nested cross-validation (training/bn1-heads/celeba_context_cv.py).
    public static let contextTemplate: [Point] = FaceAlignment.arcFaceTemplate.map {
        Point(x: ($0.x - 56) / 2 + 56, y: ($0.y - 56) / 2 + 56 - 8)
    }

    public static func collect(_ paths: [String], analyzer: FaceAnalyzer, context: Bool = false, mirrored: Bool = false,
                               progress: EvaluationProgress) async throws(EvaluationError) -> FeatureMapVectors {
        let sface: SFaceEmbedder
        do { sface = try SFaceEmbedder(directory: analyzer.configuration.models, runtime: analyzer.runtime) } catch {
            throw .modelFailed(reason: "\(error)")
        }
        var result = FeatureMapVectors()
        var done = 0
        for await item in analyzer.analyzeFiles(paths, tasks: .alignedCrop, keepImages: context) {
            done += 1
            progress(done, paths.count, item.path)
            switch item.result {
            case let .success(analyzed):
                guard let face = analyzed.faces.largest, let crop = face.alignedCrop else { result.withoutFace.append(item.path); continue }
                var crops = [crop]
                if context {
                    guard let image = analyzed.image,
                          let wide = FaceAlignment.crop(of: image, landmarks: face.landmarks, template: contextTemplate, size: 112) else {
                        result.withoutFace.append(item.path)
                        continue
                    }
                    crops.append(wide.crop)
                }
                do {
                    var vector: [Float] = []
                    for crop in crops {
                        let batch = mirrored ? [crop, crop.applyingOrientation(.upMirrored)] : [crop]
                        guard let maps = try sface.run(batch, featureMaps: true).featureMaps else { break }
                        let size = maps.values.count / batch.count
                        var pooled = rowPooled(Array(maps.values[0..<size]))
                        if mirrored {
                            // Row pooling averages over the columns, so the mirror's rows line up
                            // with the crop's without reversing anything.
                            let other = rowPooled(Array(maps.values[size...]))
                            for k in pooled.indices { pooled[k] = (pooled[k] + other[k]) / 2 }
                        }
                        vector += pooled
                    }
                    if vector.count == crops.count * dimension { result.vectors[item.path] = vector }
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
