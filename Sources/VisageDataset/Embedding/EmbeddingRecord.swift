public import VisageCore

/// What the embedding pass learned about one image: its faces, the chosen face's box and
/// detector score, and that face's embedding, or the error that stopped it.
///
/// The chosen ("best") face is the largest, the usual subject of an identity photo.
/// `secondFaceRatio` is the area of the second-largest face over the largest (0 with one
/// face): a high value means the photo's subject is ambiguous.
public struct EmbeddingRecord: Sendable, Equatable {
    public enum Status: String, Sendable {
        /// At least one face; `embedding` is set.
        case face
        /// Read without trouble; the detector found no face.
        case noFace = "noface"
        /// Could not be read or analysed; `error` says why.
        case error
    }

    public var relativePath: String
    public var identity: String
    public var status: Status
    public var faceCount: Int
    public var box: Rect?
    public var score: Float?
    public var secondFaceRatio: Float
    /// A head-turn proxy from the landmarks: the nose's horizontal offset from the midpoint of
    /// the eyes over the box width; about 0 for a frontal face, ±0.15 or more for a profile.
    public var yaw: Float
    /// L2-normalised 128-d SFace embedding of the best face.
    public var embedding: [Float]?
    public var error: String?

    public init(relativePath: String, identity: String, status: Status, faceCount: Int = 0, box: Rect? = nil,
                score: Float? = nil, secondFaceRatio: Float = 0, yaw: Float = 0, embedding: [Float]? = nil, error: String? = nil) {
        self.relativePath = relativePath
        self.identity = identity
        self.status = status
        self.faceCount = faceCount
        self.box = box
        self.score = score
        self.secondFaceRatio = secondFaceRatio
        self.yaw = yaw
        self.embedding = embedding
        self.error = error
    }
}
