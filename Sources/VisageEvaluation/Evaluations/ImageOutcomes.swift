import Foundation
import Visage

/// An image the pipeline could not read, and why.
public struct UnreadableImage: Sendable, Hashable, Codable {
    public var path: String
    public var error: String

    public init(path: String, error: String) {
        self.path = path
        self.error = error
    }
}

/// Progress of a long evaluation: images done, images in all, the image just finished.
public typealias EvaluationProgress = (_ done: Int, _ total: Int, _ label: String) -> Void

func errorMessage(_ error: any Error) -> String {
    (error as? any LocalizedError)?.errorDescription ?? String(describing: error)
}

/// The largest face of each image (images without a face are left out), and the images that
/// could not be read, through the analyzer's batch API.
func largestFaces(of paths: [String], analyzer: FaceAnalyzer, progress: EvaluationProgress) async -> (faces: [String: Face], unreadable: [UnreadableImage]) {
    var faces: [String: Face] = [:]
    var unreadable: [UnreadableImage] = []
    for await item in analyzer.analyzeFiles(paths) {
        progress(item.index + 1, paths.count, item.path)
        switch item.result {
        case let .success(analyzed):
            if let face = analyzed.faces.largest { faces[item.path] = face }
        case let .failure(error):
            unreadable.append(UnreadableImage(path: item.path, error: errorMessage(error)))
        }
    }
    return (faces, unreadable)
}
