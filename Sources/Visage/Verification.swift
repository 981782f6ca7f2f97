/// The answer to "are these two faces the same person?".
public struct Verification: Sendable, Hashable, Codable {
    /// Cosine similarity of the two embeddings, in [-1, 1].
    public var similarity: Float
    /// The threshold the similarity was compared with.
    public var threshold: Float
    /// `similarity >= threshold`.
    public var same: Bool
    /// Which embeddings the similarity compares.
    public var method: Method

    /// What a similarity was computed from.
    public enum Method: String, Sendable, Hashable, Codable {
        /// SFace's identity embeddings: the default.
        case sface
        /// The masked-face attention head's embeddings, used when either face wears a mask
        /// (``Face/maskAwareSimilarity(to:)``).
        case attentionHead = "attention_head"
    }

    public init(similarity: Float, threshold: Float, method: Method = .sface) {
        self.similarity = similarity
        self.threshold = threshold
        self.method = method
        same = similarity >= threshold
    }

    /// Default cosine threshold for SFace embeddings: 0.303, the threshold at a false-accept
    /// rate of 1e-3 over all 7,000 CFP impostor pairs (FF and FP protocols, YuNet + SFace with
    /// RGB input; shared/MODELS.md). Raise it for open-set identification against a gallery.
    /// It also suits the attention head with one face masked: on CFP identities 401–500 (never
    /// trained on; 943,022 bare-against-masked impostor pairs) its cosine at a false-accept rate
    /// of 1e-3 is 0.3027. With both faces masked that rate needs 0.356.
    public static let defaultThreshold: Float = 0.303
}
