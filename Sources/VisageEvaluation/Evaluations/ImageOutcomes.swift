import Foundation

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
