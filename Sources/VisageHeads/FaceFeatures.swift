public import Visage
import VisageModels

/// The per-face features a head is trained on and later reads, named in the head file so that
/// a head is never applied to features it was not trained on.
///
/// Only `sface` exists today; another extractor (say a FAb-Net embedding) becomes a new case
/// with its model file, dimension and the analyzer tasks it needs.
public enum FaceFeatures: String, Sendable, Codable, CaseIterable {
    /// The 128-d L2-normalised SFace identity embedding of the face.
    case sface

    /// The model file the features come from; recorded in the head and checked when it loads.
    public var model: String {
        switch self {
        case .sface: SFaceEmbedder.contract.fileName
        }
    }

    public var dimension: Int {
        switch self {
        case .sface: SFaceEmbedder.dimension
        }
    }

    /// What the analyzer must compute for ``vector(of:)`` to have a value.
    public var tasks: FaceAnalyzer.Tasks {
        switch self {
        case .sface: .embedding
        }
    }

    /// The features of one analysed face, nil when the analyzer did not compute them.
    public func vector(of face: Face) -> [Float]? {
        switch self {
        case .sface: face.embedding
        }
    }
}
