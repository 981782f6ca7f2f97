public import Visage
import VisageModels

/// The per-face features a head is trained on and later reads, named in the head file so that
/// a head is never applied to features it was not trained on.
///
/// Each case names its model file, its dimension and the analyzer tasks that compute it.
public enum FaceFeatures: String, Sendable, Codable, CaseIterable {
    /// The 128-d L2-normalised SFace identity embedding of the face.
    case sface
    /// The 256-d FAb-Net attribute embedding of the same aligned crop (our own encoder,
    /// learned from video without labels; docs/models/fabnet-encoder.md).
    case fabnet

    /// The model file the features come from; recorded in the head and checked when it loads.
    public var model: String {
        switch self {
        case .sface: SFaceEmbedder.contract.fileName
        case .fabnet: FabNetEncoder.contract.fileName
        }
    }

    public var dimension: Int {
        switch self {
        case .sface: SFaceEmbedder.dimension
        case .fabnet: FabNetEncoder.dimension
        }
    }

    /// What the analyzer must compute for ``vector(of:)`` to have a value.
    public var tasks: FaceAnalyzer.Tasks {
        switch self {
        case .sface: .embedding
        case .fabnet: .attributeEmbedding
        }
    }

    /// The features of one analysed face, nil when the analyzer did not compute them.
    public func vector(of face: Face) -> [Float]? {
        switch self {
        case .sface: face.embedding
        case .fabnet: face.attributeEmbedding
        }
    }
}
