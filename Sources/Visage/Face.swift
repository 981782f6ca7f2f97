public import VisageCore
public import VisageModels

/// A face found in an image, with whatever the analyzer measured about it.
///
/// Coordinates are in the original image's pixels after EXIF orientation. Fields the analyzer
/// was configured not to compute are nil, never a made-up default.
public struct Face: Sendable, Equatable {
    /// Bounding box from the detector.
    public var box: Rect
    /// Detector confidence in [0, 1]; 1 for a face given as a crop (``wasDetected`` false).
    public var score: Float
    /// Left eye, right eye, nose tip, left and right mouth corner (as seen in the picture);
    /// empty for a face given as a crop.
    public var landmarks: [Point]
    /// False when the picture was given as one face crop and nothing was detected
    /// (``FaceAnalyzer/Configuration/Input/faceCrop``): the box is then the whole picture.
    public var wasDetected: Bool
    /// The 112×112 crop aligned to the ArcFace template, as the embedder saw it.
    public var alignedCrop: Image?
    /// L2-normalised 128-d SFace embedding; compare two with ``Face/similarity(to:)``.
    public var embedding: [Float]?
    /// The 256-d FAb-Net embedding of the same aligned crop (pose and expression rather than
    /// identity; not normalised), read by heads trained on FAb-Net features.
    public var attributeEmbedding: [Float]?
    /// The masked-face attention head's L2-normalised 128-d embedding: a space of its own,
    /// comparable only with another face's (``maskAwareSimilarity(to:)`` does that).
    public var maskedFaceEmbedding: [Float]?
    /// Where the attention head looked: masked region, visible face and background maps.
    public var attention: FaceAttention?
    /// Estimated apparent age in years.
    public var age: Float?
    /// Estimated apparent gender with its probability.
    public var gender: GenderEstimate?
    /// Facial expression (what the face shows, not what the person feels) with every class's probability.
    public var expression: ExpressionEstimate?
    /// Whether the face wears a mask, with the probability of that label.
    public var mask: MaskEstimate?
    /// Predictions of the custom heads applied to this face, in the order they were given;
    /// empty when none were (the analyzer runs none itself).
    public var heads: [HeadPrediction] = []

    public init(detection: Detection) {
        box = detection.box
        score = detection.score
        landmarks = detection.landmarks
        wasDetected = true
    }

    /// The whole of `image` taken as one face, for pictures that are already face crops.
    public init(wholeImageOf image: Image) {
        box = Rect(x: 0, y: 0, width: Float(image.width), height: Float(image.height))
        score = 1
        landmarks = []
        wasDetected = false
    }

    /// Cosine similarity of the two faces' embeddings, nil when either lacks one.
    public func similarity(to other: Face) -> Float? {
        guard let a = embedding, let b = other.embedding else { return nil }
        return cosineSimilarity(a, b)
    }

    /// The similarity to use when a face may wear a mask: the attention head's cosine when the
    /// mask classifier calls either face masked and both carry ``maskedFaceEmbedding`` (the head
    /// weights the feature map towards the visible face, and both sides must go through it);
    /// SFace's cosine otherwise. Nil when the needed embeddings are missing.
    public func maskAwareSimilarity(to other: Face) -> (similarity: Float, method: Verification.Method)? {
        let eitherMasked = (mask?.isMasked ?? false) || (other.mask?.isMasked ?? false)
        if eitherMasked, let a = maskedFaceEmbedding, let b = other.maskedFaceEmbedding {
            return (cosineSimilarity(a, b), .attentionHead)
        }
        return similarity(to: other).map { ($0, .sface) }
    }
}

extension Array where Element == Face {
    /// The face with the largest box, the usual subject of a portrait.
    public var largest: Face? { self.max { $0.box.area < $1.box.area } }
}
